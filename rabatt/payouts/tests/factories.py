"""Approved claims written straight to the database, paying accounts, and bank answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from lxml import etree

from rabatt.banking import validate_bank_account
from rabatt.campaigns.models import Campaign
from rabatt.claims.models import BankDetails, Claim, ClaimStatus
from rabatt.claims.services import bank_fingerprint, reference_new
from rabatt.codes.models import Code
from rabatt.codes.services import codes_issue
from rabatt.core.localformats import POSTCODE_RULES
from rabatt.payouts.models import PayerAccount
from rabatt.payouts.services import payer_create
from rabatt.privacy.subjects import subject_for_email, subject_seal

ACCOUNTS: dict[str, tuple[str, dict[str, str]]] = {
    "NO": ("NOK", {"iban": "NO9386011117947"}),
    "DE": ("EUR", {"iban": "DE89370400440532013000"}),
    "FR": ("EUR", {"iban": "FR1420041010050500013M02606"}),
    "AT": ("EUR", {"iban": "AT611904300234573201"}),
    "BE": ("EUR", {"iban": "BE68539007547034"}),
    "FI": ("EUR", {"iban": "FI2112345600000785"}),
    "IE": ("EUR", {"iban": "IE29AIBK93115212345678"}),
    "IT": ("EUR", {"iban": "IT60X0542811101000000123456"}),
    "NL": ("EUR", {"iban": "NL91ABNA0417164300"}),
    "ES": ("EUR", {"iban": "ES9121000418450200051332"}),
    "DK": ("DKK", {"iban": "DK5000400440116243"}),
    "PL": ("PLN", {"iban": "PL61109010140000071219812874"}),
    "SE": ("SEK", {"iban": "SE4550000000058398257466"}),
    "CH": ("CHF", {"iban": "CH9300762011623852957"}),
    "GB": ("GBP", {"iban": "GB29NWBK60161331926819"}),
    "US": ("USD", {"routing_number": "021000021", "account_number": "123456789",
                   "account_type": "checking"}),
    "AU": ("AUD", {"bsb": "062-000", "account_number": "12345678"}),
    "CA": ("CAD", {"institution_number": "003", "transit_number": "12345",
                   "account_number": "1234567"}),
}
APPROVED_AT = datetime(2019, 8, 5, 12, 0, tzinfo=UTC)


def payer(currency: str = "NOK", name: str | None = None, **extra: Any) -> PayerAccount:
    return payer_create(name=name or f"Rabatt {currency}", iban="NO9386011117947",
                        bic="DNBANOKK", country="NO", currencies=[currency], **extra)


def approved_claims(campaign: Campaign, n: int, *, country: str = "NO",
                    amount: str = "748.50", approved_at: datetime = APPROVED_AT,
                    step: timedelta = timedelta(minutes=1), holder: str = "Kari Nordmann",
                    status: str = ClaimStatus.APPROVED, email: str | None = None,
                    **bank_fields: str) -> list[Claim]:
    """``n`` approved claims in ``country``, one person each, due 30 days after approval
    (each a ``step`` later than the one before), with sealed bank details."""
    currency, data = ACCOUNTS[country]
    account = validate_bank_account(country=country, currency=currency,
                                    data=bank_fields or data)
    codes = list(codes_issue(campaign=campaign, channel="retailer", count=n))
    code_rows = dict(Code.objects.filter(code__in=codes).values_list("code", "pk"))
    claims = []
    for i, code in enumerate(codes):
        subject = subject_for_email(email=email or f"p{code[:10].lower()}@example.test")
        at = approved_at + step * i
        claim = Claim.objects.create(
            reference=reference_new(), campaign=campaign, code_id=code_rows[code],
            subject=subject, status=status, locale="en", first_name="Kari",
            last_name="Nordmann", email=email or f"p{code[:10].lower()}@example.test",
            address_line1="Storgata 1", postcode=POSTCODE_RULES[country].example, city="Oslo",
            address_country=country,
            purchase_country=country, channel="retailer", purchased_at=at - timedelta(days=10),
            currency=currency, amount=Decimal(amount), terms_version="1",
            submitted_at=at - timedelta(days=4), decided_at=at,
            payment_due_at=at + timedelta(days=30), bank_holder_match=1.0,
        )
        BankDetails.objects.create(
            claim=claim, masked=account.masked(), fingerprint=bank_fingerprint(account),
            sealed=subject_seal(subject, json.dumps(
                {"account_holder": holder, **account.as_dict()}).encode()))
        claims.append(claim)
    Code.objects.filter(code__in=codes).update(status="used", used_at=approved_at)
    return claims


# Bank answers -------------------------------------------------------------------------------


def E(tag: str, *children: Any, **attrs: str) -> etree._Element:
    el = etree.Element(tag, attrs)
    for child in children:
        if isinstance(child, str):
            el.text = child
        else:
            el.append(child)
    return el


def document(ns: str, body: etree._Element) -> bytes:
    root = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})
    root.append(body)
    for el in root.iter():
        if isinstance(el.tag, str) and not el.tag.startswith("{"):
            el.tag = f"{{{ns}}}{el.tag}"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def pain002(message_id: str, original_message_id: str, statuses: dict[str, tuple[str, str | None]],
            *, amount: str = "748.50", currency: str = "NOK",
            group_status: str | None = None) -> bytes:
    """A bank's status report (pain.002.001.03) for our file: end-to-end id → (status, reason)."""
    original = [E("OrgnlMsgId", original_message_id), E("OrgnlMsgNmId", "pain.001.001.09")]
    if group_status:
        original.append(E("GrpSts", group_status))
    transactions = []
    for n, (e2e, (status, code)) in enumerate(statuses.items()):
        parts = [E("StsId", f"S{n}"), E("OrgnlEndToEndId", e2e), E("TxSts", status)]
        if code:
            parts.append(E("StsRsnInf", E("Rsn", E("Cd", code))))
        parts.append(E("OrgnlTxRef", E("Amt", E("InstdAmt", amount, Ccy=currency))))
        transactions.append(E("TxInfAndSts", *parts))
    body = [E("GrpHdr", E("MsgId", message_id), E("CreDtTm", "2019-09-02T08:00:00")),
            E("OrgnlGrpInfAndSts", *original)]
    if transactions:
        body.append(E("OrgnlPmtInfAndSts", E("OrgnlPmtInfId", f"{original_message_id}-001"),
                      *transactions))
    return document("urn:iso:std:iso:20022:tech:xsd:pain.002.001.03",
                    E("CstmrPmtStsRpt", *body))


def camt054(message_id: str, entries: list[tuple[str | None, str, str, str | None]],
            *, currency: str = "NOK") -> bytes:
    """A debit/credit notification (camt.054.001.08): (end-to-end id, amount, DBIT|CRDT,
    return reason) per entry; a CRDT with a reason is a returned payment."""
    ntries = []
    for n, (e2e, amount, direction, reason) in enumerate(entries):
        refs = [E("MsgId", "RABATT"), E("InstrId", f"I{n}")]
        if e2e:
            refs.append(E("EndToEndId", e2e))
        tx = [E("Refs", *refs), E("Amt", amount, Ccy=currency), E("CdtDbtInd", direction)]
        if reason:
            tx.append(E("RtrInf", E("Rsn", E("Cd", reason))))
        ntries.append(E(
            "Ntry", E("NtryRef", f"E{n}"), E("Amt", amount, Ccy=currency),
            E("CdtDbtInd", direction), E("Sts", E("Cd", "BOOK")),
            E("BookgDt", E("Dt", "2019-09-03")), E("ValDt", E("Dt", "2019-09-03")),
            E("AcctSvcrRef", f"BANKREF-{n}"),
            E("BkTxCd", E("Domn", E("Cd", "PMNT"),
                          E("Fmly", E("Cd", "ICDT"), E("SubFmlyCd", "DMCT")))),
            E("NtryDtls", E("TxDtls", *tx))))
    body = E("BkToCstmrDbtCdtNtfctn",
             E("GrpHdr", E("MsgId", message_id), E("CreDtTm", "2019-09-03T06:00:00Z")),
             E("Ntfctn", E("Id", "N1"),
               E("Acct", E("Id", E("IBAN", "NO9386011117947")), E("Ccy", currency)),
               *ntries))
    return document("urn:iso:std:iso:20022:tech:xsd:camt.054.001.08", body)
