"""``rabatt payouts ...`` end to end: payer, batch, approve, export, import, alert."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from rabatt.claims.models import Claim, ClaimStatus
from rabatt.payouts.models import PayerAccount, PaymentBatch
from rabatt.payouts.tests.factories import approved_claims, pain002
from rabatt.payouts.tests.test_iso20022 import assert_valid

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("payouts", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_the_whole_flow_from_the_command_line(campaign, finance, finance2, tmp_path):
    run("payer", "add", "Rabatt NOK", "--iban", "NO9386011117947", "--bic", "DNBANOKK",
        "--country", "NO", "--currency", "NOK")
    assert PayerAccount.objects.get().currencies == ["NOK"]
    assert "Rabatt NOK" in run("payer", "list")
    claims = approved_claims(campaign, 3)
    with pytest.raises(CommandError, match="--as EMAIL is required"):
        run("batch", "--currency", "NOK")
    batch_id = run("batch", "--currency", "NOK", "--limit", "2", "--campaign", campaign.slug,
                   "--payer", "Rabatt NOK", "--as", "finance@rabatt.test").strip()
    batch = PaymentBatch.objects.get(pk=int(batch_id))
    assert batch.count == 2
    with pytest.raises(CommandError, match="someone other than"):
        run("approve", batch_id, "--as", "finance@rabatt.test")
    assert "Approved" in run("approve", batch_id, "--as", "finance2@rabatt.test")
    out = tmp_path / "batch.xml"
    run("export", batch_id, "--format", "pain.001.001.09", "--out", str(out))
    first = out.read_bytes()
    assert_valid(first, "pain.001.001.09")
    # Again, without a person (a scheduled job): the same file.
    run("export", batch_id, "--out", str(out))
    assert out.read_bytes() == first
    with pytest.raises(CommandError, match="second file"):
        run("export", batch_id, "--format", "pain.001.001.03", "--out", str(tmp_path / "b"))
    batch.refresh_from_db()
    ids = list(batch.payments.order_by("pk").values_list("end_to_end_id", flat=True))
    report = tmp_path / "status.xml"
    report.write_bytes(pain002("BANK-1", str(batch.message_id),
                               {ids[0]: ("ACSC", None), ids[1]: ("RJCT", "AC04"),
                                "RB-NOPE-NOPE-1": ("ACSC", None)}))
    text = run("import", str(report))
    assert "1 paid, 1 failed, 0 pending, 0 unchanged, 1 unmatched" in text
    assert "unmatched: RB-NOPE-NOPE-1" in text
    again = run("import", str(report), "--as", "finance@rabatt.test")
    assert again.startswith("Already imported")
    assert [Claim.objects.get(pk=c.pk).status for c in claims] == [
        ClaimStatus.PAID, ClaimStatus.PAYMENT_FAILED, ClaimStatus.APPROVED]


def test_alert_due_command(campaign, finance):
    approved_claims(campaign, 2)
    assert run("alert-due") == "Alerted finance about 2 claim(s).\n"
    assert run("alert-due") == "Nothing new to alert about.\n"


def test_refusals_are_clear(campaign, finance, agent):
    with pytest.raises(CommandError, match="No user"):
        run("batch", "--currency", "NOK", "--as", "nobody@rabatt.test")
    with pytest.raises(CommandError, match="permission_denied"):
        run("batch", "--currency", "NOK", "--as", "agent@rabatt.test")
    with pytest.raises(CommandError, match="payer_invalid"):
        run("payer", "add", "X", "--iban", "NO9386011117948", "--country", "NO",
            "--currency", "NOK")
    assert PaymentBatch.objects.count() == 0
