"""The privacy e-mails: a rights request's confirmation link, and "we hold nothing about you".

Both are queued in the outbox inside the request's transaction; the outbox renders
``privacy/email/<name>`` in the person's language when it sends.

The link's secret is never stored. The outbox keeps a random seed; the secret is derived from
it with a key outside the database when the e-mail is rendered, and the request stores only the
secret's hash. Whoever reads the database cannot follow a link (an access link opens the
person's decrypted bank details and receipts).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid

from django.conf import settings

from rabatt.notifications.services import email_queue
from rabatt.privacy.models import PrivacyRequest

REQUEST_LINK_HOURS = 24
KIND_LINK = "privacy.request_link"
KIND_UNKNOWN = "privacy.request_unknown"
# Every kind of e-mail this module queues (``privacy.``): our answers to the requests themselves.
KIND_PREFIX = "privacy."


def link_seed() -> str:
    """Return a new random seed for a request link."""
    return secrets.token_urlsafe(24)


def link_token(*, seed: str) -> str:
    """Return the secret of a request link, derived from its seed with SECRET_KEY."""
    key = hashlib.sha256(b"rabatt-privacy-request-link:" + settings.SECRET_KEY.encode()).digest()
    digest = hmac.new(key, seed.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def request_url(*, token: str) -> str:
    """Return the link that proves a request: ``SITE_URL/privacy/<token>``."""
    return f"{settings.SITE_URL}/privacy/{token}"


def request_dedup_key(*, request_id: int) -> str:
    """Return the outbox key of a request's link e-mail (one per request)."""
    return f"privacy-request:{request_id}"


def request_link_email_queue(*, request: PrivacyRequest, to: str, seed: str) -> None:
    """Queue the e-mail with the link that confirms ``request``, in its transaction."""
    email_queue(
        kind=KIND_LINK, dedup_key=request_dedup_key(request_id=request.pk), to=to,
        template="privacy/email/request_link",
        context={"kind": request.kind, "seed": seed, "hours": REQUEST_LINK_HOURS},
        locale=request.locale,
    )


def request_unknown_email_queue(*, to: str, kind: str, locale: str) -> None:
    """Queue the answer to a request from an address we hold nothing about."""
    # Nothing is stored about the attempt to key it by: each attempt gets its own answer.
    email_queue(
        kind=KIND_UNKNOWN, dedup_key=f"privacy-unknown:{uuid.uuid4().hex}", to=to,
        template="privacy/email/request_unknown", context={"kind": kind}, locale=locale,
    )
