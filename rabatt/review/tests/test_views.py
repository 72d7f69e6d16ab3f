"""Desk pages: 2FA everywhere, queue filters and keyset pages, claim page, decisions, files."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from rabatt.claims.models import Claim, ClaimStatus
from rabatt.claims.tests.factories import claim_factory
from rabatt.review import selectors
from rabatt.review.models import AccessLog, ApprovalRequest, BulkJob, Note
from rabatt.review.tests.factories import SUBMITTED_AT, verified_client

pytestmark = pytest.mark.django_db


def test_no_desk_page_without_the_second_factor(campaign, agent):
    claim = claim_factory(campaign)
    half = Client()
    half.force_login(agent)  # password only
    for url in ("/staff/", f"/staff/claims/{claim.reference}/",
                f"/staff/claims/{claim.reference}/bank/",
                f"/staff/claims/{claim.reference}/files/{claim.files.get().pk}/1/"):
        for client in (Client(), half):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/?next=")
    assert not AccessLog.objects.exists()
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.SUBMITTED


def test_queue_filters_and_keyset_pages(campaign, agent, django_assert_max_num_queries):
    claims = [claim_factory(campaign, submitted_at=SUBMITTED_AT + timedelta(minutes=i))
              for i in range(5)]
    risky = claim_factory(campaign, holder="Per Hansen",
                          submitted_at=SUBMITTED_AT + timedelta(minutes=10))
    client = verified_client(agent)
    # 16, the brands the agent serves, and one cache read for the counts and their generation;
    # the database cache used in tests spends one more query on a write when earlier tests left
    # rows in it.
    with django_assert_max_num_queries(18):
        response = client.get("/staff/")
    assert response.status_code == 200
    assert [c.reference for c in response.context["page"].rows] == [
        c.reference for c in [*claims, risky]]
    page = client.get("/staff/?risk=on").context["page"]
    assert [c.reference for c in page.rows] == [risky.reference]
    assert client.get("/staff/?country=SE").context["page"].rows == []
    # Three per page, then the rest after the cursor.

    first = selectors.queue_page(actor=agent, filters=selectors.QueueFilters(), limit=3)
    second = selectors.queue_page(actor=agent, filters=selectors.QueueFilters(),
                                  after=first.next_cursor, limit=3)
    assert [c.pk for c in first.rows + second.rows] == [c.pk for c in [*claims, risky]]
    assert second.next_cursor is None
    assert client.get("/staff/?after=garbage").status_code == 422
    counts = response.context["counts"]
    assert ("submitted", "Submitted", 6) in [(s, str(label), n) for s, label, n in counts]


def test_claim_page_holds_the_claim_and_audits_the_view(campaign, agent, agent2):
    claim = claim_factory(campaign, price="9990.00")
    response = verified_client(agent).get(f"/staff/claims/{claim.reference}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "NO93" in body
    assert "8601 1117" not in body
    assert 'data-key="a"' in body
    assert "Approve (first of two)" in body
    assert response["Cache-Control"] == "private, no-store"
    assert AccessLog.objects.filter(actor=agent, what="claim").count() == 1
    other = verified_client(agent2).get(f"/staff/claims/{claim.reference}/").content.decode()
    assert "agent@rabatt.test is reviewing this claim" in other
    assert 'data-key="a"' not in other


def test_receipt_file_view_headers(campaign, agent):
    claim = claim_factory(campaign)
    response = verified_client(agent).get(
        f"/staff/claims/{claim.reference}/files/{claim.files.get().pk}/1/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_decisions_through_the_pages(campaign, agent, agent2):
    claim = claim_factory(campaign, price="9990.00")
    first = verified_client(agent)
    first.get(f"/staff/claims/{claim.reference}/")
    response = first.post(f"/staff/claims/{claim.reference}/decide/approve/", {"message": ""})
    assert response.status_code == 302
    assert ApprovalRequest.objects.get(claim=claim).status == "pending"
    second = verified_client(agent2)
    page = second.get(f"/staff/claims/{claim.reference}/").content.decode()
    assert "waiting for a second approver" in page
    second.post(f"/staff/claims/{claim.reference}/decide/approve/", {})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED


def test_request_info_and_reject_through_the_pages(campaign, agent):
    client = verified_client(agent)
    claim = claim_factory(campaign)
    client.post(f"/staff/claims/{claim.reference}/decide/request-info/",
                {"reasons": ["receipt_unreadable", "proof_of_identity"], "message": "Hei"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.INFO_REQUESTED
    event = claim.events.last()
    assert event is not None
    assert (event.reasons, event.message, event.actor) == (
        ["receipt_unreadable", "proof_of_identity"], "Hei", agent)
    other = claim_factory(campaign)
    response = client.post(f"/staff/claims/{other.reference}/decide/reject/", {"reason": ""})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == ClaimStatus.SUBMITTED


def test_agent_is_refused_finance_pages_and_void(campaign, agent, finance):
    claim = claim_factory(campaign)
    client = verified_client(agent)
    assert client.get(f"/staff/claims/{claim.reference}/bank/").status_code == 403
    assert client.post(f"/staff/claims/{claim.reference}/bank/").status_code == 403
    response = client.post(f"/staff/claims/{claim.reference}/decide/void/", {})
    assert response.status_code == 403
    assert not AccessLog.objects.filter(what="bank_full").exists()
    shown = verified_client(finance).post(f"/staff/claims/{claim.reference}/bank/")
    assert "NO9386011117947" in shown.content.decode().replace(" ", "")
    assert AccessLog.objects.filter(actor=finance, what="bank_full").count() == 1


def test_notes_and_bulk_pages(campaign, agent, supervisor, django_capture_on_commit_callbacks):
    claims = [claim_factory(campaign) for _ in range(2)]
    verified_client(agent).post(f"/staff/claims/{claims[0].reference}/notes/",
                                {"body": "Looks fine"})
    assert Note.objects.get().body == "Looks fine"
    client = verified_client(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/staff/bulk/", {"action": "reject", "reason": "duplicate",
                                                "claims": [c.pk for c in claims]})
    job = BulkJob.objects.get()
    assert response["Location"] == f"/staff/bulk/{job.pk}/"
    assert client.get(f"/staff/bulk/{job.pk}/?format=json").json() == {
        "status": "done", "total": 2, "done": 2, "failed": 0}
    assert set(Claim.objects.values_list("status", flat=True)) == {"rejected"}
    assert verified_client(agent).post("/staff/bulk/", {
        "action": "reject", "reason": "x", "claims": [claims[0].pk]}).status_code == 403


def test_queue_shows_amounts_with_their_currency(campaign, agent):
    claim_factory(campaign)
    html = verified_client(agent).get("/staff/queue/").content.decode()
    assert '<td class="num">NOK\u00a0748.50</td>' in html


def test_counts_follow_your_own_decision_and_campaign_names_are_told_apart(campaign, agent):
    from rabatt.campaigns.tests.factories import campaign_factory

    campaign_factory(slug="sonos-summer-live")  # the same name as the example
    claim = claim_factory(campaign)
    client = verified_client(agent)
    page = client.get("/staff/").content.decode()
    assert '<option value="sonos-summer-2019">Sonos summer cashback 2019 (sonos-summer-2019)' \
        in page
    assert '<option value="sonos-summer-live">Sonos summer cashback 2019 (sonos-summer-live)' \
        in page
    assert "<span>Approved</span> <strong>0</strong>" in page
    client.get(f"/staff/claims/{claim.reference}/")
    client.post(f"/staff/claims/{claim.reference}/decide/approve/", {"message": ""})
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.APPROVED
    page = client.get("/staff/").content.decode()
    assert "<span>Approved</span> <strong>1</strong>" in page


def test_queue_counts_are_kept_until_forgotten(campaign, agent):

    selectors.queue_counts_forget()  # nothing an earlier test counted
    claim_factory(campaign)
    assert selectors.queue_counts(actor=agent)["submitted"] == 1
    claim_factory(campaign)
    # Kept for a minute: a second claim is not counted yet ...
    assert selectors.queue_counts(actor=agent)["submitted"] == 1
    # ... until a decision forgets every kept count, in one read of the cache.
    selectors.queue_counts_forget()
    assert selectors.queue_counts(actor=agent)["submitted"] == 2


def test_the_queue_exports_as_csv_and_xlsx_with_its_filters(campaign, agent):
    import csv
    import io

    from openpyxl import load_workbook

    plain = claim_factory(campaign, submitted_at=SUBMITTED_AT)
    risky = claim_factory(campaign, holder="Per Hansen",
                          submitted_at=SUBMITTED_AT + timedelta(minutes=1))
    client = verified_client(agent)
    response = client.get("/staff/queue/export.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="rabatt-queue-')
    # A byte-order mark first, so that Excel reads the file as UTF-8.
    table = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert table[0] == list(selectors.QUEUE_EXPORT_HEADER)
    assert [row[0] for row in table[1:]] == [plain.reference, risky.reference]
    assert [row[2] for row in table[1:]] == ["submitted", "submitted"]
    assert table[1][-1] == ""
    assert table[2][-1] == "bank_holder_mismatch"
    # No personal data: neither the consumer's name nor the account holder's.
    assert "Kari" not in str(table)
    assert "Hansen" not in str(table)
    # The page's filters apply, and the XLSX holds the same rows.
    only_risky = client.get("/staff/queue/export.xlsx?risk=on")
    assert only_risky.status_code == 200
    sheet = load_workbook(io.BytesIO(only_risky.getvalue())).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [risky.reference]
    assert client.get("/staff/queue/export.pdf").status_code == 404
    assert b"export.csv" in client.get("/staff/queue/").content
