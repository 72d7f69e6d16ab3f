"""The referral e-mails: a friend's code, a referrer's progress link (text + HTML)."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from rabatt.codes.alphabet import display
from rabatt.referrals.models import Friend, Referral


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _message(template: str, context: Mapping[str, object], subject: str,
             to: str) -> mail.EmailMultiAlternatives:
    text = render_to_string(f"referrals/email/{template}.txt", context)
    html = render_to_string(f"referrals/email/{template}.html", context)
    message = mail.EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    return message


def friend_code_message(friend: Friend) -> mail.EmailMultiAlternatives:
    campaign = friend.campaign
    with translation.override(friend.locale):
        subject = _("Your code for %(campaign)s") % {"campaign": campaign.display_name}
        context = {
            "subject": subject, "name": friend.name, "campaign": campaign.display_name,
            "code": display(friend.code.code), "channel": friend.code.channel,
            "site_url": _absolute(reverse("campaigns:site", args=[campaign.slug])),
            "privacy_url": _absolute("/privacy/"), "lang": friend.locale,
        }
        return _message("friend_code", context, subject, friend.email)


def progress_link_message(referral: Referral, locale: str) -> mail.EmailMultiAlternatives:
    from rabatt.referrals.services import progress_token

    with translation.override(locale):
        subject = _("How your friends are doing in %(campaign)s") % {
            "campaign": referral.campaign.display_name}
        context = {
            "subject": subject, "campaign": referral.campaign.display_name,
            "progress_url": _absolute(reverse("referrals:progress",
                                              args=[progress_token(referral)])),
            "privacy_url": _absolute("/privacy/"), "lang": locale,
        }
        return _message("progress_link", context, subject, referral.email)
