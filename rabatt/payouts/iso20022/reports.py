"""Read bank status reports (pain.002) and statements (camt.053, camt.054) as payment outcomes.

Uploaded files are hostile: the parser streams, refuses DTDs and entities, never touches
the network, caps the size, and turns every failure into an ``Iso20022Error``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Container, Generator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Literal

from lxml import etree

from .errors import Iso20022Error
from .reasons import reason_text

Outcome = Literal["paid", "failed", "pending"]
Kind = Literal["pain.002", "camt.053", "camt.054"]

MAX_BYTES = 64 * 1024 * 1024
_NAMESPACE = re.compile(
    r"urn:iso:std:iso:20022:tech:xsd:(pain\.002|camt\.053|camt\.054)\.001\.\d\d"
)
_ROOTS = {
    "pain.002": "CstmrPmtStsRpt",
    "camt.053": "BkToCstmrStmt",
    "camt.054": "BkToCstmrDbtCdtNtfctn",
}
_PAID = frozenset({"ACSC", "ACCC"})
_FAILED = frozenset({"RJCT", "CANC"})
_RANK: dict[Outcome, int] = {"pending": 0, "paid": 1, "failed": 2}
_NOT_PROVIDED = frozenset({"", "NOTPROVIDED"})


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    """What the bank says happened to one payment, found by its end-to-end id."""

    end_to_end_id: str
    outcome: Outcome
    bank_status: str
    reason_code: str | None = None
    reason_text: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    booked_on: date | None = None
    instruction_id: str | None = None


@dataclass(frozen=True, slots=True)
class BlockStatus:
    """A status for a whole message or payment block (pain.002 without per-payment detail)."""

    scope: Literal["message", "payment_information"]
    original_id: str
    outcome: Outcome
    bank_status: str
    reason_code: str | None = None
    reason_text: str | None = None


@dataclass(frozen=True, slots=True)
class UnmatchedEntry:
    """A statement entry that names none of our payments, for a person to look at."""

    reference: str | None
    amount: Decimal | None
    currency: str | None
    credit_debit: str | None
    booked_on: date | None
    end_to_end_id: str | None = None
    info: str | None = None


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    """Everything read from one bank file; ``message_id`` makes re-imports detectable."""

    kind: Kind
    version: str
    message_id: str
    created_at: datetime | None
    original_message_ids: tuple[str, ...]
    blocks: tuple[BlockStatus, ...]
    outcomes: tuple[PaymentOutcome, ...]
    unmatched: tuple[UnmatchedEntry, ...]

    def final_outcomes(self) -> dict[str, PaymentOutcome]:
        """Return one outcome per end-to-end id: failed beats paid beats pending."""
        final: dict[str, PaymentOutcome] = {}
        for outcome in self.outcomes:
            current = final.get(outcome.end_to_end_id)
            if current is None or _RANK[outcome.outcome] >= _RANK[current.outcome]:
                final[outcome.end_to_end_id] = outcome
        return final


def _status_outcome(status: str) -> Outcome:
    if status in _PAID:
        return "paid"
    if status in _FAILED:
        return "failed"
    return "pending"


class _Limited(io.RawIOBase):
    """A read-only stream that fails once more than ``limit`` bytes were read."""

    def __init__(self, source: IO[bytes], limit: int) -> None:
        self._source = source
        self._left = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._source.read(min(len(buffer), self._left + 1))
        if len(data) > self._left:
            raise Iso20022Error("xml_too_large")
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)


class _Flat:
    """An element's descendants by ``A/B`` path of local names, for fast repeated look-ups."""

    __slots__ = ("_found",)

    def __init__(self, el: etree._Element, strip: int, skip: str | None = None) -> None:
        found: dict[str, etree._Element] = {}

        def walk(node: etree._Element, prefix: str) -> None:
            for child in node:
                name = prefix + child.tag[strip:]
                if name == skip:
                    continue
                found.setdefault(name, child)
                if len(child):
                    walk(child, name + "/")

        walk(el, "")
        self._found = found

    def text(self, path: str) -> str | None:
        el = self._found.get(path)
        if el is None or el.text is None:
            return None
        return el.text.strip() or None

    def has(self, path: str) -> bool:
        return path in self._found

    def required(self, path: str) -> str:
        value = self.text(path)
        if value is None:
            raise Iso20022Error("xml_missing_element", path)
        return value

    def amount(self, path: str) -> tuple[Decimal | None, str | None]:
        el = self._found.get(path)
        if el is None or not el.text:
            return None, None
        try:
            value = Decimal(el.text.strip())
        except InvalidOperation:
            raise Iso20022Error("xml_invalid_value", f"{path}: {el.text[:40]!r}") from None
        if not value.is_finite():
            raise Iso20022Error("xml_invalid_value", f"{path}: {el.text[:40]!r}")
        return value, el.get("Ccy")

    def date(self, path: str) -> date | None:
        value = self.text(f"{path}/Dt") or self.text(f"{path}/DtTm") or self.text(path)
        if value is None:
            return None
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            raise Iso20022Error("xml_invalid_value", f"{path}: {value[:40]!r}") from None

    def datetime(self, path: str) -> datetime | None:
        value = self.text(path)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise Iso20022Error("xml_invalid_value", f"{path}: {value[:40]!r}") from None
        # Banks often omit the offset; their files are in UTC more often than not.
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)

    def reason(self, path: str) -> tuple[str | None, str | None]:
        code = self.text(f"{path}/Rsn/Cd") or self.text(f"{path}/Rsn/Prtry")
        return code, reason_text(code, self.text(f"{path}/AddtlInf"))


# Only these elements produce events; everything else is read through them.
_HANDLED = ("GrpHdr", "OrgnlGrpInfAndSts", "PmtInfSts", "OrgnlPmtInfAndSts", "TxInfAndSts", "Ntry")


def _events(source: bytes | IO[bytes], max_bytes: int) -> Generator[tuple[str, etree._Element]]:
    if isinstance(source, bytes | bytearray):
        if len(source) > max_bytes:
            raise Iso20022Error("xml_too_large")
        stream: IO[bytes] = io.BytesIO(source)
    else:
        stream = io.BufferedReader(_Limited(source, max_bytes))
    parser = etree.iterparse(
        stream,
        events=("start", "end"),
        tag=[f"{{*}}{name}" for name in ("Document", *_ROOTS.values(), *_HANDLED)],
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        first = True
        for event, el in parser:
            if first:
                first = False
                info = el.getroottree().docinfo
                # Billion laughs and XXE both need a DTD; ISO 20022 messages never have one.
                if info.internalDTD is not None or info.externalDTD is not None or info.doctype:
                    raise Iso20022Error("xml_forbidden_dtd")
            yield event, el
    except etree.XMLSyntaxError as exc:
        raise Iso20022Error("xml_malformed", str(exc)[:200]) from None
    except (ValueError, LookupError, UnicodeError) as exc:
        raise Iso20022Error("xml_malformed", str(exc)[:200]) from None


def _release(el: etree._Element) -> None:
    """Drop a processed element and its finished siblings so memory stays flat."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    if parent is None:
        return
    previous = el.getprevious()
    while previous is not None and previous.tag == el.tag:
        parent.remove(previous)
        previous = el.getprevious()


def parse_bank_file(
    source: bytes | IO[bytes],
    *,
    known_end_to_end_ids: Container[str] | None = None,
    max_bytes: int = MAX_BYTES,
) -> ReconciliationReport:
    """Parse a pain.002, camt.053 or camt.054 file into payment outcomes.

    With ``known_end_to_end_ids``, statement entries for other ids go to ``unmatched``.
    """
    events = _events(source, max_bytes)
    try:
        state: _State | None = None
        for event, el in events:
            if state is None:
                state = _start(event, el, known_end_to_end_ids)
            elif event == "start":
                state.enter(el)
            elif el.tag.startswith(state.prefix):
                state.handle(el.tag[state.strip :], el)
        if state is None:
            raise Iso20022Error("xml_wrong_message", "no ISO 20022 Document element")
    finally:
        events.close()
    return state.report()


def _start(event: str, root: etree._Element, known: Container[str] | None) -> _State:
    qname = etree.QName(root)
    namespace = qname.namespace or ""
    match = _NAMESPACE.fullmatch(namespace)
    if event != "start" or root.getparent() is not None or match is None:
        raise Iso20022Error("xml_wrong_message", namespace or qname.localname)
    kind: Kind = match.group(1)  # type: ignore[assignment]
    return _State(
        kind=kind,
        version=namespace.rsplit(":", 1)[1],
        prefix=f"{{{namespace}}}",
        strip=len(namespace) + 2,
        known=known,
    )


@dataclass(slots=True)
class _State:
    kind: Kind
    version: str
    prefix: str
    strip: int
    known: Container[str] | None
    message_id: str | None = None
    created_at: datetime | None = None
    block_status: str | None = None
    seen_body: bool = False
    _originals: list[str] = field(default_factory=list)
    _blocks: list[BlockStatus] = field(default_factory=list)
    _outcomes: list[PaymentOutcome] = field(default_factory=list)
    _unmatched: list[UnmatchedEntry] = field(default_factory=list)

    def flat(self, el: etree._Element, skip: str | None = None) -> _Flat:
        return _Flat(el, self.strip, skip)

    def enter(self, el: etree._Element) -> None:
        parent = el.getparent()
        if parent is not None and parent.getparent() is None:
            # A child of Document must be this message's body (a camt.054 is no statement).
            if el.tag != self.prefix + _ROOTS[self.kind]:
                raise Iso20022Error("xml_wrong_message", etree.QName(el).localname)
            self.seen_body = True

    def handle(self, name: str, el: etree._Element) -> None:
        if name == "GrpHdr" and self.message_id is None:
            header = self.flat(el)
            self.message_id = header.required("MsgId")
            self.created_at = header.datetime("CreDtTm")
        elif name == "OrgnlGrpInfAndSts":
            self._group(self.flat(el))
        elif name == "PmtInfSts":
            self.block_status = (el.text or "").strip() or None
        elif name == "TxInfAndSts":
            self._transaction_status(self.flat(el))
            _release(el)
        elif name == "OrgnlPmtInfAndSts":
            self._payment_block(self.flat(el, skip="TxInfAndSts"))
            self.block_status = None
            _release(el)
        elif name == "Ntry":
            self._entry(el)
            _release(el)

    def _group(self, group: _Flat) -> None:
        original = group.required("OrgnlMsgId")
        self._originals.append(original)
        status = group.text("GrpSts")
        if status:
            code, text = group.reason("StsRsnInf")
            self._blocks.append(
                BlockStatus("message", original, _status_outcome(status), status, code, text)
            )

    def _payment_block(self, block: _Flat) -> None:
        status = block.text("PmtInfSts")
        if status:
            code, text = block.reason("StsRsnInf")
            original = block.required("OrgnlPmtInfId")
            self._blocks.append(
                BlockStatus(
                    "payment_information", original, _status_outcome(status), status, code, text
                )
            )

    def _transaction_status(self, tx: _Flat) -> None:
        end_to_end = tx.text("OrgnlEndToEndId")
        # Without its own status a transaction has its block's (pain.002 sends it first).
        status = tx.text("TxSts") or self.block_status or "PDNG"
        code, text = tx.reason("StsRsnInf")
        amount, currency = tx.amount("OrgnlTxRef/Amt/InstdAmt")
        if end_to_end is None or end_to_end in _NOT_PROVIDED:
            self._unmatched.append(
                UnmatchedEntry(tx.text("OrgnlInstrId"), amount, currency, None, None, None, text)
            )
            return
        self._outcomes.append(
            PaymentOutcome(
                end_to_end_id=end_to_end,
                outcome=_status_outcome(status),
                bank_status=status,
                reason_code=code,
                reason_text=text,
                amount=amount,
                currency=currency,
                instruction_id=tx.text("OrgnlInstrId"),
            )
        )

    def _entry(self, el: etree._Element) -> None:
        entry = self.flat(el, skip="NtryDtls")
        status = entry.text("Sts/Cd") or entry.text("Sts/Prtry") or entry.text("Sts") or "BOOK"
        direction = entry.text("CdtDbtInd")
        reversal = (entry.text("RvslInd") or "").lower() == "true"
        booked_on = entry.date("BookgDt")
        amount, currency = entry.amount("Amt")
        reference = entry.text("AcctSvcrRef") or entry.text("NtryRef")
        info = entry.text("AddtlNtryInf")
        details = [
            self.flat(tx)
            for group in el.iterchildren(self.prefix + "NtryDtls")
            for tx in group.iterchildren(self.prefix + "TxDtls")
        ]
        if not details:
            self._unmatched.append(
                UnmatchedEntry(reference, amount, currency, direction, booked_on, None, info)
            )
            return
        for tx in details:
            tx_amount, tx_currency = tx.amount("Amt")
            if tx_amount is None:
                tx_amount, tx_currency = tx.amount("AmtDtls/TxAmt/Amt")
            if tx_amount is None and len(details) == 1:
                tx_amount, tx_currency = amount, currency
            end_to_end = tx.text("Refs/EndToEndId")
            tx_direction = tx.text("CdtDbtInd") or direction
            returned = tx.has("RtrInf")
            unknown = self.known is not None and end_to_end not in self.known
            if (
                end_to_end is None
                or end_to_end in _NOT_PROVIDED
                or unknown
                or (tx_direction == "CRDT" and not returned)
            ):
                self._unmatched.append(
                    UnmatchedEntry(
                        tx.text("Refs/AcctSvcrRef") or reference,
                        tx_amount,
                        tx_currency,
                        tx_direction,
                        booked_on,
                        end_to_end,
                        tx.text("AddtlTxInf") or info,
                    )
                )
                continue
            outcome: Outcome
            if returned:
                outcome, bank_status = "failed", "RTRN"
                code, text = tx.reason("RtrInf")
            elif reversal:
                outcome, bank_status, code, text = "failed", "RVSL", None, "Reversed by the bank"
            elif status == "BOOK":
                outcome, bank_status, code, text = "paid", status, None, None
            else:
                outcome, bank_status, code, text = "pending", status, None, None
            self._outcomes.append(
                PaymentOutcome(
                    end_to_end_id=end_to_end,
                    outcome=outcome,
                    bank_status=bank_status,
                    reason_code=code,
                    reason_text=text,
                    amount=tx_amount,
                    currency=tx_currency,
                    booked_on=booked_on,
                    instruction_id=tx.text("Refs/InstrId"),
                )
            )

    def report(self) -> ReconciliationReport:
        if not self.seen_body:
            raise Iso20022Error("xml_wrong_message", _ROOTS[self.kind] + " missing")
        if self.message_id is None:
            raise Iso20022Error("xml_missing_element", "GrpHdr/MsgId")
        if self.kind == "pain.002" and not self._originals:
            raise Iso20022Error("xml_missing_element", "OrgnlGrpInfAndSts/OrgnlMsgId")
        return ReconciliationReport(
            kind=self.kind,
            version=self.version,
            message_id=self.message_id,
            created_at=self.created_at,
            original_message_ids=tuple(self._originals),
            blocks=tuple(self._blocks),
            outcomes=tuple(self._outcomes),
            unmatched=tuple(self._unmatched),
        )
