"""Template filters of the reports."""

from __future__ import annotations

from django import template

from rabatt.claims.models import ClaimStatus

register = template.Library()


@register.filter
def status_label(code: str) -> str:
    """The translated name of a claim status."""
    return str(dict(ClaimStatus.choices).get(code, code))
