"""Distribution: import, one code per address, throttled sending, bounces, unsubscribe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from rabatt.codes.alphabet import display
from rabatt.codes.models import Code, CodeEvent, Recipient, RecipientStatus
from rabatt.codes.services import suppression_add
from rabatt.notifications.models import OutboundEmail, Suppression
from rabatt.notifications.services import MAX_ATTEMPTS, email_send

# The outbox sends once the queuing transaction commits, as in production.
pytestmark = pytest.mark.django_db(transaction=True)
# Tasks are recorded, not run: the e-mails stay queued until a test sends them.
QUIET_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend",
                           "QUEUES": ["default", "email", "receipts"]}}

CSV = ("email,name,locale\nkari@example.no,Kari,nb\nola@example.no,Ola,en-GB\n"
       "KARI@example.no,K,nb\nnot-an-address,X,en\n")

DSN = b"""From: MAILER-DAEMON@mx.example.net
To: no-reply@rabatt.invalid
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

The mail could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; ola@example.no
Action: failed
Status: 5.1.1

Final-Recipient: rfc822; temp@example.no
Action: delayed
Status: 4.2.2
--B--
"""


@pytest.fixture
def recipients_csv(tmp_path: Path) -> Path:
    path = tmp_path / "list.csv"
    path.write_text(CSV)
    return path


def distribute(path: Path, *args: str) -> None:
    call_command("codes", "distribute", "sonos-summer-2019", str(path), "--rate", "1000/s",
                 *args)


def test_each_address_gets_one_code_once(campaign, recipients_csv):
    distribute(recipients_csv, "--channel", "direct")
    assert Recipient.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["kari@example.no", "ola@example.no"]
    kari = Recipient.objects.get(email_normalised="kari@example.no")
    assert kari.status == RecipientStatus.SENT
    assert kari.code is not None
    assert kari.code.channel == "direct"
    message = next(m for m in mail.outbox if m.to == ["kari@example.no"])
    assert display(kari.code.code) in message.body
    assert "Hei Kari" in message.body  # the recipient's language
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    # Twice: nobody is e-mailed again, nobody gets a second code.
    distribute(recipients_csv, "--channel", "direct")
    assert len(mail.outbox) == 2
    assert Code.objects.count() == 2
    assert CodeEvent.objects.filter(kind="sent").count() == 2


def test_bounced_and_unsubscribed_are_not_emailed(campaign, recipients_csv, tmp_path):
    dsn = tmp_path / "bounce.eml"
    dsn.write_bytes(DSN)
    plain = tmp_path / "bounces.txt"
    plain.write_text("# from the provider\nKari@Example.no\n")
    call_command("codes", "bounces", str(dsn), str(plain))
    assert set(Suppression.objects.values_list("email_normalised", flat=True)) == {
        "ola@example.no", "kari@example.no"}
    distribute(recipients_csv)
    assert len(mail.outbox) == 0
    assert set(Recipient.objects.values_list("status", flat=True)) == {"suppressed"}


def test_one_click_unsubscribe(campaign, recipients_csv):
    distribute(recipients_csv)
    header = next(m for m in mail.outbox if m.to == ["ola@example.no"]).extra_headers[
        "List-Unsubscribe"]
    path = header.strip("<>").split("8000", 1)[1]
    assert Client().get(path).status_code == 200  # a page with a button, changes nothing
    assert not Suppression.objects.exists()
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert Suppression.objects.get().email_normalised == "ola@example.no"
    assert Client().post(path[:-3] + "xx/").status_code == 404
    assert not suppression_add(email="OLA@example.no", reason="bounced")


def test_distribute_refuses_bad_input(campaign, tmp_path):
    with pytest.raises(CommandError):
        distribute(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("mail,name\nx@example.no,X\n")
    distribute(bad)
    assert not Recipient.objects.exists()
    with pytest.raises(CommandError):
        call_command("codes", "distribute", "sonos-summer-2019", str(bad), "--rate", "0")


def test_report(campaign, recipients_csv, capsys):
    distribute(recipients_csv, "--channel", "direct")
    capsys.readouterr()
    call_command("codes", "report", "sonos-summer-2019", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["codes"] == {"direct": {"issued": 2, "available": 2, "used": 0, "void": 0}}
    assert data["distribution"]["sent"] == 2
    assert data["referrals"]["links"] == 0
    call_command("codes", "report", "sonos-summer-2019")
    assert "discount given" in capsys.readouterr().out


def test_the_command_counts_what_the_outbox_did(campaign, recipients_csv, capsys):
    distribute(recipients_csv)
    assert capsys.readouterr().out.strip() == "sent 2"
    distribute(recipients_csv)
    assert capsys.readouterr().out.strip() == "nothing to send"


def test_a_failed_email_is_queued_again_by_the_next_run(campaign, recipients_csv, smtp,
                                                         capsys):
    with override_settings(TASKS=QUIET_TASKS):  # queued, not sent
        distribute(recipients_csv)
    assert capsys.readouterr().out.strip() == "queued 2"
    assert set(Recipient.objects.values_list("status", flat=True)) == {"sending"}
    kari = Recipient.objects.get(email_normalised="kari@example.no")
    row = OutboundEmail.objects.get(dedup_key=f"codes-recipient:{kari.pk}:1")
    assert (row.marketing, row.on_result, row.hook_args) == (
        True, "codes.recipient_emailed", {"recipient_id": kari.pk})
    # The last attempt the outbox makes fails: the recipient hears of it.
    OutboundEmail.objects.filter(pk=row.pk).update(attempts=MAX_ATTEMPTS - 1)
    smtp.refuse = True
    assert email_send(email_id=row.pk) == "failed"
    kari.refresh_from_db()
    assert kari.status == RecipientStatus.FAILED
    assert "451" in kari.last_error
    assert CodeEvent.objects.get(kind="send_failed").data == {"error": "SMTPDataError"}
    # The next run queues a new e-mail for the failed one only (Ola's is still queued).
    smtp.refuse = False
    distribute(recipients_csv)
    assert capsys.readouterr().out.strip() == "sent 1"
    kari.refresh_from_db()
    assert (kari.status, kari.attempts) == (RecipientStatus.SENT, 2)
    assert [m["To"].addresses[0].addr_spec for m in smtp.messages] == ["kari@example.no"]


def test_an_address_suppressed_while_queued_is_not_emailed(campaign, recipients_csv):
    with override_settings(TASKS=QUIET_TASKS):
        distribute(recipients_csv)
    suppression_add(email="Ola@Example.no", reason="bounced", detail="DSN 5.1.1")
    ola = Recipient.objects.get(email_normalised="ola@example.no")
    assert ola.status == RecipientStatus.SUPPRESSED
    assert CodeEvent.objects.get(recipient=ola, kind="bounced").data == {"detail": "DSN 5.1.1"}
    row = OutboundEmail.objects.get(dedup_key=f"codes-recipient:{ola.pk}:1")
    assert row.status == "suppressed"
    assert email_send(email_id=row.pk) == "skipped"
    assert Recipient.objects.get(email_normalised="kari@example.no").status == "sending"
