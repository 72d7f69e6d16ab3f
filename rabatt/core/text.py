"""Checks on free text that ends up in e-mails, bank files and logs."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 and C1 controls and the Unicode line and paragraph separators: a line break in a name
# becomes a new header or a forged line in an e-mail, a bank file or a log.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
SINGLE_LINE_MESSAGE = _("Please use a single line, without line breaks or control characters.")
# For OpenAPI schemas: the same rule as a JSON Schema pattern.
SINGLE_LINE_PATTERN = "^[^\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]*$"


def has_control_chars(text: str) -> bool:
    """Tell whether ``text`` holds a line break or another control character."""
    return bool(_CONTROL.search(text))


def single_line(value: str) -> None:
    """Refuse a form value with a line break or another control character."""
    if has_control_chars(value):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="control_characters")
