"""System checks of what a production configuration is missing (``rabatt check``)."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

DOC = "See docs/security.md and docs/deploy.md."
PRODUCTION = "rabatt_production"


def _warn(ident: str, message: str, hint: str) -> CheckMessage:
    return Warning(message, hint=f"{hint} {DOC}", id=f"rabatt.W{ident}")


@register(Tags.security, PRODUCTION, deploy=True)
def production_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """List every setting a production site still lacks, one warning each."""
    found: list[CheckMessage] = []
    if not os.environ.get("SECRET_KEY"):
        found.append(_warn("001", "SECRET_KEY is not set: a key generated into RABATT_HOME is "
                           "used, which differs between machines and sits beside the data.",
                           "Set SECRET_KEY from your secret store, the same on every node."))
    site = urlsplit(settings.SITE_URL)
    if site.scheme != "https" or site.hostname in (None, "127.0.0.1", "localhost"):
        found.append(_warn("002", f"SITE_URL is {settings.SITE_URL!r}: links in e-mails would "
                           "point there.", "Set SITE_URL=https://your.domain."))
    if "*" in settings.ALLOWED_HOSTS:
        found.append(_warn("003", "ALLOWED_HOSTS allows any host name.",
                           "Set ALLOWED_HOSTS to the site's host names."))
    if not getattr(settings, "HTTPS", False):
        found.append(_warn("004", "HTTPS is off: no redirect to HTTPS, no HSTS, cookies also "
                           "sent over plain HTTP.", "Behind TLS set HTTPS=1."))
    if getattr(settings, "HTTPS", False) and not getattr(settings, "SECURE_PROXY_SSL_HEADER",
                                                         None):
        found.append(_warn("005", "HTTPS=1 without PROXY_SSL_HEADER: behind a TLS proxy every "
                           "request looks like plain HTTP and is redirected for ever.",
                           "Set PROXY_SSL_HEADER=1 if your proxy sets X-Forwarded-Proto "
                           "(and strips it from clients)."))
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        found.append(_warn("006", f"The database is {engine.rsplit('.', 1)[-1]}, not "
                           "PostgreSQL: one machine only, no concurrent writers.",
                           "Set DATABASE_URL=postgres://..."))
    mail_backend = str(settings.MAILERS.get("default", {}).get("BACKEND", ""))
    if "smtp" not in mail_backend:
        found.append(_warn("007", "No SMTP server: e-mails are printed or written to files, "
                           "not sent.", "Set EMAIL_URL=smtp+tls://user:password@host:587."))
    if "noreply@rabatt.invalid" in settings.DEFAULT_FROM_EMAIL.replace("-", "") \
            or settings.DEFAULT_FROM_EMAIL.endswith(".invalid>"):
        found.append(_warn("008", "DEFAULT_FROM_EMAIL is the placeholder address.",
                           "Set DEFAULT_FROM_EMAIL to an address of your domain."))
    tasks = str(settings.TASKS["default"]["BACKEND"])
    if tasks.endswith("ImmediateBackend") or tasks.endswith("DummyBackend"):
        found.append(_warn("009", "Background tasks run inside the web request (or not at "
                           "all).", "Use the database backend or a broker (TASKS_BACKEND)."))
    if not settings.RATE_LIMITS_ENABLED:
        found.append(_warn("010", "Rate limits are off.", "Unset RATE_LIMITS."))
    found.extend(_storage_checks())
    return found


def _storage_checks() -> list[CheckMessage]:
    found: list[CheckMessage] = []
    storage = str(getattr(settings, "STORAGES", {}).get("default", {}).get("BACKEND", ""))
    if "FileSystemStorage" in storage or not storage:
        media = settings.MEDIA_ROOT
        if not os.path.isdir(media) or not os.access(media, os.W_OK):
            found.append(_warn("011", f"The upload directory {media} is missing or not "
                               "writable.", "Create it on persistent, backed-up storage."))
    keys = os.environ.get("RABATT_KEYS_DIR", "")
    if not keys:
        found.append(_warn("012", "Master keys live inside RABATT_HOME, so a backup of the "
                           "files carries the keys that open them.",
                           "Set RABATT_KEYS_DIR to a directory backed up apart from the data."))
    return found
