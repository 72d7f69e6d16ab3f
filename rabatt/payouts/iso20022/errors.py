"""Errors raised while writing or reading ISO 20022 bank files."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rabatt.core.errors import DomainError

MESSAGES: dict[str, Promise] = {
    "xml_malformed": _("The file is not well-formed XML."),
    "xml_forbidden_dtd": _(
        "The file contains a DTD or entity declarations, which are not allowed."
    ),
    "xml_too_large": _("The file is too large."),
    "xml_wrong_message": _("The file is not a supported ISO 20022 message."),
    "xml_missing_element": _("The file lacks a required element."),
    "xml_invalid_value": _("The file contains a value that cannot be read."),
    "payment_invalid": _("A payment cannot be written to the bank file."),
    "batch_changed": _("The payments changed while the bank file was being written."),
    "batch_empty": _("A bank file needs at least one payment."),
}


class Iso20022Error(DomainError):
    """A bank file that cannot be written or read."""

    code = "iso20022_invalid"

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(MESSAGES[code], code=code, fields={"detail": detail} if detail else None)
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.message} ({self.detail})" if self.detail else str(self.message)
