"""The link page, the done page, the progress page and the staff page."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from rabatt.codes.alphabet import display
from rabatt.codes.models import Code, CodeStatus
from rabatt.codes.tests.factories import direct_code
from rabatt.referrals.models import Friend
from rabatt.referrals.services import FriendIn, friend_signup, progress_token, referral_link
from rabatt.review.tests.factories import staff_user, verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(campaign):
    return referral_link(campaign=campaign, code_text=display(direct_code(campaign).code),
                         email="kari@example.no")[0]


FORM = {"name": "Ola Nordmann", "email": "ola@example.no", "consent": "on", "website": ""}


def test_page_sets_a_device_cookie_and_signs_up(referral, django_capture_on_commit_callbacks):
    client = Client(HTTP_ACCEPT_LANGUAGE="nb")
    page = client.get(f"/r/{referral.token}/")
    assert page.status_code == 200
    assert page.cookies["rabatt_device"].value
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/r/{referral.token}/", FORM)
    assert response.status_code == 302
    assert response["Location"] == f"/r/{referral.token}/done/"
    friend = Friend.objects.get()
    assert (friend.locale, friend.consent_version) == ("nb", "1")
    assert friend.consented_at is not None
    assert friend.device_id == page.cookies["rabatt_device"].value
    assert mail.outbox[0].to == ["ola@example.no"]
    assert "Hei Ola Nordmann" in mail.outbox[0].body
    assert client.get(response["Location"]).status_code == 200


def test_consent_is_required_and_refusals_show(referral):
    client = Client()
    response = client.post(f"/r/{referral.token}/", {**FORM, "consent": ""})
    assert response.status_code == 422
    response = client.post(f"/r/{referral.token}/", {**FORM, "email": "kari@example.no"})
    assert response.status_code == 422
    assert "You cannot refer yourself." in response.content.decode()
    response = client.post(f"/r/{referral.token}/", {**FORM, "website": "x"})
    assert response.status_code == 422
    assert not Friend.objects.exists()


def test_a_full_link_says_so(referral):
    for n in range(3):
        friend_signup(token=referral.token,
                      data=FriendIn(name="F", email=f"f{n}@example.no", ip=f"192.0.{n}.1"))
    page = Client().get(f"/r/{referral.token}/")
    assert "three friends" in page.content.decode()
    assert Client().get("/r/" + "y" * 32 + "/").status_code == 404


def test_progress_page_only_with_the_signed_link(referral):
    friend = friend_signup(token=referral.token, data=FriendIn(name="Ola N", email="o@example.no"))
    Code.objects.filter(pk=friend.code_id).update(status=CodeStatus.USED)
    page = Client().get(f"/r/progress/{progress_token(referral)}/")
    assert page.status_code == 200
    assert 'data-status="completed"' in page.content.decode()
    assert "o@example.no" not in page.content.decode()
    assert Client().get(f"/r/progress/{progress_token(referral)}x/").status_code == 404


def test_progress_form_emails_the_owner(referral, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(f"/r/{referral.token}/progress/")
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["kari@example.no"]]


def test_staff_page(referral, client, django_user_model):
    assert client.get("/r/staff/").status_code == 302
    friend_signup(token=referral.token, data=FriendIn(
        name="Bot", email="b@example.no", device_id="d1", ip="192.0.2.1"))
    friend_signup(token=referral.token, data=FriendIn(
        name="Bot", email="c@example.no", device_id="d1", ip="192.0.2.2"))
    # A Django is_staff flag is not the staff login: only a verified session with a role.
    user = django_user_model.objects.create_user("agent", "a@example.com", is_staff=True)
    client.force_login(user)
    assert client.get("/r/staff/").status_code == 302
    page = verified_client(staff_user("campaign_manager")).get("/r/staff/")
    assert page.status_code == 200
    assert "device_seen_before" in page.content.decode()
    assert verified_client(staff_user("agent")).get("/r/staff/").status_code == 403
