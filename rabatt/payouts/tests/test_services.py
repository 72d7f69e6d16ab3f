"""Payout services against a real database: batches, four eyes, bank files, imports, alerts."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from lxml import etree

from rabatt.banking import BankDetailsError
from rabatt.claims.models import BankDetails, Claim, ClaimEvent, ClaimStatus, InfoRequestToken
from rabatt.claims.services import BankIn, claim_answer_info, claim_bank_update
from rabatt.core.errors import Conflict, DomainError, PermissionDenied
from rabatt.core.tokens import token_hash
from rabatt.payouts import sealing, services
from rabatt.payouts.models import (
    BatchStatus,
    DueAlert,
    ImportLog,
    Payment,
    PaymentBatch,
    PaymentStatus,
    PayoutEvent,
)
from rabatt.payouts.tests.factories import ACCOUNTS, approved_claims, camt054, pain002, payer
from rabatt.payouts.tests.test_iso20022 import assert_valid
from rabatt.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def build(actor, currency="NOK", **kw):
    return services.payout_batch_build(actor=actor, currency=currency, **kw)


def exported(finance, finance2, currency="NOK", version=None, **kw):
    batch = build(finance, currency, **kw)
    services.payout_batch_approve(batch_id=batch.pk, actor=finance2)
    return services.payout_batch_export(batch_id=batch.pk, actor=finance, version=version)


def file_bytes(batch, actor=None) -> bytes:
    _, chunks = services.bank_file_read(batch_id=batch.pk, actor=actor, via="test")
    return b"".join(chunks)


def state(*claims):
    """Everything a refused action must leave alone."""
    return (
        list(PaymentBatch.objects.order_by("pk").values_list(
            "pk", "status", "approved_by", "count", "file_sha256")),
        list(Payment.objects.order_by("pk").values_list("pk", "status", "claim_id")),
        PayoutEvent.objects.count(),
        [Claim.objects.get(pk=c.pk).status for c in claims],
    )


# Building ------------------------------------------------------------------------------------


def test_batch_takes_the_oldest_due_first_up_to_the_limit(campaign, finance):
    payer()
    claims = approved_claims(campaign, 5)
    # The last one approved first: it is due first.
    first_due = claims[0].payment_due_at
    assert first_due is not None
    Claim.objects.filter(pk=claims[4].pk).update(payment_due_at=first_due - timedelta(days=1))
    batch = build(finance, limit=3)
    picked = list(batch.payments.order_by("pk").values_list("claim_id", flat=True))
    assert picked == [claims[4].pk, claims[0].pk, claims[1].pk]
    assert (batch.status, batch.count, batch.total) == (
        BatchStatus.BUILT, 3, Decimal("2245.50"))
    assert batch.message_id == f"RABATT-{batch.built_at:%Y%m%d}-{batch.pk}"
    ids = list(batch.payments.order_by("pk").values_list("end_to_end_id", flat=True))
    refs = {c.pk: c.reference for c in claims}
    assert ids == [f"{refs[pk]}-{batch.pk}" for pk in picked]
    assert all(len(i) <= 35 for i in ids)
    event = PayoutEvent.objects.get(batch=batch)
    assert (event.kind, event.actor, event.data["count"]) == ("built", finance, 3)
    # The rest go in the next batch; nothing is ever taken twice.
    second = build(finance)
    assert second.count == 2
    with pytest.raises(Conflict) as exc:
        build(finance)
    assert exc.value.code == "nothing_to_pay"
    assert PaymentBatch.objects.count() == 2


def test_batch_is_per_currency_and_campaign(campaign, finance):
    from rabatt.campaigns.tests.factories import campaign_factory

    payer("NOK")
    payer("EUR")
    nok = approved_claims(campaign, 2)
    eur = approved_claims(campaign, 2, country="DE")
    other = campaign_factory(slug="other-campaign")
    approved_claims(other, 1)
    batch = build(finance, "NOK", campaign=campaign)
    assert set(batch.payments.values_list("claim_id", flat=True)) == {c.pk for c in nok}
    batch = build(finance, "eur")
    assert set(batch.payments.values_list("claim_id", flat=True)) == {c.pk for c in eur}
    assert build(finance, "NOK").count == 1


def test_only_approved_claims_with_bank_details_of_processable_people(campaign, finance):
    payer()
    ok, review, restricted, no_bank = approved_claims(campaign, 4)
    Claim.objects.filter(pk=review.pk).update(status=ClaimStatus.IN_REVIEW)
    restricted.subject.restricted_at = datetime.now(UTC)
    restricted.subject.save()
    BankDetails.objects.filter(claim=no_bank).delete()
    batch = build(finance)
    assert list(batch.payments.values_list("claim_id", flat=True)) == [ok.pk]


@pytest.mark.parametrize(("setup", "code"), [
    (lambda: None, "payer_missing"),
    (lambda: (payer("NOK"), payer("NOK", name="Second NOK")), "payer_ambiguous"),
])
def test_paying_account_must_be_clear(campaign, finance, setup, code):
    setup()
    approved_claims(campaign, 1)
    before = state()
    with pytest.raises(DomainError) as exc:
        build(finance)
    assert exc.value.code == code
    assert state() == before


def test_paying_account_must_pay_the_currency(campaign, finance):
    eur = payer("EUR")
    approved_claims(campaign, 1)
    with pytest.raises(DomainError) as exc:
        build(finance, "NOK", payer=eur)
    assert exc.value.code == "payer_wrong_currency"
    assert PaymentBatch.objects.count() == 0


def test_paying_account_is_validated():
    with pytest.raises(DomainError) as exc:
        services.payer_create(name="X", iban="NO9386011117948", country="SE", currencies=["QQQ"])
    assert set(exc.value.fields) == {"iban", "currencies"}
    created = services.payer_create(name="Rabatt AS", iban="no93 8601 1117 947", bic="dnbanokk",
                                    country="no", currencies=["nok", "sek"])
    assert (created.iban, created.bic, created.country, created.currencies) == (
        "NO9386011117947", "DNBANOKK", "NO", ["NOK", "SEK"])


# Four eyes and refusals ----------------------------------------------------------------------


def test_the_builder_cannot_approve_and_nothing_changes(campaign, finance, finance2):
    payer()
    claims = approved_claims(campaign, 2)
    batch = build(finance)
    before = state(*claims)
    with pytest.raises(PermissionDenied) as exc:
        services.payout_batch_approve(batch_id=batch.pk, actor=finance)
    assert exc.value.code == "four_eyes"
    assert state(*claims) == before
    approved = services.payout_batch_approve(batch_id=batch.pk, actor=finance2)
    assert (approved.status, approved.approved_by) == (BatchStatus.APPROVED, finance2)


def test_wrong_state_is_refused_and_nothing_changes(campaign, finance, finance2):
    payer()
    claims = approved_claims(campaign, 2)
    batch = build(finance)
    with pytest.raises(Conflict):
        services.payout_batch_export(batch_id=batch.pk, actor=finance)  # not approved yet
    services.payout_batch_approve(batch_id=batch.pk, actor=finance2)
    before = state(*claims)
    with pytest.raises(Conflict) as exc:
        services.payout_batch_approve(batch_id=batch.pk, actor=finance2)
    assert exc.value.code == "invalid_transition"
    assert state(*claims) == before
    services.payout_batch_export(batch_id=batch.pk, actor=finance)
    before = state(*claims)
    with pytest.raises(Conflict):
        services.payout_batch_cancel(batch_id=batch.pk, actor=finance)
    assert state(*claims) == before


def test_other_roles_are_refused_and_nothing_changes(campaign, finance, agent):
    payer()
    claims = approved_claims(campaign, 1)
    before = state(*claims)
    with pytest.raises(PermissionDenied):
        build(agent)
    assert state(*claims) == before
    batch = build(finance)
    before = state(*claims)
    for action in (services.payout_batch_approve, services.payout_batch_cancel,
                   services.payout_batch_export):
        with pytest.raises(PermissionDenied):
            action(batch_id=batch.pk, actor=agent)
    with pytest.raises(PermissionDenied):
        services.bank_file_import(source=b"<x/>", actor=agent)
    assert state(*claims) == before


def test_cancel_puts_the_claims_back_in_the_queue(campaign, finance):
    payer()
    claims = approved_claims(campaign, 2)
    batch = build(finance)
    services.payout_batch_cancel(batch_id=batch.pk, actor=finance)
    assert set(batch.payments.values_list("status", flat=True)) == {PaymentStatus.CANCELLED}
    again = build(finance)
    assert set(again.payments.values_list("claim_id", flat=True)) == {c.pk for c in claims}


def test_the_database_refuses_a_second_live_payment(campaign, finance):
    payer()
    claim = approved_claims(campaign, 1)[0]
    batch = services.payout_batch_build(actor=finance, currency="NOK")
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(batch=batch, claim=claim, amount=claim.amount, currency="NOK",
                               end_to_end_id="X-1", masked="x", fingerprint="x")


# Bank files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("country", sorted(ACCOUNTS))
@pytest.mark.parametrize("version", ["pain.001.001.09", "pain.001.001.03"])
def test_every_country_and_version_gives_a_schema_valid_file(campaign, finance, finance2,
                                                             country, version):
    currency = ACCOUNTS[country][0]
    payer(currency)
    claims = approved_claims(campaign, 3, country=country, holder="Kåre Ødegård & Sønn")
    batch = exported(finance, finance2, currency, version=version)
    xml = file_bytes(batch)
    doc = assert_valid(xml, version)
    assert hashlib.sha256(xml).hexdigest() == batch.file_sha256
    assert len(xml) == batch.file_size
    ns = {"p": f"urn:iso:std:iso:20022:tech:xsd:{version}"}
    assert doc.findtext(".//p:GrpHdr/p:MsgId", namespaces=ns) == batch.message_id
    assert doc.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=ns) == "3"
    # Each claim gets 15 % of the price up to the cap in its currency.
    assert doc.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=ns) == \
        f"{sum(c.amount for c in claims):.2f}"
    assert doc.findtext(".//p:SvcLvl/p:Cd", namespaces=ns) == (
        "SEPA" if currency == "EUR" else "NURG")
    e2e = [e.text for e in doc.iterfind(".//p:EndToEndId", namespaces=ns)]
    assert e2e == [f"{c.reference}-{batch.pk}" for c in claims]
    assert set(batch.payments.values_list("status", flat=True)) == {PaymentStatus.SENT}
    # The snapshots are gone once the file exists: it is the only copy.
    assert set(bytes(b) for b in batch.payments.values_list("creditor_sealed", flat=True)) == {
        b""}


def test_export_again_gives_the_same_file_never_a_second_one(campaign, finance, finance2):
    payer()
    approved_claims(campaign, 3)
    batch = exported(finance, finance2)
    first = file_bytes(batch)
    again = services.payout_batch_export(batch_id=batch.pk, actor=finance2)
    assert file_bytes(again) == first
    assert again.file_sha256 == batch.file_sha256
    with pytest.raises(Conflict) as exc:
        services.payout_batch_export(batch_id=batch.pk, actor=finance,
                                     version="pain.001.001.03")
    assert exc.value.code == "already_exported"
    assert Payment.objects.count() == 3
    assert PayoutEvent.objects.filter(kind="exported").count() == 1
    with pytest.raises(Conflict):
        build(finance)


def test_the_stored_file_is_encrypted_and_tamper_evident(campaign, finance, finance2):
    payer()
    approved_claims(campaign, 2)
    batch = exported(finance, finance2)
    raw = sealing.file_path(batch.pk).read_bytes()
    assert b"NO9386011117947" not in raw
    assert b"Kari" not in raw
    damaged = bytearray(raw)
    damaged[-5] ^= 1
    sealing.file_path(batch.pk).write_bytes(bytes(damaged))
    with pytest.raises(sealing.SealError):
        file_bytes(batch)


def test_reading_the_file_is_audited(campaign, finance, finance2):
    payer()
    approved_claims(campaign, 2)
    batch = exported(finance, finance2)
    file_bytes(batch, actor=finance2)
    entry = AuditEntry.objects.filter(action="payout_file_read").get()
    assert (entry.actor_type, entry.actor_id) == ("staff", finance2.pk)
    assert batch.message_id in entry.what


def test_key_rotation_rewraps_batch_keys(campaign, finance, finance2):
    from django.core.management import call_command

    payer()
    approved_claims(campaign, 2)
    batch = exported(finance, finance2)
    before, wrapped = file_bytes(batch), bytes(batch.wrapped_key)
    call_command("keys", "rotate")  # re-wraps every data key, the batches' included
    batch.refresh_from_db()
    assert bytes(batch.wrapped_key) != wrapped
    assert file_bytes(batch) == before


@pytest.mark.django_db(transaction=True)
def test_changed_bank_details_after_approval_leave_the_batch(campaign, finance, finance2, smtp):
    payer()
    keep, changed = approved_claims(campaign, 2)
    batch = build(finance)
    services.payout_batch_approve(batch_id=batch.pk, actor=finance2)
    claim_bank_update(claim_id=changed.pk,
                      bank=BankIn(account_holder="Kari Nordmann",
                                  fields={"iban": "NO86 1500 0000 019"}))
    changed.refresh_from_db()
    assert changed.status == ClaimStatus.IN_REVIEW  # a fresh review
    assert any("bank details" in s for s in smtp.subjects())  # the claimant is told
    batch = services.payout_batch_export(batch_id=batch.pk, actor=finance)
    assert batch.count == 1
    assert dict(batch.payments.values_list("claim_id", "status")) == {
        keep.pk: PaymentStatus.SENT, changed.pk: PaymentStatus.CANCELLED}
    doc = assert_valid(file_bytes(batch), "pain.001.001.09")
    assert len(doc.findall(".//{*}CdtTrfTxInf")) == 1


@pytest.mark.parametrize(("country", "fields", "code"), [
    ("NO", {"iban": "NO9386011117948"}, "iban_invalid_checksum"),
    ("NO", {"iban": "86011117948"}, "bban_invalid"),
    ("DE", {"iban": "DE89370400440532013001"}, "iban_invalid_checksum"),
    ("FR", {"iban": "FR1420041010050500013M0260"}, "iban_invalid_length"),
    ("AT", {"iban": "AT611904300234573202"}, "iban_invalid_checksum"),
    ("BE", {"iban": "BE68539007547035"}, "iban_invalid_checksum"),
    ("FI", {"iban": "FI2112345600000786"}, "iban_invalid_checksum"),
    ("IE", {"iban": "IE29AIBK9311521234567"}, "iban_invalid_length"),
    ("IT", {"iban": "IT60X0542811101000000123457"}, "iban_invalid_checksum"),
    ("NL", {"iban": "NL91ABNA0417164301"}, "iban_invalid_checksum"),
    ("ES", {"iban": "ES9121000418450200051333"}, "iban_invalid_checksum"),
    ("DK", {"iban": "DK5000400440116244"}, "iban_invalid_checksum"),
    ("PL", {"iban": "PL61109010140000071219812875"}, "iban_invalid_checksum"),
    ("SE", {"iban": "SE4550000000058398257467"}, "iban_invalid_checksum"),
    ("CH", {"iban": "CH9300762011623852958"}, "iban_invalid_checksum"),
    ("GB", {"iban": "GB29NWBK60161331926810"}, "iban_invalid_checksum"),
    ("GB", {"iban": "DE89370400440532013000"}, "iban_wrong_country"),
    ("US", {"bank_code": "021000022", "account_number": "123456789"}, "aba_invalid_checksum"),
    ("AU", {"bank_code": "000-000", "account_number": "12345678"}, "bsb_invalid"),
    ("CA", {"bank_code": "00312345", "account_number": "123"}, "account_number_invalid"),
])
def test_invalid_accounts_are_refused_per_country_and_change_nothing(campaign, country, fields,
                                                                      code):
    claim = approved_claims(campaign, 1, country=country)[0]
    bank = BankDetails.objects.get(claim=claim)
    events = ClaimEvent.objects.filter(claim=claim).count()
    with pytest.raises(BankDetailsError) as exc:
        claim_bank_update(claim_id=claim.pk, bank=BankIn(account_holder="Kari Nordmann",
                                                         fields=fields))
    assert exc.value.code == code
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert bytes(BankDetails.objects.get(claim=claim).sealed) == bytes(bank.sealed)
    assert ClaimEvent.objects.filter(claim=claim).count() == events


# Reconciliation ------------------------------------------------------------------------------


def e2e_ids(batch):
    return list(batch.payments.order_by("pk").values_list("end_to_end_id", flat=True))


@pytest.mark.django_db(transaction=True)
def test_pain002_round_trip_marks_paid_and_failed_and_is_idempotent(campaign, finance, finance2,
                                                                     smtp):
    payer()
    claims = approved_claims(campaign, 4)
    batch = exported(finance, finance2)
    ids = e2e_ids(batch)
    xml = pain002("BANK-STS-1", str(batch.message_id), {
        ids[0]: ("ACSC", None), ids[1]: ("RJCT", "AC01"), ids[2]: ("ACCP", None),
        "RB-XXXX-XXXX-999": ("ACSC", None)})
    assert_valid(xml, "pain.002.001.03")
    result = services.bank_file_import(source=xml, filename="status.xml", actor=finance)
    log = result.log
    assert not result.already
    assert (log.kind, log.message_id, log.paid, log.failed, log.pending, log.unmatched_count,
            log.problem_count) == ("pain.002", "BANK-STS-1", 1, 1, 1, 1, 0)
    assert log.unmatched[0]["end_to_end_id"] == "RB-XXXX-XXXX-999"
    statuses = {c.pk: Claim.objects.get(pk=c.pk).status for c in claims}
    assert statuses == {claims[0].pk: ClaimStatus.PAID, claims[1].pk: ClaimStatus.PAYMENT_FAILED,
                        claims[2].pk: ClaimStatus.APPROVED, claims[3].pk: ClaimStatus.APPROVED}
    failed = Payment.objects.get(end_to_end_id=ids[1])
    assert (failed.status, failed.reason_code, failed.reason_text) == (
        PaymentStatus.FAILED, "AC01", "Incorrect account number")
    subjects = smtp.subjects()
    assert any(claims[0].reference in s and "paid" in s.lower() for s in subjects)
    assert any(claims[1].reference in s for s in subjects)
    sent = len(smtp.messages)
    # The same file again, or the same message in other bytes: nothing happens.
    again = services.bank_file_import(source=io.BytesIO(xml), actor=finance)
    assert again.already
    assert again.log.pk == log.pk
    reformatted = etree.tostring(etree.fromstring(xml))
    assert services.bank_file_import(source=reformatted).already
    assert ImportLog.objects.count() == 1
    assert len(smtp.messages) == sent
    assert Claim.objects.get(pk=claims[0].pk).status == ClaimStatus.PAID


def test_camt054_books_payments_and_returns(campaign, finance, finance2):
    payer()
    claims = approved_claims(campaign, 3)
    batch = exported(finance, finance2)
    ids = e2e_ids(batch)
    xml = camt054("BANK-054-1", [
        (ids[0], "748.50", "DBIT", None),
        (ids[1], "748.50", "DBIT", None),
        (ids[1], "748.50", "CRDT", "AC04"),  # booked, then returned: closed account
        (None, "99.00", "CRDT", None),  # somebody paid us: not ours to match
    ])
    assert_valid(xml, "camt.054.001.08")
    log = services.bank_file_import(source=xml).log
    assert (log.paid, log.failed, log.pending, log.unmatched_count) == (1, 1, 0, 1)
    assert log.imported_by is None
    assert [Claim.objects.get(pk=c.pk).status for c in claims] == [
        ClaimStatus.PAID, ClaimStatus.PAYMENT_FAILED, ClaimStatus.APPROVED]
    # A later statement booking the third and repeating the first.
    log2 = services.bank_file_import(source=camt054("BANK-054-2", [
        (ids[0], "748.50", "DBIT", None), (ids[2], "748.50", "DBIT", None)])).log
    assert (log2.paid, log2.unchanged) == (1, 1)
    # A return after the claim was paid makes it failed.
    log3 = services.bank_file_import(source=camt054("BANK-054-3", [
        (ids[0], "748.50", "CRDT", "AC06")])).log
    assert log3.failed == 1
    assert Claim.objects.get(pk=claims[0].pk).status == ClaimStatus.PAYMENT_FAILED


def test_a_rejected_file_fails_every_payment(campaign, finance, finance2):
    payer()
    claims = approved_claims(campaign, 2)
    batch = exported(finance, finance2)
    log = services.bank_file_import(
        source=pain002("BANK-STS-9", str(batch.message_id), {}, group_status="RJCT")).log
    assert log.failed == 2
    assert {Claim.objects.get(pk=c.pk).status for c in claims} == {ClaimStatus.PAYMENT_FAILED}


@pytest.mark.django_db(transaction=True)
def test_failed_payment_new_bank_details_and_paid_in_the_next_batch(campaign, finance, finance2,
                                                                    smtp):
    payer()
    claim = approved_claims(campaign, 1)[0]
    first = exported(finance, finance2)
    services.bank_file_import(source=pain002("BANK-1", str(first.message_id),
                                             {e2e_ids(first)[0]: ("RJCT", "AC04")}))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAYMENT_FAILED
    event = ClaimEvent.objects.filter(claim=claim, kind="mark_payment_failed").get()
    # The link's secret is in the e-mail only; the history keeps no copy, the token row a hash.
    assert "token" not in event.data
    index = next(i for i, s in enumerate(smtp.subjects()) if "could not pay" in s)
    found = re.search(r"/bank/([A-Za-z0-9_-]+)/", smtp.text(index))
    assert found is not None
    token = found.group(1)
    assert reverse("claims:new_bank", args=[token]) in smtp.text(index)  # the new-details link
    assert InfoRequestToken.objects.filter(claim=claim, event=event,
                                           token_hash=token_hash(token)).exists()
    # The code, for the consumer's language; the bank's own words for staff.
    assert (event.reasons, event.data["reason_code"], event.data["reason_text"]) == (
        ["AC04"], "AC04", "Closed account number")
    claim_answer_info(token=token, bank=BankIn(account_holder="Kari Nordmann",
                                               fields={"iban": "NO86 1500 0000 019"}))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    second = exported(finance, finance2)
    assert e2e_ids(second) == [f"{claim.reference}-{second.pk}"]
    xml = file_bytes(second)
    assert b"NO8615000000019" in xml
    services.bank_file_import(source=pain002("BANK-2", str(second.message_id),
                                             {e2e_ids(second)[0]: ("ACSC", None)}))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    assert list(Payment.objects.filter(claim=claim).order_by("pk").values_list(
        "status", flat=True)) == [PaymentStatus.FAILED, PaymentStatus.PAID]


def test_a_broken_file_is_refused_and_logs_nothing():
    with pytest.raises(DomainError) as exc:
        services.bank_file_import(source=b"<Document>")
    assert exc.value.code == "xml_wrong_message"
    assert ImportLog.objects.count() == 0


def test_an_outcome_for_a_payment_not_sent_is_a_problem(campaign, finance):
    payer()
    approved_claims(campaign, 1)
    batch = build(finance)
    log = services.bank_file_import(source=pain002(
        "BANK-X", str(batch.message_id), {e2e_ids(batch)[0]: ("ACSC", None)})).log
    assert (log.paid, log.problem_count) == (0, 1)
    assert batch.payments.get().status == PaymentStatus.PENDING


# The 30-day promise --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the outbox sends when the alert commits
def test_alert_once_per_claim_for_due_soon_and_late(campaign, finance, finance2, smtp):
    due = approved_claims(campaign, 3)  # due 2019-09-04 plus a minute each
    approved_claims(campaign, 1, approved_at=datetime(2019, 8, 20, tzinfo=UTC))  # due 09-19
    smtp.messages.clear()  # the claimants' own e-mails
    now = datetime(2019, 9, 1, tzinfo=UTC)
    assert services.payouts_alert_due(now=now) == 3
    # One e-mail to each finance user.
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp.messages) == [
        "finance2@rabatt.test", "finance@rabatt.test"]
    text = smtp.text()
    assert all(c.reference in text for c in due)
    assert services.payouts_alert_due(now=now) == 0
    assert len(smtp.messages) == 2
    # Later: the first three are late now (already reported), the fourth is due soon.
    later = datetime(2019, 9, 15, tzinfo=UTC)
    assert services.payouts_alert_due(now=later) == 1
    assert "0 late" in str(smtp.messages[-1]["Subject"])
    assert DueAlert.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_paid_claims_are_not_alerted(campaign, finance, smtp):
    approved_claims(campaign, 1, status=ClaimStatus.PAID)
    smtp.messages.clear()  # the claimant's own e-mails
    assert services.payouts_alert_due(now=datetime(2019, 9, 10, tzinfo=UTC)) == 0
    assert smtp.messages == []


def test_a_person_restricted_after_approval_is_left_out_of_the_file(campaign, finance, finance2):
    from rabatt.privacy.models import Subject

    payer()
    keep, restricted = approved_claims(campaign, 2)
    batch = build(finance)
    services.payout_batch_approve(batch_id=batch.pk, actor=finance2)
    Subject.objects.filter(pk=restricted.subject_id).update(restricted_at=restricted.submitted_at)
    batch = services.payout_batch_export(batch_id=batch.pk, actor=finance)
    assert batch.count == 1
    assert dict(batch.payments.values_list("claim_id", "status")) == {
        keep.pk: PaymentStatus.SENT, restricted.pk: PaymentStatus.CANCELLED}
    doc = assert_valid(file_bytes(batch), "pain.001.001.09")
    assert len(doc.findall(".//{*}CdtTrfTxInf")) == 1
