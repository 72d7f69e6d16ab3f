import pytest
from django.core.cache import cache

from rabatt.claims.models import Claim
from rabatt.claims.tests.factories import claim_factory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def claim(client, campaign, during_campaign) -> Claim:
    cache.clear()
    return claim_factory(campaign)


def track(client, reference, email, **extra):
    return client.post("/api/v1/claims/track", {"reference": reference, "email": email},
                       content_type="application/json", **extra)


def test_tracker_answers_with_status_history_and_next_step(client, claim):
    response = track(client, claim.reference.lower().replace("-", " "), "KARI@Example.no")
    assert response.status_code == 200
    data = response.json()
    assert (data["reference"], data["status"], data["amount"], data["currency"]) == (
        claim.reference, "submitted", "748.50", "NOK")
    assert [h["status"] for h in data["history"]] == ["submitted"]
    assert data["next_step"]["code"] == "wait"
    assert data["decided_automatically"] is False


def test_unknown_reference_and_wrong_email_get_the_same_404(client, claim):
    unknown = track(client, "RB-0000-0000", "kari@example.no")
    wrong = track(client, claim.reference, "someone@example.no")
    assert unknown.status_code == wrong.status_code == 404
    assert unknown.json() == wrong.json()


def test_tracker_is_rate_limited(client, claim):
    statuses = [track(client, claim.reference, f"guess{i}@example.no").status_code
                for i in range(12)]
    assert statuses[:10] == [404] * 10
    assert statuses[10:] == [429, 429]
    assert track(client, claim.reference, "kari@example.no").status_code == 429


def test_tracker_limit_counts_every_spelling_of_a_reference(client, claim):
    body = claim.reference.replace("RB-", "").replace("-", "")
    spellings = [claim.reference, claim.reference.lower(), body, body.lower(),
                 f"rb {body[:4]} {body[4:]}", f"RB-{body[:4]}-{body[4:]}".lower(), f" {body} ",
                 f"Rb.{body}", f"{body[:4]}/{body[4:]}", f"rb_{body}"]
    # Ten spellings, each from its own address: the per-address limit never applies.
    statuses = [track(client, s, f"guess{i}@example.no", REMOTE_ADDR=f"10.9.0.{i}").status_code
                for i, s in enumerate(spellings)]
    assert statuses == [404] * 10
    assert track(client, f"rb:{body}", "kari@example.no", REMOTE_ADDR="10.9.1.1").status_code \
        == 429
    page = client.post("/track/", {"reference": body.lower(), "email": "kari@example.no"},
                       REMOTE_ADDR="10.9.1.2")
    assert page.status_code == 429


def test_tracker_page(client, claim):
    page = client.post("/track/", {"reference": claim.reference, "email": "kari@example.no"})
    assert page.status_code == 200
    assert claim.reference in page.content.decode()
