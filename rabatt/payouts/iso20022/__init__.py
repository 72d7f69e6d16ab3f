"""ISO 20022 bank files: streaming pain.001 writer and pain.002/camt.053/camt.054 readers."""

from .errors import Iso20022Error
from .pain001 import (
    PAIN_001_001_03,
    PAIN_001_001_09,
    BatchSummary,
    BinaryOutput,
    ChargeBearer,
    CreditTransfer,
    Debtor,
    PainVersion,
    PaymentGroup,
    PostalAddress,
    write_pain001,
)
from .reasons import REASONS, reason_text
from .reports import (
    BlockStatus,
    Outcome,
    PaymentOutcome,
    ReconciliationReport,
    UnmatchedEntry,
    parse_bank_file,
)
from .text import clean_text, transliterate

__all__ = [
    "PAIN_001_001_03",
    "PAIN_001_001_09",
    "REASONS",
    "BatchSummary",
    "BinaryOutput",
    "BlockStatus",
    "ChargeBearer",
    "CreditTransfer",
    "Debtor",
    "Iso20022Error",
    "Outcome",
    "PainVersion",
    "PaymentGroup",
    "PaymentOutcome",
    "PostalAddress",
    "ReconciliationReport",
    "UnmatchedEntry",
    "clean_text",
    "parse_bank_file",
    "reason_text",
    "transliterate",
    "write_pain001",
]
