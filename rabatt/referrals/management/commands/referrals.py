from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rabatt.referrals.models import Friend
from rabatt.referrals.services import friend_signals_refresh


class Command(BaseCommand):
    help = "Referral programme maintenance."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        signals = sub.add_parser(
            "signals", help="add the signals later claims reveal (same bank account, address)")
        signals.add_argument("--campaign", help="only this campaign (slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        friends = Friend.objects.filter(code__claim__isnull=False,
                                        referral__code__claim__isnull=False)
        if options["campaign"]:
            friends = friends.filter(campaign__slug=options["campaign"])
        flagged = 0
        for friend_id in friends.values_list("pk", flat=True):
            if friend_signals_refresh(friend_id=friend_id):
                flagged += 1
        self.stdout.write(f"{friends.count()} friends checked, {flagged} with signals")
