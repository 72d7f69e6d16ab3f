"""Template filters of the privacy e-mails, rendered by the outbox in the person's language."""

from __future__ import annotations

from django import template

from rabatt.privacy.emails import link_token, request_url
from rabatt.privacy.models import RequestKind

register = template.Library()


@register.filter
def request_kind(code: str) -> str:
    """Return the person's words for a kind of request, in the active language."""
    return str(RequestKind(code).label) if code in RequestKind.values else code


@register.filter
def request_link(seed: str) -> str:
    """Return the confirmation link derived from ``seed`` (the secret itself is not stored)."""
    return request_url(token=link_token(seed=seed))
