"""Names of the ISO 20022 external status and return reason codes banks send back most."""

from __future__ import annotations

REASONS: dict[str, str] = {
    "AC01": "Incorrect account number",
    "AC03": "Invalid creditor account number",
    "AC04": "Closed account number",
    "AC06": "Blocked account",
    "AC13": "Invalid debtor account type",
    "AG01": "Transaction forbidden",
    "AG02": "Invalid bank operation code",
    "AM01": "Zero amount",
    "AM02": "Not allowed amount",
    "AM04": "Insufficient funds",
    "AM05": "Duplication",
    "AM09": "Wrong amount",
    "BE01": "Inconsistent with end customer",
    "BE04": "Missing creditor address",
    "BE05": "Unrecognised initiating party",
    "CNOR": "Creditor bank is not registered",
    "CUST": "Requested by customer",
    "DNOR": "Debtor bank is not registered",
    "DT01": "Invalid date",
    "DUPL": "Duplicate payment",
    "ED05": "Settlement failed",
    "FF01": "Invalid file format",
    "FOCR": "Following cancellation request",
    "FRAD": "Fraudulent origin",
    "MD07": "End customer deceased",
    "MS02": "Not specified reason, customer generated",
    "MS03": "Not specified reason, agent generated",
    "NARR": "Narrative",
    "RC01": "Bank identifier incorrect",
    "RR01": "Missing debtor account or identification",
    "RR02": "Missing debtor name or address",
    "RR03": "Missing creditor name or address",
    "RR04": "Regulatory reason",
    "TECH": "Technical problem",
    "TM01": "Received after cut-off time",
}


def reason_text(code: str | None, additional: str | None = None) -> str | None:
    """Return the bank's own explanation if given, else the code's ISO name."""
    if additional:
        return additional
    return REASONS.get(code or "")
