"""Stream customer credit transfer initiations (pain.001) to a file, one payment at a time."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal, Protocol

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from rabatt.banking import BankAccount
from rabatt.core.money import MoneyError, round_money

from .errors import Iso20022Error
from .text import check_id, clean_text, escape

PainVersion = Literal["pain.001.001.09", "pain.001.001.03"]
ChargeBearer = Literal["SLEV", "SHAR", "DEBT", "CRED"]
PAIN_001_001_09: PainVersion = "pain.001.001.09"
PAIN_001_001_03: PainVersion = "pain.001.001.03"
VERSIONS: tuple[PainVersion, ...] = (PAIN_001_001_09, PAIN_001_001_03)

# EPC SEPA Credit Transfer limits: names 70 characters, unstructured remittance 140,
# amounts 0.01 to 999 999 999.99 EUR.
SEPA_MAX_AMOUNT = Decimal("999999999.99")
NAME_MAX = {True: 70, False: 140}
REMITTANCE_MAX = 140
# About 200 payments per write() call: few system calls, little memory.
_FLUSH_PARTS = 8192
_ACCOUNT_TYPE_CODES = {"checking": "CACC", "savings": "SVGS"}


class BinaryOutput(Protocol):
    """Anything with ``write(bytes)``: an open file, a BytesIO, a Django File, a socket wrapper."""

    def write(self, data: bytes, /) -> Any: ...


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """A creditor's address; cross-border non-SEPA payments increasingly need town and country."""

    country: str
    town: str | None = None
    postcode: str | None = None
    street: str | None = None
    building_number: str | None = None


@dataclass(frozen=True, slots=True)
class Debtor:
    """The paying account (the administrator's or brand's payout account)."""

    name: str
    iban: str
    country: str
    bic: str | None = None
    # Customer or agreement id that some banks require in InitgPty (e.g. a CBI or CUC id).
    initiating_party_id: str | None = None


@dataclass(frozen=True, slots=True)
class CreditTransfer:
    """One payout: the end-to-end id ties it to its claim and comes back in bank reports."""

    end_to_end_id: str
    instruction_id: str
    amount: Decimal
    currency: str
    creditor_name: str
    account: BankAccount
    remittance: str
    creditor_address: PostalAddress | None = None


@dataclass(frozen=True, slots=True)
class PaymentGroup:
    """One PmtInf block: payments sharing currency, service level and charge bearer."""

    payment_information_id: str
    currency: str
    sepa: bool
    charge_bearer: ChargeBearer
    number_of_transactions: int
    control_sum: Decimal


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """What was written: totals as in the group header, the blocks, and the file's digest."""

    message_id: str
    version: PainVersion
    number_of_transactions: int
    control_sum: Decimal
    groups: tuple[PaymentGroup, ...]
    sha256: str
    size: int


_GroupKey = tuple[str, bool, ChargeBearer]


@dataclass(slots=True)
class _Tally:
    count: int = 0
    total: Decimal = field(default_factory=Decimal)


def _is_sepa(payment: CreditTransfer, debtor: Debtor) -> bool:
    # Every euro country we pay to is in SEPA, and the currency check in banking guarantees
    # that a EUR payment goes to an IBAN in a euro country.
    return payment.currency == "EUR" and payment.account.iban is not None and bool(debtor.iban)


def _charge_bearer(
    payment: CreditTransfer, debtor: Debtor, sepa: bool, override: ChargeBearer | None
) -> ChargeBearer:
    if sepa:
        return "SLEV"
    if override:
        return override
    # Cashback must arrive in full: abroad the payer takes all fees; at home fees are shared,
    # which in practice means each side pays its own bank.
    return "SHAR" if payment.account.country == debtor.country else "DEBT"


def _debtor_account(debtor: Debtor) -> tuple[str, str | None]:
    """Return the debtor's IBAN and BIC in their compact forms, or refuse them."""
    try:
        iban = str(IBAN(debtor.iban).compact)
        bic = str(BIC(debtor.bic).compact) if debtor.bic else None
    except SchwiftyException as exc:
        raise Iso20022Error("payment_invalid", f"debtor account: {exc}") from None
    if not clean_text(debtor.name, max_length=70, strict=True) or len(debtor.country) != 2:
        raise Iso20022Error("payment_invalid", "debtor name or country missing")
    return iban, bic


def _check_payment(payment: CreditTransfer, sepa: bool) -> None:
    check_id(payment.end_to_end_id, "end-to-end id")
    check_id(payment.instruction_id, "instruction id")
    if not clean_text(payment.creditor_name, max_length=NAME_MAX[sepa], strict=sepa):
        raise Iso20022Error("payment_invalid", f"{payment.end_to_end_id}: creditor name empty")
    amount = payment.amount
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise Iso20022Error("payment_invalid", f"{payment.end_to_end_id}: amount {amount!r}")
    try:
        rounded = round_money(amount, payment.currency)
    except MoneyError as exc:
        raise Iso20022Error("payment_invalid", f"{payment.end_to_end_id}: {exc}") from None
    if rounded != amount:
        # Rounding here would make the file disagree with the ledger it came from.
        raise Iso20022Error(
            "payment_invalid", f"{payment.end_to_end_id}: {amount} has too many decimals"
        )
    if sepa and amount > SEPA_MAX_AMOUNT:
        raise Iso20022Error("payment_invalid", f"{payment.end_to_end_id}: amount over SEPA limit")
    if payment.account.currency != payment.currency:
        raise Iso20022Error("payment_invalid", f"{payment.end_to_end_id}: account currency differs")


class _Writer:
    """Buffered, indenting XML writer; output depends only on what it is given."""

    def __init__(self, out: BinaryOutput) -> None:
        self._out = out
        self._parts: list[str] = []
        self._depth = 0
        self._indent = ""
        self._digest = hashlib.sha256()
        self.size = 0

    def raw(self, text: str) -> None:
        self._parts.append(text)

    def open(self, tag: str, attrs: str = "") -> None:
        self._parts.append(f"{self._indent}<{tag}{attrs}>\n")
        self._depth += 1
        self._indent = "  " * self._depth

    def close(self, tag: str) -> None:
        self._depth -= 1
        self._indent = "  " * self._depth
        self._parts.append(f"{self._indent}</{tag}>\n")

    def leaf(self, tag: str, text: str, attrs: str = "") -> None:
        self._parts.append(f"{self._indent}<{tag}{attrs}>{escape(text)}</{tag}>\n")

    def path(self, tags: str, text: str) -> None:
        """Write a chain of single-child elements, ``A/B/C`` holding ``text``."""
        names = tags.split("/")
        for name in names[:-1]:
            self.open(name)
        self.leaf(names[-1], text)
        for name in reversed(names[:-1]):
            self.close(name)

    def maybe_flush(self) -> None:
        if len(self._parts) >= _FLUSH_PARTS:
            self.flush()

    def flush(self) -> None:
        data = "".join(self._parts).encode("utf-8")
        self._parts.clear()
        self._out.write(data)
        self._digest.update(data)
        self.size += len(data)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def _amount(value: Decimal, currency: str | None = None) -> str:
    return f"{round_money(value, currency) if currency else value:f}"


def _timestamp(created_at: datetime) -> str:
    if created_at.tzinfo is None or created_at.utcoffset() is None:
        raise Iso20022Error("payment_invalid", "creation time must be timezone-aware")
    return created_at.astimezone(UTC).replace(microsecond=0).isoformat()


def _summarise(
    payments: Iterable[CreditTransfer], debtor: Debtor, charge_bearer: ChargeBearer | None
) -> dict[_GroupKey, _Tally]:
    tallies: dict[_GroupKey, _Tally] = {}
    for payment in payments:
        sepa = _is_sepa(payment, debtor)
        _check_payment(payment, sepa)
        key = (payment.currency, sepa, _charge_bearer(payment, debtor, sepa, charge_bearer))
        tally = tallies.setdefault(key, _Tally())
        tally.count += 1
        tally.total += payment.amount
    return tallies


def write_pain001(
    out: BinaryOutput,
    *,
    debtor: Debtor,
    message_id: str,
    created_at: datetime,
    execution_date: date,
    payments: Callable[[], Iterable[CreditTransfer]],
    version: PainVersion = PAIN_001_001_09,
    batch_booking: bool = False,
    charge_bearer: ChargeBearer | None = None,
) -> BatchSummary:
    """Write a pain.001 credit transfer file for ``payments`` to ``out`` and summarise it.

    ``payments`` is called once to count and sum, then once per payment block (one block per
    currency, SEPA or not, and charge bearer: usually exactly one) and must yield the same
    payments in the same order each time, e.g. ``lambda: qs.order_by("pk").iterator()``.
    """
    if version not in VERSIONS:
        raise Iso20022Error("payment_invalid", f"unsupported version {version!r}")
    check_id(message_id, "message id")
    debtor_iban, debtor_bic = _debtor_account(debtor)
    timestamp = _timestamp(created_at)
    tallies = _summarise(payments(), debtor, charge_bearer)
    if not tallies:
        raise Iso20022Error("batch_empty")
    total_count = sum(t.count for t in tallies.values())
    total_sum = sum((t.total for t in tallies.values()), Decimal(0))
    initiating = clean_text(debtor.name, max_length=70, strict=True)
    v09 = version == PAIN_001_001_09
    bic_tag = "BICFI" if v09 else "BIC"

    w = _Writer(out)
    w.raw('<?xml version="1.0" encoding="UTF-8"?>\n')
    w.open("Document", f' xmlns="urn:iso:std:iso:20022:tech:xsd:{version}"')
    w.open("CstmrCdtTrfInitn")
    w.open("GrpHdr")
    w.leaf("MsgId", message_id)
    w.leaf("CreDtTm", timestamp)
    w.leaf("NbOfTxs", str(total_count))
    w.leaf("CtrlSum", _amount(total_sum))
    w.open("InitgPty")
    w.leaf("Nm", initiating)
    if debtor.initiating_party_id:
        w.path(
            "Id/OrgId/Othr/Id", clean_text(debtor.initiating_party_id, max_length=35, strict=True)
        )
    w.close("InitgPty")
    w.close("GrpHdr")

    groups: list[PaymentGroup] = []
    for index, ((currency, sepa, bearer), tally) in enumerate(tallies.items(), start=1):
        group = PaymentGroup(
            payment_information_id=f"{message_id[:30]}-{index:03d}",
            currency=currency,
            sepa=sepa,
            charge_bearer=bearer,
            number_of_transactions=tally.count,
            control_sum=tally.total,
        )
        groups.append(group)
        w.open("PmtInf")
        w.leaf("PmtInfId", group.payment_information_id)
        w.leaf("PmtMtd", "TRF")
        w.leaf("BtchBookg", "true" if batch_booking else "false")
        w.leaf("NbOfTxs", str(tally.count))
        w.leaf("CtrlSum", _amount(tally.total))
        w.open("PmtTpInf")
        w.path("SvcLvl/Cd", "SEPA" if sepa else "NURG")
        w.close("PmtTpInf")
        w.path("ReqdExctnDt/Dt" if v09 else "ReqdExctnDt", execution_date.isoformat())
        w.open("Dbtr")
        w.leaf("Nm", clean_text(debtor.name, max_length=NAME_MAX[sepa], strict=True))
        w.path("PstlAdr/Ctry", debtor.country)
        w.close("Dbtr")
        w.open("DbtrAcct")
        w.path("Id/IBAN", debtor_iban)
        w.close("DbtrAcct")
        w.open("DbtrAgt")
        if debtor_bic:
            w.path(f"FinInstnId/{bic_tag}", debtor_bic)
        else:
            w.path("FinInstnId/Othr/Id", "NOTPROVIDED")
        w.close("DbtrAgt")
        w.leaf("ChrgBr", bearer)
        written = _Tally()
        for payment in _select(payments(), debtor, charge_bearer, (currency, sepa, bearer)):
            _write_transaction(w, payment, sepa=sepa, bic_tag=bic_tag)
            w.maybe_flush()
            written.count += 1
            written.total += payment.amount
        if (written.count, written.total) != (tally.count, tally.total):
            # The header already promised other totals; the caller must discard this file.
            raise Iso20022Error("batch_changed", group.payment_information_id)
        w.close("PmtInf")
    w.close("CstmrCdtTrfInitn")
    w.close("Document")
    w.flush()
    return BatchSummary(
        message_id=message_id,
        version=version,
        number_of_transactions=total_count,
        control_sum=total_sum,
        groups=tuple(groups),
        sha256=w.hexdigest(),
        size=w.size,
    )


def _select(
    payments: Iterable[CreditTransfer],
    debtor: Debtor,
    charge_bearer: ChargeBearer | None,
    key: _GroupKey,
) -> Iterator[CreditTransfer]:
    for payment in payments:
        sepa = _is_sepa(payment, debtor)
        if (payment.currency, sepa, _charge_bearer(payment, debtor, sepa, charge_bearer)) == key:
            # Amounts and names were checked in the first pass and the totals are compared
            # after this one; identifiers go into the XML as they are, so check them again.
            check_id(payment.end_to_end_id, "end-to-end id")
            check_id(payment.instruction_id, "instruction id")
            yield payment


def _write_transaction(w: _Writer, payment: CreditTransfer, *, sepa: bool, bic_tag: str) -> None:
    account = payment.account
    w.open("CdtTrfTxInf")
    w.open("PmtId")
    w.leaf("InstrId", payment.instruction_id)
    w.leaf("EndToEndId", payment.end_to_end_id)
    w.close("PmtId")
    w.open("Amt")
    w.leaf("InstdAmt", _amount(payment.amount, payment.currency), f' Ccy="{payment.currency}"')
    w.close("Amt")
    if account.bic:
        w.open("CdtrAgt")
        w.path(f"FinInstnId/{bic_tag}", account.bic)
        w.close("CdtrAgt")
    elif account.clearing_system:
        w.open("CdtrAgt")
        w.open("FinInstnId")
        w.open("ClrSysMmbId")
        w.path("ClrSysId/Cd", account.clearing_system)
        w.leaf("MmbId", account.clearing_member_id or "")
        w.close("ClrSysMmbId")
        w.path("PstlAdr/Ctry", account.country)
        w.close("FinInstnId")
        w.close("CdtrAgt")
    w.open("Cdtr")
    w.leaf("Nm", clean_text(payment.creditor_name, max_length=NAME_MAX[sepa], strict=sepa))
    _write_address(w, payment.creditor_address, account.country, strict=sepa)
    w.close("Cdtr")
    w.open("CdtrAcct")
    w.open("Id")
    if account.iban:
        w.leaf("IBAN", account.iban)
    else:
        w.path("Othr/Id", account.account_number)
    w.close("Id")
    if account.account_type:
        w.path("Tp/Cd", _ACCOUNT_TYPE_CODES[account.account_type])
    w.close("CdtrAcct")
    remittance = clean_text(payment.remittance, max_length=REMITTANCE_MAX, strict=sepa)
    if remittance:
        w.path("RmtInf/Ustrd", remittance)
    w.close("CdtTrfTxInf")


def _write_address(
    w: _Writer, address: PostalAddress | None, country: str, *, strict: bool
) -> None:
    w.open("PstlAdr")
    if address is not None:
        for tag, value, limit in (
            ("StrtNm", address.street, 70),
            ("BldgNb", address.building_number, 16),
            ("PstCd", address.postcode, 16),
            ("TwnNm", address.town, 35),
        ):
            text = clean_text(value or "", max_length=limit, strict=strict)
            if text:
                w.leaf(tag, text)
        country = address.country
    w.leaf("Ctry", country)
    w.close("PstlAdr")
