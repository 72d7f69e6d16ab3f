"""The referral API: links, friends (limits, self-referral, abuse), progress links."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from rabatt.codes.alphabet import display
from rabatt.codes.models import Code, CodeStatus
from rabatt.codes.tests.factories import direct_code, mistyped
from rabatt.codes.tests.fixtures import campaign, during_campaign
from rabatt.referrals.models import Friend, Referral, ReferralEvent

__all__ = ["campaign", "during_campaign"]
pytestmark = pytest.mark.django_db


def post(path: str, body: dict[str, Any] | None = None, ip: str = "198.51.100.7",
         client: Client | None = None) -> Any:
    return (client or Client()).post(f"/api/v1/referrals{path}", body or {},
                                     content_type="application/json", REMOTE_ADDR=ip)


@pytest.fixture
def link(campaign) -> dict[str, Any]:
    code = direct_code(campaign, channel="retailer")
    response = post("", {"campaign": campaign.slug, "code": display(code.code),
                         "email": "Kari.Nordmann+shop@GoogleMail.com"})
    assert response.status_code == 201, response.json()
    return response.json()


def friend(link: dict[str, Any], n: int, **extra: Any) -> Any:
    body = {"name": f"Friend {n}", "email": f"friend{n}@example.no", **extra}
    return post(f"/{link['token']}/friends", body, ip=f"198.51.{n % 250}.9")


def test_link_is_absolute_and_the_same_again(campaign, link, settings):
    assert link["url"] == f"{settings.SITE_URL}/r/{link['token']}/"
    code = Referral.objects.get().code
    again = post("", {"campaign": campaign.slug, "code": display(code.code).lower()})
    assert (again.status_code, again.json()) == (200, link)
    assert Referral.objects.count() == 1
    assert Referral.objects.get().email_canonical == "karinordmann@gmail.com"


def test_link_needs_a_real_code(campaign):
    code = direct_code(campaign)
    assert post("", {"campaign": campaign.slug, "code": mistyped(code)}).json()["code"] == \
        "code_invalid"
    Code.objects.filter(pk=code.pk).update(status=CodeStatus.VOID)
    assert post("", {"campaign": campaign.slug, "code": display(code.code)}).json()["code"] == \
        "code_void"
    assert not Referral.objects.exists()


def test_a_used_code_may_refer(campaign):
    code = direct_code(campaign)
    Code.objects.filter(pk=code.pk).update(status=CodeStatus.USED)
    assert post("", {"campaign": campaign.slug, "code": display(code.code)}).status_code == 201


def test_three_friends_then_refused(link, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [friend(link, n).status_code for n in range(1, 5)]
    assert statuses == [201, 201, 201, 409]
    assert friend(link, 5).json()["code"] == "referral_limit_reached"
    assert sorted(Friend.objects.values_list("slot", flat=True)) == [1, 2, 3]
    assert Code.objects.filter(referred_friend__isnull=False, channel="direct").count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == [f"friend{n}@example.no" for n in (1, 2, 3)]
    message = mail.outbox[0]
    code = Friend.objects.get(email=message.to[0]).code
    assert display(code.code) in message.body
    assert isinstance(message, mail.EmailMultiAlternatives)
    assert message.alternatives[0][1] == "text/html"
    assert Friend.objects.filter(code_emailed_at__isnull=False).count() == 3


def test_friend_email_in_the_friends_language(link, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert friend(link, 1, locale="nb").status_code == 201
    assert "Hei" in mail.outbox[0].body


@pytest.mark.parametrize("email", ["kari.nordmann@gmail.com", "KariNordmann+x@gmail.com",
                                   "k.a.r.i.nordmann@googlemail.com"])
def test_self_referral_is_refused(link, email):
    response = friend(link, 1, email=email)
    assert (response.status_code, response.json()["code"]) == (422, "self_referral")
    assert not Friend.objects.exists()


def test_a_friend_is_referred_once_by_anyone(campaign, link):
    other = post("", {"campaign": campaign.slug,
                      "code": display(direct_code(campaign).code)}).json()
    assert friend(link, 1, email="Ola@example.no").status_code == 201
    response = friend(other, 2, email="ola@EXAMPLE.no ")
    assert (response.status_code, response.json()["code"]) == (409, "already_referred")
    assert Friend.objects.count() == 1


@pytest.mark.parametrize(("extra", "status", "code"), [
    ({"website": "http://spam.example"}, 422, "bot_suspected"),
    ({"email": "someone@mailinator.com"}, 422, "disposable_email"),
    ({"email": "someone@eu.yopmail.com"}, 422, "disposable_email"),
    ({"email": "not-an-address"}, 422, "invalid_email"),
])
def test_worst_signals_are_refused(link, extra, status, code):
    response = friend(link, 1, **extra)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Friend.objects.exists()
    assert not Code.objects.filter(referred_friend__isnull=False).exists()


def test_bursts_from_one_network_are_refused(campaign):
    links = [post("", {"campaign": campaign.slug,
                       "code": display(direct_code(campaign).code)}).json() for _ in range(3)]
    statuses = []
    for n in range(7):
        body = {"name": "X", "email": f"burst{n}@example.no"}
        statuses.append(post(f"/{links[n % 3]['token']}/friends", body,
                             ip=f"203.0.113.{n + 1}").status_code)
    assert statuses == [201] * 5 + [429] * 2
    assert Friend.objects.count() == 5
    last = Friend.objects.order_by("slot", "pk").last()
    assert last is not None
    assert last.signals["network_signups_last_hour"] >= 1


def test_same_device_is_a_signal(campaign):
    client = Client()
    client.cookies["rabatt_device"] = "device-1"
    link = post("", {"campaign": campaign.slug, "code": display(direct_code(campaign).code)},
                client=client).json()
    response = post(f"/{link['token']}/friends", {"name": "A", "email": "a@example.no"},
                    client=client, ip="192.0.2.1")
    assert response.status_code == 201
    assert Friend.objects.get().signals["same_device_as_referrer"] is True


def test_unknown_link(campaign):
    assert post("/" + "x" * 32 + "/friends", {"name": "A", "email": "a@example.no"}
                ).status_code == 404


def test_progress_link_goes_only_to_the_referrer(link, django_capture_on_commit_callbacks):
    friend(link, 1)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(f"/{link['token']}/progress-link", {"locale": "en"})
    assert response.status_code == 202
    # The outbox writes to the address lower-cased (how it keys suppressions).
    assert [[a.lower() for a in m.to] for m in mail.outbox] == [
        ["kari.nordmann+shop@googlemail.com"]]
    url = next(w for w in mail.outbox[0].body.split() if "/r/progress/" in w)
    page = Client().get(url.split("8000", 1)[-1])
    assert page.status_code == 200
    assert "Friend" in page.content.decode()
    assert "Pending" in page.content.decode()
    assert ReferralEvent.objects.filter(kind="progress_link_requested").count() == 1


def test_progress_link_needs_a_known_email(campaign):
    link = post("", {"campaign": campaign.slug,
                     "code": display(direct_code(campaign).code)}).json()
    response = post(f"/{link['token']}/progress-link")
    assert (response.status_code, response.json()["code"]) == (409, "referrer_email_unknown")
    assert len(mail.outbox) == 0
