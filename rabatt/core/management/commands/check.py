"""``rabatt check``: Django's checks, then what a production configuration is missing."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.check import Command as DjangoCheck

from rabatt.core.checks import PRODUCTION


class Command(DjangoCheck):
    help = ("Check the project, then list what a production configuration is missing "
            "(warnings; --deploy adds Django's own deployment checks).")

    def handle(self, *app_labels: list[str], **options: Any) -> None:
        """Run Django's checks, then the production ones as warnings."""
        super().handle(*app_labels, **options)
        if not (options["deploy"] or options.get("tags") or options.get("list_tags")):
            self.check(tags=[PRODUCTION], include_deployment_checks=True,
                       display_num_errors=True)
