"""The distribution e-mail: a person's code, queued in the outbox as marketing.

The outbox renders ``codes/email/code`` in the recipient's language when it sends, checks the
suppression list, adds the one-click unsubscribe headers (RFC 8058) and tells
``codes.recipient_emailed`` what became of it.
"""

from __future__ import annotations

from django.core import signing
from django.urls import reverse
from django.utils import translation

from rabatt.codes.alphabet import display
from rabatt.codes.models import Recipient
from rabatt.notifications.models import OutboundEmail
from rabatt.notifications.services import email_queue

UNSUBSCRIBE_SALT = "rabatt.codes.unsubscribe"


def unsubscribe_token(recipient: Recipient) -> str:
    """Return the signed token of the recipient's unsubscribe link."""
    return signing.dumps({"r": recipient.pk}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_recipient_id(token: str) -> int | None:
    """Return the recipient an unsubscribe token names, or None if it is not ours."""
    try:
        return int(signing.loads(token, salt=UNSUBSCRIBE_SALT)["r"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def _dedup_key(recipient: Recipient) -> str:
    # One e-mail per attempt of a distribution run: a failed one is queued again as a new row.
    return f"codes-recipient:{recipient.pk}:{recipient.attempts}"


def code_email_queue(*, recipient: Recipient) -> OutboundEmail | None:
    """Queue the e-mail with the recipient's code, in the caller's transaction; once per attempt."""
    code = recipient.code
    assert code is not None
    campaign = recipient.campaign
    with translation.override(recipient.locale):
        campaign_name = campaign.display_name
    return email_queue(
        kind="codes.code", dedup_key=_dedup_key(recipient), to=recipient.email,
        template="codes/email/code",
        context={"name": recipient.name, "campaign": campaign_name, "code": display(code.code),
                 "channel": code.channel,
                 "campaign_path": reverse("campaigns:site", args=[campaign.slug])},
        locale=recipient.locale, marketing=True,
        # The links of e-mails sent before the outbox keep working: same path, same token.
        unsubscribe_path=reverse("referrals:unsubscribe", args=[unsubscribe_token(recipient)]),
        on_result="codes.recipient_emailed", hook_args={"recipient_id": recipient.pk},
    )


def code_email_error(*, recipient: Recipient) -> str:
    """Return the outbox's last error for the recipient's current e-mail ("" if none)."""
    error = (OutboundEmail.objects.filter(dedup_key=_dedup_key(recipient))
             .values_list("last_error", flat=True).first())
    return error or ""
