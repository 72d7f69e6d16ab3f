"""The finance pages: build, approve by a second user, download, import, due lists."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rabatt.claims.models import Claim, ClaimStatus
from rabatt.payouts.models import BatchStatus, PaymentBatch
from rabatt.payouts.tests.factories import approved_claims, pain002, payer
from rabatt.payouts.tests.test_iso20022 import assert_valid
from rabatt.privacy.models import AuditEntry
from rabatt.review.tests.factories import verified_client

pytestmark = pytest.mark.django_db


def test_finance_pages_end_to_end(campaign, finance, finance2):
    payer()
    claims = approved_claims(campaign, 3)
    builder, approver = verified_client(finance), verified_client(finance2)
    page = builder.get("/staff/payouts/")
    assert page.status_code == 200
    assert b"3 late" not in page.content  # the count is in <strong>
    assert b"Build a batch" in page.content
    response = builder.post("/staff/payouts/build/", {"currency": "NOK", "limit": "2"})
    batch = PaymentBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/{batch.pk}/")
    page = builder.get(f"/staff/payouts/batches/{batch.pk}/")
    assert b"Another finance user must approve this batch." in page.content
    # Creditor accounts masked (the full one shown is our own paying account's).
    # Two payment rows, and once in the warning: both claims are paid to that one account.
    assert page.content.count(b"NO93 **** ***7947") == 3
    assert page.content.count(b"NO9386011117947") == 1
    refused = builder.post(f"/staff/payouts/batches/{batch.pk}/approve/")
    assert refused.status_code == 403
    batch.refresh_from_db()
    assert batch.status == BatchStatus.BUILT
    assert b"Approve batch" in approver.get(f"/staff/payouts/batches/{batch.pk}/").content
    approver.post(f"/staff/payouts/batches/{batch.pk}/approve/")
    builder.post(f"/staff/payouts/batches/{batch.pk}/export/", {"version": "pain.001.001.03"})
    batch.refresh_from_db()
    assert (batch.status, batch.file_version) == (BatchStatus.EXPORTED, "pain.001.001.03")
    download = approver.get(f"/staff/payouts/batches/{batch.pk}/file/")
    xml = download.getvalue()
    assert_valid(xml, "pain.001.001.03")
    assert download["X-Content-SHA256"] == batch.file_sha256
    assert AuditEntry.objects.filter(action="payout_file_read", actor_id=finance2.pk).count() == 1
    ids = list(batch.payments.order_by("pk").values_list("end_to_end_id", flat=True))
    upload = SimpleUploadedFile("status.xml", pain002(
        "BANK-1", str(batch.message_id), {ids[0]: ("ACSC", None), ids[1]: ("ACSC", None)}))
    response = builder.post("/staff/payouts/imports/", {"file": upload})
    assert response.status_code == 302
    detail = builder.get(response["Location"])
    assert b"BANK-1" in detail.content
    assert [Claim.objects.get(pk=c.pk).status for c in claims] == [
        ClaimStatus.PAID, ClaimStatus.PAID, ClaimStatus.APPROVED]
    due = builder.get("/staff/payouts/due/")
    assert claims[2].reference.encode() in due.content
    assert claims[0].reference.encode() not in due.content


def test_agents_and_anonymous_users_are_kept_out(campaign, agent, client):
    payer()
    assert client.get("/staff/payouts/").status_code == 302  # to the login
    staff = verified_client(agent)
    for url in ("/staff/payouts/", "/staff/payouts/due/", "/staff/payouts/imports/"):
        assert staff.get(url).status_code == 403
    approved_claims(campaign, 1)
    assert staff.post("/staff/payouts/build/", {"currency": "NOK"}).status_code == 403
    assert PaymentBatch.objects.count() == 0


def test_the_batch_page_offers_what_the_table_allows(campaign, finance, finance2):
    from rabatt.payouts.services import payout_batch_approve, payout_batch_build

    payer()
    approved_claims(campaign, 1)
    batch = payout_batch_build(actor=finance, currency="NOK")
    page = verified_client(finance).get(f"/staff/payouts/batches/{batch.pk}/").content
    assert (b"Produce bank file" in page, b"Cancel batch" in page) == (False, True)
    payout_batch_approve(batch_id=batch.pk, actor=finance2)
    page = verified_client(finance).get(f"/staff/payouts/batches/{batch.pk}/").content
    assert b"Approve batch" not in page
    assert b"must approve" not in page
    assert (b"Produce bank file" in page, b"Cancel batch" in page) == (True, True)
