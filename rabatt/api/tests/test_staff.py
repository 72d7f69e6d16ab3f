"""The staff API: bearer tokens, roles, the same decisions and four-eyes rules as the desk."""

from __future__ import annotations

import pytest

from rabatt.accounts.services import token_create, token_revoke
from rabatt.claims.models import ClaimStatus
from rabatt.claims.tests.factories import claim_factory
from rabatt.review.models import AccessLog, Assignment

pytestmark = pytest.mark.django_db
BASE = "/api/v1/staff"


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user)[1]}"}


def test_no_invalid_or_revoked_token_is_401(client, agent):
    assert client.get(f"{BASE}/claims").status_code == 401
    assert client.get(f"{BASE}/claims", HTTP_AUTHORIZATION="Bearer rbt_nope").json() == {
        "code": "unauthorized", "message": "A valid API key is required."}
    row, plain = token_create(user=agent)
    token_revoke(prefix=row.prefix)
    assert client.get(f"{BASE}/claims", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 401


def test_list_filter_and_pages(client, campaign, agent):
    claims = [claim_factory(campaign) for _ in range(3)]
    auth = bearer(agent)
    body = client.get(f"{BASE}/claims?limit=2", **auth).json()
    assert [i["reference"] for i in body["items"]] == [c.reference for c in claims[:2]]
    rest = client.get(f"{BASE}/claims?limit=2&after={body['next']}", **auth).json()
    assert [i["reference"] for i in rest["items"]] == [claims[2].reference]
    assert rest["next"] is None
    assert client.get(f"{BASE}/claims?country=SE", **auth).json()["items"] == []
    assert client.get(f"{BASE}/claims?status=approved", **auth).json()["items"] == []
    assert client.get(f"{BASE}/claims?status=bogus", **auth).status_code == 422
    assert client.get(f"{BASE}/claims?after=xx", **auth).json()["code"] == "invalid_cursor"


def test_get_one_is_audited_and_masks_the_bank(client, campaign, agent):
    claim = claim_factory(campaign)
    body = client.get(f"{BASE}/claims/{claim.reference}", **bearer(agent)).json()
    assert body["reference"] == claim.reference
    assert body["bank_masked"].startswith("NO93")
    assert [e["kind"] for e in body["events"]] == ["submitted"]
    assert list(AccessLog.objects.values_list("actor", "what", "via")) == [
        (agent.pk, "claim", "api")]
    assert client.get(f"{BASE}/claims/RB-NONE-NONE", **bearer(agent)).status_code == 404


def test_get_one_shows_the_receipt_reading(client, campaign, agent):
    claim = claim_factory(campaign)
    body = client.get(f"{BASE}/claims/{claim.reference}", **bearer(agent)).json()
    assert body["decided_automatically"] is False
    [file] = body["files"]
    assert file["id"] == str(claim.files.get().pk)
    assert (file["content_type"], file["pages"]) == ("image/jpeg", 1)
    # Read after the submission commits (a background task); inside this test it has not.
    assert (file["reading_status"], file["extraction"]) == ("pending", {})
    assert set(file["readability"]) == {"score", "blurry", "low_contrast", "sharpness",
                                        "contrast"}
    assert body["signals"]["receipts"] == {"status": "reading", "files": 1, "read": 0,
                                           "checked_at": None}


def test_decisions_and_four_eyes(client, campaign, agent, agent2):
    big = claim_factory(campaign, price="9990.00")
    first = client.post(f"{BASE}/claims/{big.reference}/approve", {},
                        content_type="application/json", **bearer(agent))
    assert (first.status_code, first.json()) == (202, {"reference": big.reference,
                                                       "status": "pending_second_approval"})
    again = client.post(f"{BASE}/claims/{big.reference}/approve", {},
                        content_type="application/json", **bearer(agent))
    assert (again.status_code, again.json()["code"]) == (409, "second_approver_required")
    second = client.post(f"{BASE}/claims/{big.reference}/approve", {"message": "ok"},
                         content_type="application/json", **bearer(agent2))
    assert (second.status_code, second.json()["status"]) == (200, "approved")

    small = claim_factory(campaign)
    info = client.post(f"{BASE}/claims/{small.reference}/request-info",
                       {"reasons": ["receipt_unreadable"], "message": "Please"},
                       content_type="application/json", **bearer(agent))
    assert info.json() == {"reference": small.reference, "status": "info_requested"}
    bad = client.post(f"{BASE}/claims/{small.reference}/request-info", {"reasons": ["nope"]},
                      content_type="application/json", **bearer(agent))
    assert bad.status_code == 422
    rejected = client.post(f"{BASE}/claims/{small.reference}/reject", {"reason": "fraud"},
                           content_type="application/json", **bearer(agent))
    assert rejected.json()["status"] == "rejected"


def test_refusals_change_nothing(client, campaign, agent, finance):
    claim = claim_factory(campaign)
    before = (claim.status, claim.events.count())
    for path, body, user, status, code in [
        ("approve", {}, finance, 403, "permission_denied"),
        ("void", {}, agent, 403, "permission_denied"),
        ("void", {}, finance, 409, "invalid_transition"),
        ("reject", {"reason": ""}, agent, 422, "invalid_input"),
    ]:
        response = client.post(f"{BASE}/claims/{claim.reference}/{path}", body,
                               content_type="application/json", **bearer(user))
        assert (response.status_code, response.json()["code"]) == (status, code), path
        claim.refresh_from_db()
        assert (claim.status, claim.events.count()) == before
        assert not Assignment.objects.filter(claim=claim).exists()
    assert claim.status == ClaimStatus.SUBMITTED


def test_openapi_documents_the_staff_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/v1/staff/claims", "/api/v1/staff/claims/{reference}",
                 "/api/v1/staff/claims/{reference}/approve",
                 "/api/v1/staff/claims/{reference}/reject",
                 "/api/v1/staff/claims/{reference}/request-info",
                 "/api/v1/staff/claims/{reference}/void"):
        assert path in paths
    approve = paths["/api/v1/staff/claims/{reference}/approve"]["post"]
    assert {"200", "202", "401", "403", "404", "409", "422"} <= set(approve["responses"])
    assert approve["security"] == [{"StaffToken": []}]


@pytest.mark.parametrize("body", ["[null, null]", "[]", "null", "\"approve\"", "{nope",
                                  "{\"message\": null}", "{\"message\": 5}"])
def test_approve_refuses_bodies_that_are_not_a_decision(client, campaign, agent, body):
    claim = claim_factory(campaign)
    response = client.post(f"{BASE}/claims/{claim.reference}/approve", body,
                           content_type="application/json", **bearer(agent))
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_input"
    claim.refresh_from_db()
    assert claim.status != ClaimStatus.APPROVED
