"""pain.001 writing, pain.002/camt reading, XSD conformance and hostile input (no database)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from rabatt.banking import BankAccount, validate_bank_account
from rabatt.payouts.iso20022 import (
    PAIN_001_001_03,
    PAIN_001_001_09,
    BatchSummary,
    CreditTransfer,
    Debtor,
    Iso20022Error,
    PainVersion,
    PostalAddress,
    ReconciliationReport,
    clean_text,
    parse_bank_file,
    transliterate,
    write_pain001,
)

XSD_DIR = Path(__file__).parent / "xsd"
CREATED = datetime(2026, 3, 2, 9, 30, 15, tzinfo=UTC)
EXECUTION = date(2026, 3, 4)
DEBTOR = Debtor(name="Rabatt Utbetaling AS", iban="NO9386011117947", bic="DABANO22", country="NO")


@cache
def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / f"{name}.xsd")))


def assert_valid(xml: bytes, name: str) -> etree._Element:
    doc = etree.fromstring(xml)
    xsd = schema(name)
    assert xsd.validate(doc), xsd.error_log
    return doc


ACCOUNTS: dict[str, dict[str, Any]] = {
    "DE": {"iban": "DE89370400440532013000"},
    "FR": {"iban": "FR1420041010050500013M02606"},
    "AT": {"iban": "AT611904300234573201"},
    "NO": {"iban": "NO9386011117947"},
    "SE": {"iban": "SE4550000000058398257466"},
    "GB": {"iban": "GB29NWBK60161331926819"},
    "CH": {"iban": "CH9300762011623852957"},
    "US": {"routing_number": "021000021", "account_number": "123456789", "account_type": "savings"},
    "AU": {"bsb": "062-000", "account_number": "12345678"},
    "CA": {"institution_number": "003", "transit_number": "12345", "account_number": "1234567"},
}
CURRENCY = {"DE": "EUR", "FR": "EUR", "AT": "EUR", "NO": "NOK", "SE": "SEK", "GB": "GBP"}
CURRENCY |= {"CH": "CHF", "US": "USD", "AU": "AUD", "CA": "CAD"}


@cache
def account(country: str) -> BankAccount:
    return validate_bank_account(
        country=country, currency=CURRENCY[country], data=ACCOUNTS[country]
    )


def payment(n: int, country: str, amount: str = "150.00", **extra: Any) -> CreditTransfer:
    values: dict[str, Any] = {
        "end_to_end_id": f"RB-{country}-{n:06d}",
        "instruction_id": f"PAY-{n:06d}",
        "amount": Decimal(amount),
        "currency": CURRENCY[country],
        "creditor_name": "Kari Nordmann",
        "account": account(country),
        "remittance": f"Rabatt claim RB-{n:06d}",
    }
    values.update(extra)
    return CreditTransfer(**values)


def write(
    payments: list[CreditTransfer],
    version: PainVersion = PAIN_001_001_09,
    message_id: str = "RABATT-20260302-1",
    **options: Any,
) -> tuple[bytes, BatchSummary]:
    out = io.BytesIO()
    summary = write_pain001(
        out,
        debtor=options.pop("debtor", DEBTOR),
        message_id=message_id,
        created_at=options.pop("created_at", CREATED),
        execution_date=EXECUTION,
        payments=lambda: iter(payments),
        version=version,
        **options,
    )
    return out.getvalue(), summary


NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}


# Writing pain.001


@pytest.mark.parametrize("version", [PAIN_001_001_09, PAIN_001_001_03])
@pytest.mark.parametrize("country", sorted(ACCOUNTS))
def test_every_country_gives_a_schema_valid_file(version: PainVersion, country: str) -> None:
    xml, summary = write([payment(1, country), payment(2, country, "0.01")], version)
    assert_valid(xml, version)
    assert summary.number_of_transactions == 2
    assert summary.control_sum == Decimal("150.01")


def test_sepa_euro_block() -> None:
    xml, summary = write([payment(1, "DE"), payment(2, "FR", "12.34")])
    doc = assert_valid(xml, PAIN_001_001_09)
    assert doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "2"
    assert doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "162.34"
    block = doc.find("p:CstmrCdtTrfInitn/p:PmtInf", namespaces=NS)
    assert block is not None
    assert block.findtext("p:PmtTpInf/p:SvcLvl/p:Cd", namespaces=NS) == "SEPA"
    assert block.findtext("p:ChrgBr", namespaces=NS) == "SLEV"
    assert block.findtext("p:ReqdExctnDt/p:Dt", namespaces=NS) == "2026-03-04"
    assert block.findtext("p:DbtrAgt/p:FinInstnId/p:BICFI", namespaces=NS) == "DABANO22"
    tx = block.findall("p:CdtTrfTxInf", namespaces=NS)
    assert [t.findtext("p:PmtId/p:EndToEndId", namespaces=NS) for t in tx] == [
        "RB-DE-000001",
        "RB-FR-000002",
    ]
    assert tx[0].findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) == "DE89370400440532013000"
    assert tx[0].findtext("p:CdtrAgt/p:FinInstnId/p:BICFI", namespaces=NS) == "COBADEFFXXX"
    assert tx[0].find("p:Amt/p:InstdAmt", namespaces=NS).get("Ccy") == "EUR"
    assert [g.sepa for g in summary.groups] == [True]


def test_iban_without_known_bic_omits_the_creditor_agent() -> None:
    xml, _ = write([payment(1, "AT")])
    doc = assert_valid(xml, PAIN_001_001_09)
    assert doc.find(".//p:CdtTrfTxInf/p:CdtrAgt", namespaces=NS) is None


def test_non_sepa_currencies_get_their_own_blocks() -> None:
    payments = [payment(1, "NO"), payment(2, "DE"), payment(3, "US"), payment(4, "NO", "7.00")]
    xml, summary = write(payments)
    doc = assert_valid(xml, PAIN_001_001_09)
    blocks = doc.findall(".//p:PmtInf", namespaces=NS)
    assert [(g.currency, g.sepa, g.charge_bearer) for g in summary.groups] == [
        ("NOK", False, "SHAR"),
        ("EUR", True, "SLEV"),
        ("USD", False, "DEBT"),
    ]
    assert [b.findtext("p:PmtTpInf/p:SvcLvl/p:Cd", namespaces=NS) for b in blocks] == [
        "NURG",
        "SEPA",
        "NURG",
    ]
    assert [b.findtext("p:NbOfTxs", namespaces=NS) for b in blocks] == ["2", "1", "1"]
    assert [b.findtext("p:CtrlSum", namespaces=NS) for b in blocks] == [
        "157.00",
        "150.00",
        "150.00",
    ]
    assert summary.control_sum == Decimal("457.00")
    ids = [g.payment_information_id for g in summary.groups]
    assert ids == ["RABATT-20260302-1-001", "RABATT-20260302-1-002", "RABATT-20260302-1-003"]


def test_charge_bearer_can_be_chosen_for_non_sepa() -> None:
    _, summary = write([payment(1, "US"), payment(2, "DE")], charge_bearer="SHAR")
    assert [g.charge_bearer for g in summary.groups] == ["SHAR", "SLEV"]


@pytest.mark.parametrize(
    ("country", "code", "member"),
    [("US", "USABA", "021000021"), ("AU", "AUBSB", "062000"), ("CA", "CACPA", "000312345")],
)
@pytest.mark.parametrize("version", [PAIN_001_001_09, PAIN_001_001_03])
def test_clearing_systems_for_non_iban_countries(
    country: str, code: str, member: str, version: PainVersion
) -> None:
    xml, _ = write([payment(1, country)], version)
    doc = assert_valid(xml, version)
    ns = {"p": f"urn:iso:std:iso:20022:tech:xsd:{version}"}
    tx = doc.find(".//p:CdtTrfTxInf", namespaces=ns)
    assert tx is not None
    agent = "p:CdtrAgt/p:FinInstnId/p:ClrSysMmbId"
    assert tx.findtext(f"{agent}/p:ClrSysId/p:Cd", namespaces=ns) == code
    assert tx.findtext(f"{agent}/p:MmbId", namespaces=ns) == member
    assert (
        tx.findtext("p:CdtrAcct/p:Id/p:Othr/p:Id", namespaces=ns) == account(country).account_number
    )
    assert tx.find("p:CdtrAcct/p:Id/p:IBAN", namespaces=ns) is None
    if country == "US":
        assert tx.findtext("p:CdtrAcct/p:Tp/p:Cd", namespaces=ns) == "SVGS"


def test_version_03_uses_its_own_tags() -> None:
    xml, _ = write([payment(1, "DE")], PAIN_001_001_03)
    doc = assert_valid(xml, PAIN_001_001_03)
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    assert doc.findtext(".//p:PmtInf/p:ReqdExctnDt", namespaces=ns) == "2026-03-04"
    assert doc.findtext(".//p:DbtrAgt/p:FinInstnId/p:BIC", namespaces=ns) == "DABANO22"


def test_debtor_without_bic_and_with_initiating_party_id() -> None:
    debtor = Debtor(
        name="Rabatt AS", iban="NO9386011117947", country="NO", initiating_party_id="ABC123"
    )
    for version in (PAIN_001_001_09, PAIN_001_001_03):
        xml, _ = write([payment(1, "NO")], version, debtor=debtor)
        doc = assert_valid(xml, version)
        ns = {"p": f"urn:iso:std:iso:20022:tech:xsd:{version}"}
        assert doc.findtext(".//p:DbtrAgt/p:FinInstnId/p:Othr/p:Id", namespaces=ns) == (
            "NOTPROVIDED"
        )
        assert doc.findtext(".//p:InitgPty/p:Id/p:OrgId/p:Othr/p:Id", namespaces=ns) == "ABC123"


def test_creditor_address() -> None:
    address = PostalAddress(
        country="US", town="New York", postcode="10001", street="5th Avenue", building_number="1"
    )
    xml, _ = write([payment(1, "US", creditor_address=address)])
    doc = assert_valid(xml, PAIN_001_001_09)
    adr = doc.find(".//p:Cdtr/p:PstlAdr", namespaces=NS)
    assert adr is not None
    assert [etree.QName(e).localname for e in adr] == ["StrtNm", "BldgNb", "PstCd", "TwnNm", "Ctry"]


def test_output_is_deterministic() -> None:
    payments = [payment(n, c) for n, c in enumerate(sorted(ACCOUNTS))]
    first, summary = write(payments)
    second, again = write(list(payments))
    assert first == second
    assert summary == again
    import hashlib

    assert summary.sha256 == hashlib.sha256(first).hexdigest()
    assert summary.size == len(first)


def test_creation_time_is_written_in_utc() -> None:
    oslo = timezone(timedelta(hours=1))
    xml, _ = write([payment(1, "DE")], created_at=CREATED.astimezone(oslo))
    assert b"<CreDtTm>2026-03-02T09:30:15+00:00</CreDtTm>" in xml
    with pytest.raises(Iso20022Error):
        write([payment(1, "DE")], created_at=datetime(2026, 3, 2, 9, 30))


def test_sepa_text_is_transliterated() -> None:
    weird = "Ødegård Æsøy-Åberg, Jürgen Müller & Zoë Château <Ltd> “quoted” 😀 ß"
    xml, _ = write([payment(1, "DE", creditor_name=weird, remittance="Rabatt claim RB-ÆØÅ1")])
    doc = assert_valid(xml, PAIN_001_001_09)
    name = doc.findtext(".//p:Cdtr/p:Nm", namespaces=NS)
    assert name == "Odegard AEsoy-Aberg, Jurgen Muller + Zoe Chateau Ltd quoted ss"
    assert doc.findtext(".//p:RmtInf/p:Ustrd", namespaces=NS) == "Rabatt claim RB-AEOA1"
    assert xml.isascii()


def test_non_sepa_text_keeps_letters_and_is_escaped() -> None:
    name = 'Kari Ødegård & <Sønn> "AS"'
    xml, _ = write([payment(1, "NO", creditor_name=name, remittance="a\x00b\x1fc")])
    assert "Kari Ødegård &amp; &lt;Sønn&gt; &quot;AS&quot;".encode() in xml
    doc = assert_valid(xml, PAIN_001_001_09)
    assert doc.findtext(".//p:Cdtr/p:Nm", namespaces=NS) == name
    assert doc.findtext(".//p:RmtInf/p:Ustrd", namespaces=NS) == "a b c"


def test_long_text_is_cut_to_the_limits() -> None:
    xml, _ = write([payment(1, "DE", creditor_name="A" * 200, remittance="B" * 300)])
    doc = assert_valid(xml, PAIN_001_001_09)
    assert len(doc.findtext(".//p:Cdtr/p:Nm", namespaces=NS) or "") == 70
    assert len(doc.findtext(".//p:RmtInf/p:Ustrd", namespaces=NS) or "") == 140


def test_text_helpers() -> None:
    assert transliterate("Ærlig Østby Ålesund ü é") == "AErlig Ostby Alesund u e"
    assert clean_text("  a\n\tb  ", max_length=10, strict=False) == "a b"


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"end_to_end_id": "RB 1"}, "end-to-end id"),
        ({"end_to_end_id": "X" * 36}, "end-to-end id"),
        ({"end_to_end_id": "/RB1"}, "end-to-end id"),
        ({"instruction_id": "A//B"}, "instruction id"),
        ({"end_to_end_id": "RB-Ø"}, "end-to-end id"),
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("-1.00")}, "amount"),
        ({"amount": Decimal("1.005")}, "decimals"),
        ({"amount": Decimal("NaN")}, "amount"),
        ({"amount": Decimal("1000000000.00")}, "SEPA limit"),
        ({"currency": "NOK"}, "account currency"),
        ({"creditor_name": " \x00 "}, "creditor name"),
        ({"creditor_name": "😀"}, "creditor name"),
    ],
)
def test_invalid_payments_are_refused(changes: dict[str, Any], detail: str) -> None:
    with pytest.raises(Iso20022Error) as info:
        write([payment(1, "DE", **changes)])
    assert info.value.code == "payment_invalid"
    assert detail in info.value.detail


def test_amounts_are_written_to_the_minor_unit() -> None:
    xml, summary = write([payment(1, "DE", "1.5"), payment(2, "DE", "2")])
    assert b'<InstdAmt Ccy="EUR">1.50</InstdAmt>' in xml
    assert b'<InstdAmt Ccy="EUR">2.00</InstdAmt>' in xml
    assert summary.control_sum == Decimal("3.50")


@pytest.mark.parametrize(
    "debtor",
    [
        Debtor(name="Rabatt AS", iban="NO9386011117948", country="NO"),
        Debtor(name="Rabatt AS", iban="NO9386011117947", bic="NOPE", country="NO"),
        Debtor(name="😀", iban="NO9386011117947", country="NO"),
    ],
)
def test_debtor_account_is_checked(debtor: Debtor) -> None:
    with pytest.raises(Iso20022Error) as info:
        write([payment(1, "DE")], debtor=debtor)
    assert info.value.code == "payment_invalid"


def test_debtor_account_is_written_compact() -> None:
    debtor = Debtor(name="Rabatt AS", iban="no93 8601 1117 947", bic="dabano22", country="NO")
    xml, _ = write([payment(1, "DE")], debtor=debtor)
    doc = assert_valid(xml, PAIN_001_001_09)
    assert doc.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == "NO9386011117947"
    assert doc.findtext(".//p:DbtrAgt/p:FinInstnId/p:BICFI", namespaces=NS) == "DABANO22"


def test_batch_booking_flag() -> None:
    xml, _ = write([payment(1, "DE")], batch_booking=True)
    assert b"<BtchBookg>true</BtchBookg>" in xml


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.text(min_size=1, max_size=200).filter(lambda t: any(c.isalnum() for c in t)),
    remittance=st.text(max_size=300),
    country=st.sampled_from(["DE", "NO", "US"]),
)
def test_any_text_gives_a_schema_valid_file(name: str, remittance: str, country: str) -> None:
    transfer = payment(1, country, creditor_name=name, remittance=remittance)
    if not clean_text(name, max_length=70, strict=country == "DE"):
        # A name with nothing left after transliteration is refused, never written empty.
        with pytest.raises(Iso20022Error, match="creditor name"):
            write([transfer])
        return
    xml, _ = write([transfer])
    assert_valid(xml, PAIN_001_001_09)


def test_empty_batch_and_bad_message_id() -> None:
    with pytest.raises(Iso20022Error) as info:
        write([])
    assert info.value.code == "batch_empty"
    with pytest.raises(Iso20022Error):
        write([payment(1, "DE")], message_id="has space")


def test_payments_that_change_between_passes_are_detected() -> None:
    calls = iter([[payment(1, "DE")], [payment(1, "DE"), payment(2, "DE")]])
    with pytest.raises(Iso20022Error) as info:
        write_pain001(
            io.BytesIO(),
            debtor=DEBTOR,
            message_id="M1",
            created_at=CREATED,
            execution_date=EXECUTION,
            payments=lambda: next(calls),
        )
    assert info.value.code == "batch_changed"


def test_writer_streams_from_a_generator() -> None:
    passes = 0

    def generate() -> Iterator[CreditTransfer]:
        nonlocal passes
        passes += 1
        for n in range(2000):
            yield payment(n, "NO" if n % 3 else "DE", f"{n % 97 + 1}.25")

    out = io.BytesIO()
    summary = write_pain001(
        out,
        debtor=DEBTOR,
        message_id="BIG-1",
        created_at=CREATED,
        execution_date=EXECUTION,
        payments=generate,
    )
    assert passes == 3  # one to count, one per block
    assert summary.number_of_transactions == 2000
    expected = sum(Decimal(f"{n % 97 + 1}.25") for n in range(2000))
    assert summary.control_sum == expected
    assert_valid(out.getvalue(), PAIN_001_001_09)


def test_writer_memory_does_not_grow_with_the_batch() -> None:
    import tracemalloc

    def peak(size: int) -> int:
        def generate() -> Iterator[CreditTransfer]:
            return (payment(n, "DE", "10.00") for n in range(size))

        tracemalloc.start()
        try:
            write_pain001(
                _Sink(),
                debtor=DEBTOR,
                message_id="MEM-1",
                created_at=CREATED,
                execution_date=EXECUTION,
                payments=generate,
            )
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(300), peak(3000)
    assert large < small * 1.5, (small, large)


class _Sink(io.RawIOBase):
    """A binary file that forgets what it is given, so only the writer's memory is measured."""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return len(data)


# Bank responses built for a written batch


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
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def reason(code: str, text: str | None = None) -> etree._Element:
    parts = [E("Rsn", E("Cd", code))]
    if text:
        parts.append(E("AddtlInf", text))
    return E("StsRsnInf", *parts)


def pain002(
    summary: BatchSummary,
    statuses: dict[str, tuple[str, str | None]],
    *,
    version: str = "pain.002.001.03",
    group_status: str | None = None,
) -> bytes:
    """Build a status report answering the batch: end-to-end id → (status, reason)."""
    original = [
        E("OrgnlMsgId", summary.message_id),
        E("OrgnlMsgNmId", summary.version),
        E("OrgnlNbOfTxs", str(summary.number_of_transactions)),
        E("OrgnlCtrlSum", str(summary.control_sum)),
    ]
    if group_status:
        original.append(E("GrpSts", group_status))
    transactions = []
    for n, (e2e, (status, code)) in enumerate(statuses.items()):
        tx = [E("StsId", f"S{n}"), E("OrgnlInstrId", f"I{n}"), E("OrgnlEndToEndId", e2e)]
        tx.append(E("TxSts", status))
        if code:
            tx.append(reason(code, "Account closed" if code == "AC04" else None))
        tx.append(E("OrgnlTxRef", E("Amt", E("InstdAmt", "150.00", Ccy="EUR"))))
        transactions.append(E("TxInfAndSts", *tx))
    block = E(
        "OrgnlPmtInfAndSts",
        E("OrgnlPmtInfId", summary.groups[0].payment_information_id),
        E("PmtInfSts", "PART"),
        *transactions,
    )
    body = E(
        "CstmrPmtStsRpt",
        E("GrpHdr", E("MsgId", "BANK-STS-0001"), E("CreDtTm", "2026-03-03T08:00:00")),
        E("OrgnlGrpInfAndSts", *original),
        block,
    )
    return document(f"urn:iso:std:iso:20022:tech:xsd:{version}", body)


def entry(
    amount: str,
    direction: str,
    details: list[etree._Element],
    *,
    status: str = "BOOK",
    reversal: bool = False,
    ref: str = "E1",
) -> etree._Element:
    parts = [E("NtryRef", ref), E("Amt", amount, Ccy="EUR"), E("CdtDbtInd", direction)]
    if reversal:
        parts.append(E("RvslInd", "true"))
    parts += [
        E("Sts", E("Cd", status)),
        E("BookgDt", E("Dt", "2026-03-04")),
        E("ValDt", E("Dt", "2026-03-04")),
        E("AcctSvcrRef", f"BANKREF-{ref}"),
        E("BkTxCd", E("Domn", E("Cd", "PMNT"), E("Fmly", E("Cd", "ICDT"), E("SubFmlyCd", "ESCT")))),
    ]
    if details:
        parts.append(E("NtryDtls", *details))
    parts.append(E("AddtlNtryInf", f"entry {ref}"))
    return E("Ntry", *parts)


def tx_details(
    e2e: str | None, amount: str, direction: str, return_code: str | None = None
) -> etree._Element:
    refs = [E("MsgId", "RABATT-20260302-1"), E("InstrId", "I1")]
    if e2e:
        refs.append(E("EndToEndId", e2e))
    parts = [E("Refs", *refs), E("Amt", amount, Ccy="EUR"), E("CdtDbtInd", direction)]
    if return_code:
        parts.append(E("RtrInf", E("Rsn", E("Cd", return_code)), E("AddtlInf", "Returned")))
    return E("TxDtls", *parts)


def account_el() -> etree._Element:
    return E("Acct", E("Id", E("IBAN", "NO9386011117947")), E("Ccy", "NOK"))


def camt(kind: str, entries: list[etree._Element]) -> bytes:
    header = E("GrpHdr", E("MsgId", f"BANK-{kind}-0001"), E("CreDtTm", "2026-03-05T06:00:00Z"))
    if kind == "camt.054":
        body = E(
            "BkToCstmrDbtCdtNtfctn", header, E("Ntfctn", E("Id", "N1"), account_el(), *entries)
        )
    else:
        balance = E(
            "Bal",
            E("Tp", E("CdOrPrtry", E("Cd", "OPBD"))),
            E("Amt", "1000.00", Ccy="NOK"),
            E("CdtDbtInd", "CRDT"),
            E("Dt", E("Dt", "2026-03-04")),
        )
        body = E("BkToCstmrStmt", header, E("Stmt", E("Id", "S1"), account_el(), balance, *entries))
    return document(f"urn:iso:std:iso:20022:tech:xsd:{kind}.001.08", body)


@pytest.fixture
def batch() -> BatchSummary:
    _, summary = write([payment(n, "DE") for n in range(1, 5)])
    return summary


def test_pain002_round_trip(batch: BatchSummary) -> None:
    xml = pain002(
        batch,
        {
            "RB-DE-000001": ("ACSC", None),
            "RB-DE-000002": ("RJCT", "AC01"),
            "RB-DE-000003": ("ACCP", None),
            "RB-DE-000004": ("RJCT", "AC04"),
        },
    )
    assert_valid(xml, "pain.002.001.03")
    report = parse_bank_file(xml)
    assert (report.kind, report.version) == ("pain.002", "pain.002.001.03")
    assert report.message_id == "BANK-STS-0001"
    assert report.created_at == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    assert report.original_message_ids == ("RABATT-20260302-1",)
    final = report.final_outcomes()
    assert {k: v.outcome for k, v in final.items()} == {
        "RB-DE-000001": "paid",
        "RB-DE-000002": "failed",
        "RB-DE-000003": "pending",
        "RB-DE-000004": "failed",
    }
    assert (final["RB-DE-000002"].reason_code, final["RB-DE-000002"].reason_text) == (
        "AC01",
        "Incorrect account number",
    )
    assert final["RB-DE-000004"].reason_text == "Account closed"
    assert final["RB-DE-000001"].amount == Decimal("150.00")
    assert report.blocks[0].scope == "payment_information"
    assert report.blocks[0].bank_status == "PART"


def test_pain002_version_12_is_read_too(batch: BatchSummary) -> None:
    xml = pain002(batch, {"RB-DE-000001": ("RJCT", "MD07")}, version="pain.002.001.12")
    assert_valid(xml, "pain.002.001.12")
    outcome = parse_bank_file(xml).final_outcomes()["RB-DE-000001"]
    assert (outcome.outcome, outcome.reason_code, outcome.reason_text) == (
        "failed",
        "MD07",
        "End customer deceased",
    )


def test_pain002_rejecting_the_whole_file(batch: BatchSummary) -> None:
    xml = pain002(batch, {}, group_status="RJCT")
    report = parse_bank_file(xml)
    first = report.blocks[0]
    assert (first.scope, first.original_id, first.outcome) == (
        "message",
        "RABATT-20260302-1",
        "failed",
    )
    assert report.outcomes == ()


def test_pain002_rejecting_a_payment_block(batch: BatchSummary) -> None:
    body = E(
        "CstmrPmtStsRpt",
        E("GrpHdr", E("MsgId", "BANK-STS-2"), E("CreDtTm", "2026-03-03T08:00:00+01:00")),
        E("OrgnlGrpInfAndSts", E("OrgnlMsgId", batch.message_id), E("OrgnlMsgNmId", "pain.001")),
        E(
            "OrgnlPmtInfAndSts",
            E("OrgnlPmtInfId", batch.groups[0].payment_information_id),
            E("PmtInfSts", "RJCT"),
            reason("AM04"),
            E("TxInfAndSts", E("OrgnlEndToEndId", "RB-DE-000001")),
        ),
    )
    xml = document("urn:iso:std:iso:20022:tech:xsd:pain.002.001.03", body)
    assert_valid(xml, "pain.002.001.03")
    report = parse_bank_file(xml)
    assert report.created_at == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    block = report.blocks[0]
    assert (block.scope, block.original_id, block.outcome, block.reason_code) == (
        "payment_information",
        "RABATT-20260302-1-001",
        "failed",
        "AM04",
    )
    # A transaction listed without its own status has its block's.
    assert report.final_outcomes()["RB-DE-000001"].outcome == "failed"


@pytest.mark.parametrize("kind", ["camt.054", "camt.053"])
def test_camt_round_trip(kind: str, batch: BatchSummary) -> None:
    entries = [
        entry("150.00", "DBIT", [tx_details("RB-DE-000001", "150.00", "DBIT")], ref="A"),
        entry(
            "300.00",
            "DBIT",
            [
                tx_details("RB-DE-000002", "150.00", "DBIT"),
                tx_details("RB-DE-000003", "150.00", "DBIT"),
            ],
            ref="B",
        ),
        entry("150.00", "CRDT", [tx_details("RB-DE-000002", "150.00", "CRDT", "AC04")], ref="C"),
        entry("150.00", "DBIT", [tx_details("RB-DE-000004", "150.00", "DBIT")], status="PDNG"),
        entry("99.00", "CRDT", [], ref="D"),
        entry("10.00", "DBIT", [tx_details(None, "10.00", "DBIT")], ref="F"),
        entry("150.00", "DBIT", [tx_details("RB-XX-999999", "150.00", "DBIT")], ref="G"),
    ]
    xml = camt(kind, entries)
    assert_valid(xml, f"{kind}.001.08")
    report = parse_bank_file(xml, known_end_to_end_ids={f"RB-DE-00000{n}" for n in range(1, 5)})
    assert (report.kind, report.message_id) == (kind, f"BANK-{kind}-0001")
    final = report.final_outcomes()
    assert {k: v.outcome for k, v in final.items()} == {
        "RB-DE-000001": "paid",
        "RB-DE-000002": "failed",
        "RB-DE-000003": "paid",
        "RB-DE-000004": "pending",
    }
    returned = final["RB-DE-000002"]
    assert (returned.bank_status, returned.reason_code, returned.reason_text) == (
        "RTRN",
        "AC04",
        "Returned",
    )
    assert final["RB-DE-000001"].booked_on == date(2026, 3, 4)
    assert final["RB-DE-000003"].amount == Decimal("150.00")
    assert [(u.reference, u.credit_debit, u.amount) for u in report.unmatched] == [
        ("BANKREF-D", "CRDT", Decimal("99.00")),
        ("BANKREF-F", "DBIT", Decimal("10.00")),
        ("BANKREF-G", "DBIT", Decimal("150.00")),
    ]
    assert report.unmatched[2].end_to_end_id == "RB-XX-999999"


def test_camt_reversal_is_a_failure() -> None:
    xml = camt(
        "camt.054",
        [entry("150.00", "DBIT", [tx_details("RB-1", "150.00", "DBIT")], reversal=True)],
    )
    assert_valid(xml, "camt.054.001.08")
    assert parse_bank_file(xml).final_outcomes()["RB-1"].outcome == "failed"


def test_parse_accepts_a_file_object(batch: BatchSummary) -> None:
    xml = pain002(batch, {"RB-DE-000001": ("ACSC", None)})
    report = parse_bank_file(io.BytesIO(xml))
    assert isinstance(report, ReconciliationReport)
    assert report.final_outcomes()["RB-DE-000001"].outcome == "paid"


# Hostile input

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
<CstmrPmtStsRpt><GrpHdr><MsgId>&lol4;</MsgId></GrpHdr></CstmrPmtStsRpt></Document>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>&x;</MsgId></GrpHdr></BkToCstmrDbtCdtNtfctn></Document>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE Document SYSTEM "http://example.invalid/evil.dtd">
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"/>"""


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (BILLION_LAUGHS, "xml_forbidden_dtd"),
        (XXE, "xml_forbidden_dtd"),
        (EXTERNAL_DTD, "xml_forbidden_dtd"),
        (b"", "xml_malformed"),
        (b"%PDF-1.4 not xml", "xml_malformed"),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">'
            b"<CstmrPmtStsRpt><unclosed></CstmrPmtStsRpt></Document>",
            "xml_malformed",
        ),
        (b"\x00\x01\x02binary", "xml_malformed"),
        (b"<?xml version='1.0' encoding='bogus'?><a/>", "xml_malformed"),
        (b"<Document/>", "xml_wrong_message"),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"/>',
            "xml_wrong_message",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">'
            b"<BkToCstmrStmt/></Document>",
            "xml_wrong_message",
        ),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', "xml_wrong_message"),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">'
            b"<BkToCstmrDbtCdtNtfctn><GrpHdr/></BkToCstmrDbtCdtNtfctn></Document>",
            "xml_missing_element",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">'
            b"<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>M</MsgId></GrpHdr><Ntfctn><Ntry>"
            b'<Amt Ccy="EUR">lots</Amt></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>',
            "xml_invalid_value",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">'
            b"<CstmrPmtStsRpt><GrpHdr><MsgId>M</MsgId><CreDtTm>yesterday</CreDtTm></GrpHdr>"
            b"</CstmrPmtStsRpt></Document>",
            "xml_invalid_value",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">'
            b"<CstmrPmtStsRpt><GrpHdr><MsgId>M</MsgId></GrpHdr></CstmrPmtStsRpt></Document>",
            "xml_missing_element",
        ),
    ],
)
def test_hostile_or_broken_files_give_a_clear_error(data: bytes, code: str) -> None:
    with pytest.raises(Iso20022Error) as info:
        parse_bank_file(data)
    assert info.value.code == code
    with pytest.raises(Iso20022Error) as again:
        parse_bank_file(io.BytesIO(data))
    assert again.value.code == code


def test_size_limit(batch: BatchSummary) -> None:
    xml = pain002(batch, {"RB-DE-000001": ("ACSC", None)})
    for source in (xml, io.BytesIO(xml)):
        with pytest.raises(Iso20022Error) as info:
            parse_bank_file(source, max_bytes=len(xml) - 1)
        assert info.value.code == "xml_too_large"
    assert parse_bank_file(io.BytesIO(xml), max_bytes=len(xml)).message_id == "BANK-STS-0001"
