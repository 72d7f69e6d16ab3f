"""The referral e-mails: a friend's code and a referrer's progress link, queued in the outbox.

Both are service e-mails (the person asked for them), so they carry no unsubscribe link and are
sent whatever the marketing suppression list says. The outbox renders them in the person's
language when it sends.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from rabatt.codes.alphabet import display
from rabatt.notifications.models import OutboundEmail
from rabatt.notifications.services import email_queue
from rabatt.referrals.models import Friend, Referral, ReferralEvent


def friend_code_dedup_key(friend_id: int) -> str:
    """Return the outbox key of a friend's code e-mail (one per friend)."""
    return f"referral-friend-code:{friend_id}"


def friend_code_email_queue(*, friend: Friend) -> OutboundEmail | None:
    """Queue the e-mail with a referred friend's code, in the sign-up's transaction."""
    campaign = friend.campaign
    with translation.override(friend.locale):
        campaign_name = campaign.display_name
    return email_queue(
        kind="referrals.friend_code", dedup_key=friend_code_dedup_key(friend.pk),
        to=friend.email, template="referrals/email/friend_code",
        context={"name": friend.name, "campaign": campaign_name,
                 "code": display(friend.code.code), "channel": friend.code.channel,
                 "campaign_path": reverse("campaigns:site", args=[campaign.slug])},
        locale=friend.locale, on_result="referrals.friend_code_emailed",
        hook_args={"friend_id": friend.pk},
    )


def progress_link_email_queue(*, referral: Referral, event: ReferralEvent, locale: str,
                              progress_path: str) -> OutboundEmail | None:
    """Queue the e-mail with a referrer's progress link; once per request (``event``)."""
    with translation.override(locale):
        campaign_name = referral.campaign.display_name
    return email_queue(
        kind="referrals.progress_link", dedup_key=f"referral-progress:{event.pk}",
        to=referral.email, template="referrals/email/progress_link",
        context={"campaign": campaign_name, "progress_path": progress_path},
        locale=locale,
    )


def friend_code_email_outcome(*, friend_id: int) -> tuple[int, str] | None:
    """Return the outbox's attempts and last error for a friend's code e-mail, if queued."""
    return (OutboundEmail.objects.filter(dedup_key=friend_code_dedup_key(friend_id))
            .values_list("attempts", "last_error").first())
