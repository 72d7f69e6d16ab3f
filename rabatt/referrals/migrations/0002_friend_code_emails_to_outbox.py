# The friend code e-mail moved from its own task (with its own retries) to the e-mail outbox.
# Tasks still queued for it name a function that is gone, so every friend whose code e-mail was
# still on its way (not sent, retries left, signed up within the last day: the old retries
# ended after about an hour) gets an outbox row, as a sign-up does now. The model is unchanged.

from datetime import UTC, datetime, timedelta

from django.db import migrations

OLD_MAX_ATTEMPTS = 8


def _display(code):
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _campaign_name(campaign, locale):
    texts = campaign.name or {}
    return (texts.get(locale) or texts.get("en") or next(iter(texts.values()), "")
            or campaign.slug)


def queue_waiting(apps, schema_editor):
    Friend = apps.get_model("referrals", "Friend")
    OutboundEmail = apps.get_model("notifications", "OutboundEmail")
    now = datetime.now(UTC)
    waiting = (Friend.objects.filter(code_emailed_at__isnull=True,
                                     email_attempts__lt=OLD_MAX_ATTEMPTS,
                                     created_at__gte=now - timedelta(days=1))
               .exclude(email="").select_related("campaign", "code"))
    for friend in waiting.iterator():
        OutboundEmail.objects.get_or_create(
            dedup_key=f"referral-friend-code:{friend.pk}",
            defaults={
                "kind": "referrals.friend_code", "to": friend.email.strip().lower(),
                "template": "referrals/email/friend_code",
                "context": {"name": friend.name,
                            "campaign": _campaign_name(friend.campaign, friend.locale),
                            "code": _display(friend.code.code), "channel": friend.code.channel,
                            "campaign_path": f"/c/{friend.campaign.slug}/"},
                "locale": friend.locale or "en", "on_result": "referrals.friend_code_emailed",
                "hook_args": {"friend_id": friend.pk}, "attempts": friend.email_attempts,
                "next_attempt_at": now,
            },
        )


class Migration(migrations.Migration):

    dependencies = [
        ("referrals", "0001_initial"),
        ("notifications", "0002_one_outbox"),
    ]

    operations = [
        migrations.RunPython(queue_waiting, migrations.RunPython.noop),
    ]
