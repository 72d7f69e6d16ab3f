"""Read JSON bodies: every operation takes an object, so anything else is refused."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser


class ObjectParser(Parser):
    """Parse a JSON body and refuse one that is not an object (``[null, null]``, ``"x"``)."""

    def parse_body(self, request: HttpRequest) -> Any:
        """Return the body's object; raise ValueError (answered as a 422) for anything else."""
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data
