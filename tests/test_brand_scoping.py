"""Staff of one brand never see another brand's claims, codes, batches, reports or privacy
requests: every staff URL and staff API endpoint is walked with the other brand's ids.

A staff URL added without a row in WALK fails ``test_every_staff_url_is_walked``."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from rabatt.accounts.services import staff_set_brands, token_create
from rabatt.campaigns.models import Campaign
from rabatt.campaigns.services import brand_create
from rabatt.campaigns.tests.factories import campaign_factory
from rabatt.claims.models import Claim
from rabatt.claims.tests.factories import claim_factory
from rabatt.payouts.models import PaymentBatch
from rabatt.payouts.services import payout_batch_build
from rabatt.payouts.tests.factories import approved_claims, payer
from rabatt.privacy.models import PrivacyRequest
from rabatt.privacy.requests import privacy_request_confirm, privacy_request_create
from rabatt.review.tests.factories import staff_user, verified_client

pytestmark = pytest.mark.django_db

ROLES = ("agent", "supervisor", "finance", "campaign_manager", "privacy_officer",
         "administrator")

# (method, URL pattern name, path with {placeholders} of the other brand's rows)
WALK: list[tuple[str, str, str]] = [
    ("GET", "staff_home", "/staff/"),
    ("GET", "staff_people", "/staff/people/"),
    ("GET", "review:queue", "/staff/queue/"),
    ("GET", "review:queue", "/staff/queue/?status=all"),
    ("GET", "review:queue", "/staff/queue/?status=all&campaign=camp-b"),
    ("GET", "review:queue_export", "/staff/queue/export.csv?status=all"),
    ("GET", "review:queue_export", "/staff/queue/export.xlsx?status=all&campaign=camp-b"),
    ("POST", "review:bulk_start", "/staff/bulk/"),
    ("GET", "review:bulk", "/staff/bulk/00000000-0000-0000-0000-000000000000/"),
    ("GET", "review:claim", "/staff/claims/{ref}/"),
    ("GET", "review:signals", "/staff/claims/{ref}/signals/"),
    ("POST", "review:decide", "/staff/claims/{ref}/decide/reject/"),
    ("POST", "review:decide", "/staff/claims/{ref}/decide/void/"),
    ("POST", "review:note", "/staff/claims/{ref}/notes/"),
    ("POST", "review:release", "/staff/claims/{ref}/release/"),
    ("GET", "review:bank", "/staff/claims/{approved_ref}/bank/"),
    ("POST", "review:bank", "/staff/claims/{approved_ref}/bank/"),
    ("GET", "review:receipt_page", "/staff/claims/{ref}/files/{file_id}/1/"),
    ("GET", "payouts:index", "/staff/payouts/"),
    ("POST", "payouts:build", "/staff/payouts/build/"),
    ("GET", "payouts:due", "/staff/payouts/due/"),
    ("GET", "payouts:batch", "/staff/payouts/batches/{batch}/"),
    ("POST", "payouts:approve", "/staff/payouts/batches/{batch}/approve/"),
    ("POST", "payouts:export", "/staff/payouts/batches/{batch}/export/"),
    ("GET", "payouts:file", "/staff/payouts/batches/{batch}/file/"),
    ("POST", "payouts:cancel", "/staff/payouts/batches/{batch}/cancel/"),
    ("GET", "payouts:import", "/staff/payouts/imports/"),
    ("GET", "payouts:import_detail", "/staff/payouts/imports/1/"),
    ("GET", "referrals:staff", "/r/staff/"),
    ("GET", "reports:dashboard", "/staff/reports/"),
    ("GET", "reports:dashboard", "/staff/reports/?campaign=camp-b"),
    ("GET", "reports:dashboard", "/staff/reports/?brand=brand-b"),
    ("GET", "reports:export", "/staff/reports/export/claims.csv"),
    ("GET", "reports:export", "/staff/reports/export/claims.csv?campaign=camp-b"),
    ("GET", "reports:export", "/staff/reports/export/liability.csv?brand=brand-b"),
    ("POST", "reports:weekly", "/staff/reports/weekly/"),
    ("GET", "editor:campaigns", "/staff/campaigns/"),
    ("GET", "editor:campaign", "/staff/campaigns/camp-b/"),
    ("POST", "editor:act", "/staff/campaigns/camp-b/end/"),
    ("GET", "privacy:staff_queue", "/privacy/staff/"),
    ("GET", "privacy:staff_request", "/privacy/staff/{privacy}/"),
    ("POST", "privacy:staff_request", "/privacy/staff/{privacy}/"),
    ("API-GET", "api-v1:claims_list", "/api/v1/staff/claims"),
    ("API-GET", "api-v1:claims_list", "/api/v1/staff/claims?status=approved"),
    ("API-GET", "api-v1:claims_get", "/api/v1/staff/claims/{ref}"),
    ("API-POST", "api-v1:claims_approve", "/api/v1/staff/claims/{ref}/approve"),
    ("API-POST", "api-v1:claims_reject", "/api/v1/staff/claims/{ref}/reject"),
    ("API-POST", "api-v1:claims_request_info", "/api/v1/staff/claims/{ref}/request-info"),
    ("API-POST", "api-v1:claims_void", "/api/v1/staff/claims/{ref}/void"),
    ("API-GET", "api-v1:summary", "/api/v1/staff/reports/summary"),
    ("API-GET", "api-v1:summary", "/api/v1/staff/reports/summary?campaign=camp-b"),
    ("API-GET", "api-v1:summary", "/api/v1/staff/reports/summary?brand=brand-b"),
]

ECHO = re.compile(r'<input[^>]*name="next"[^>]*>')

# Form data for the POSTs: every one aims at the other brand's rows.
POST_DATA: dict[str, dict[str, Any]] = {
    "review:bulk_start": {"action": "reject", "claims": "{claim_id}", "reason": "not_eligible"},
    "review:decide": {"reason": "not_eligible", "message": "x"},
    "review:note": {"body": "a note"},
    "payouts:build": {"currency": "NOK", "payer": "Rabatt NOK", "campaign": "camp-b"},
    "privacy:staff_request": {"decision": "erase", "note": "x"},
    "api-v1:claims_reject": {"reason": "not_eligible"},
    "api-v1:claims_request_info": {"reasons": ["receipt_unreadable"]},
}


def _staff_patterns() -> set[str]:
    names: set[str] = set()

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                route = prefix + str(p.pattern)
                if route.startswith(("staff/", "api/v1/staff/")) or "/staff/" in route:
                    names.add(namespace + p.name)

    walk(get_resolver(), "", "")
    return names


def test_every_staff_url_is_walked():
    assert _staff_patterns() == {name for _, name, _ in WALK}


@pytest.fixture
def world(smtp) -> dict[str, Any]:
    brand_create(slug="brand-a", name="Alpha Audio")
    brand_create(slug="brand-b", name="Beta Sound")
    camp_a = campaign_factory(slug="camp-a", brand="brand-a")
    camp_b = campaign_factory(slug="camp-b", brand="brand-b")
    a_claim = claim_factory(camp_a, email="a@example.no")
    b_claim = claim_factory(camp_b, email="b@example.no")
    a_paid = approved_claims(camp_a, 1)
    b_approved = approved_claims(camp_b, 2)
    payer("NOK")
    builder = staff_user("finance", "builder@rabatt.test")
    batch = payout_batch_build(actor=builder, currency="NOK", campaign=camp_b, limit=1)
    # A privacy request of a person whose only claim is the other brand's.
    claim_factory(camp_b, status="approved", email="ingrid.b@example.no")
    token = privacy_request_create(email="ingrid.b@example.no", kind="erasure")
    assert token
    privacy_request_confirm(token=token)
    privacy = PrivacyRequest.objects.get()
    return {
        "a_markers": [a_claim.reference, "camp-a"],
        # The slug as a value, a cell or in brackets: the URL's own ?campaign=camp-b is echoed.
        "b_markers": [b_claim.reference, b_approved[1].reference, '"camp-b"', ">camp-b<",
                      "(camp-b)", "Beta Sound",
                      f"/staff/payouts/batches/{batch.pk}/", f"/privacy/staff/{privacy.pk}/"],
        "ids": {"ref": b_claim.reference, "approved_ref": b_approved[1].reference,
                "claim_id": b_claim.pk, "file_id": b_claim.files.first().pk,
                "batch": batch.pk, "privacy": privacy.pk},
        "a_paid": a_paid,
        "b_claim": b_claim, "batch": batch, "privacy": privacy,
    }


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _walk(user: Any, ids: dict[str, Any]) -> list[tuple[str, int, str]]:
    client = verified_client(user)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)[1]}")
    seen = []
    for method, name, path in WALK:
        url = path.format(**ids)
        data = {k: _fill(v, ids) for k, v in POST_DATA.get(name, {}).items()}
        if method == "GET":
            response = client.get(url)
        elif method == "POST":
            response = client.post(url, data)
        elif method == "API-GET":
            response = api.get(url)
        else:
            response = api.post(url, data, content_type="application/json")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        # The language and cookie forms echo the page's own URL (the other brand's ids).
        text = ECHO.sub("", body.decode(errors="replace"))
        seen.append((url, response.status_code, text))
    return seen


@pytest.mark.parametrize("role", ROLES)
def test_staff_of_one_brand_see_nothing_of_another(world, role):
    user = staff_user(role, f"{role}-a@rabatt.test")
    staff_set_brands(user=user, brands=["brand-a"])
    b_status = Claim.objects.get(pk=world["b_claim"].pk).status
    b_ends = Campaign.objects.get(slug="camp-b").claims_end_before
    for url, status, body in _walk(user, world["ids"]):
        assert status != 500, url
        for marker in world["b_markers"]:
            assert marker not in body, (url, status, marker)
    # Nothing of the other brand changed either.
    assert Claim.objects.get(pk=world["b_claim"].pk).status == b_status
    assert Campaign.objects.get(slug="camp-b").claims_end_before == b_ends
    assert not world["b_claim"].notes.exists()
    batch = PaymentBatch.objects.get(pk=world["batch"].pk)
    assert (batch.status, batch.approved_by_id) == (world["batch"].status, None)
    assert PaymentBatch.objects.count() == 1
    privacy = PrivacyRequest.objects.get(pk=world["privacy"].pk)
    assert (privacy.status, privacy.handled_by_id) == (world["privacy"].status, None)


@pytest.mark.parametrize("role", ["agent", "finance", "campaign_manager", "privacy_officer"])
def test_the_operators_staff_see_every_brand(world, role):
    """The control: the same walk shows the other brand's rows to staff of every brand."""
    user = staff_user(role, f"{role}-all@rabatt.test")
    pages = {url: body for url, status, body in _walk(user, world["ids"]) if status == 200}
    found = {m for m in world["b_markers"] if any(m in body for body in pages.values())}
    expected = {
        "agent": {world["ids"]["ref"], '"camp-b"'},
        "finance": {'"camp-b"', f"/staff/payouts/batches/{world['batch'].pk}/"},
        "campaign_manager": {"(camp-b)"},
        "privacy_officer": {f"/privacy/staff/{world['privacy'].pk}/"},
    }[role]
    assert expected <= found, (role, found)


def test_staff_of_a_brand_see_their_own_brand(world):
    user = staff_user("supervisor", "sup-a@rabatt.test")
    staff_set_brands(user=user, brands=["brand-a"])
    queue = verified_client(user).get("/staff/queue/").content.decode()
    for marker in world["a_markers"]:
        assert marker in queue
