"""`rabatt staff ...`: create staff users, reset their second factor, manage API tokens."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from rabatt.accounts import services
from rabatt.accounts.models import ApiToken
from rabatt.accounts.roles import Role
from rabatt.core.errors import DomainError


def _user(email: str) -> User:
    user = get_user_model().objects.filter(username=email.strip().lower()).first()
    if user is None:
        raise CommandError(f"no staff user {email}")
    return user


class Command(BaseCommand):
    help = "Manage staff users and their personal API tokens."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a staff user; the password is read from "
                                "stdin, or a one-time set-password link is printed")
        create.add_argument("email")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--brand", action="append", default=[], metavar="SLUG",
                            help="a brand the person serves (repeatable); none: every brand")
        brands = sub.add_parser("brands", help="set the brands a person serves (none: every "
                                "brand)")
        brands.add_argument("email")
        brands.add_argument("--brand", action="append", default=[], metavar="SLUG")
        role = sub.add_parser("role", help="change a user's role")
        role.add_argument("email")
        role.add_argument("role", choices=Role.values)
        sub.add_parser("deactivate", help="end a user's access (revokes tokens)").add_argument(
            "email")
        sub.add_parser("reset-2fa", help="remove a user's authenticator").add_argument("email")
        sub.add_parser("password-link", help="print a one-time set-password link").add_argument(
            "email")
        token = sub.add_parser("token", help="personal API tokens")
        tsub = token.add_subparsers(dest="token_action", required=True)
        tcreate = tsub.add_parser("create", help="print a new token for the user")
        tcreate.add_argument("email")
        tcreate.add_argument("--name", default="")
        tsub.add_parser("revoke", help="revoke a token by its prefix").add_argument("prefix")
        tsub.add_parser("list", help="list a user's tokens").add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None

    def _link(self, user: User) -> str:
        return settings.SITE_URL + services.staff_password_link(user=user)

    def _create(self, options: dict[str, Any]) -> None:
        password = None
        if not sys.stdin.isatty():
            password = sys.stdin.readline().rstrip("\r\n") or None
        user = services.staff_create(email=options["email"], role=options["role"],
                                     password=password, brands=options["brand"])
        self.stdout.write(f"created {user.username} ({options['role']})")
        self.stdout.write(f"brands: {', '.join(sorted(options['brand'])) or 'every brand'}")
        if password is None:
            self.stdout.write(f"set-password link (one use): {self._link(user)}")
        self.stdout.write("two-factor authentication is set up at the first login")

    def _brands(self, options: dict[str, Any]) -> None:
        services.staff_set_brands(user=_user(options["email"]), brands=options["brand"])
        scope = ", ".join(sorted(options["brand"])) or "every brand"
        self.stdout.write(f"{options['email']}: {scope}")

    def _role(self, options: dict[str, Any]) -> None:
        services.staff_set_role(user=_user(options["email"]), role=options["role"])
        self.stdout.write(f"{options['email']}: {options['role']}")

    def _deactivate(self, options: dict[str, Any]) -> None:
        services.staff_deactivate(user=_user(options["email"]))
        self.stdout.write(f"deactivated {options['email']}")

    def _reset_2fa(self, options: dict[str, Any]) -> None:
        services.totp_reset(user=_user(options["email"]))
        self.stdout.write(f"{options['email']} sets up a new authenticator at the next login")

    def _password_link(self, options: dict[str, Any]) -> None:
        self.stdout.write(self._link(_user(options["email"])))

    def _token(self, options: dict[str, Any]) -> None:
        action = options["token_action"]
        if action == "create":
            row, plain = services.token_create(user=_user(options["email"]), name=options["name"])
            self.stderr.write(f"token {row.prefix}… created; it is shown only once:")
            self.stdout.write(plain)
        elif action == "revoke":
            row = services.token_revoke(prefix=options["prefix"])
            self.stdout.write(f"revoked {row.prefix}… of {row.user.username}")
        else:
            for t in ApiToken.objects.filter(user=_user(options["email"])).order_by("created_at"):
                state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
                used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
                self.stdout.write(f"{t.prefix}\t{t.name or '-'}\t{state}\tlast used {used}")
