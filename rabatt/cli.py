"""The ``rabatt`` console script: Django's management commands plus our own."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command, e.g. ``rabatt campaign load FILE``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rabatt.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["rabatt", *args])


if __name__ == "__main__":
    main()
