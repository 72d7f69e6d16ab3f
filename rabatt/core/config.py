"""Read configuration from the environment without importing Django."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


class ConfigError(ValueError):
    """Raised when an environment variable cannot be understood."""


def env_bool(name: str, *, default: bool) -> bool:
    """Return the boolean value of an environment variable."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def home_dir() -> Path:
    """Return RABATT_HOME (default ./var), created with private permissions."""
    home = Path(os.environ.get("RABATT_HOME", "./var")).expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    for sub in ("files", "keys", "static"):
        (home / sub).mkdir(exist_ok=True, mode=0o700)
    return home


def load_or_create_secret_key(home: Path) -> str:
    """Return the secret key kept in RABATT_HOME, generating it on first use."""
    path = home / "keys" / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(50)
    # O_EXCL: two processes starting at once must agree on one key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def mailers_from_url(url: str) -> dict[str, dict[str, Any]]:
    """Translate EMAIL_URL into Django's MAILERS setting.

    Accepted: ``smtp://host:port``, ``smtp+tls://user:password@host:port`` (STARTTLS),
    ``smtps://...`` (implicit TLS), ``console://`` and ``filemail:///absolute/dir``.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    if scheme == "filemail":
        path = unquote(parts.path)
        if not path.startswith("/"):
            raise ConfigError("EMAIL_URL filemail:// needs an absolute directory: filemail:///dir")
        return {
            "default": {
                "BACKEND": "rabatt.notifications.backends.OneFilePerMessageBackend",
                "OPTIONS": {"directory": path},
            }
        }
    if scheme in {"smtp", "smtp+tls", "smtps"}:
        if not parts.hostname:
            raise ConfigError("EMAIL_URL needs a host: smtp://host:port")
        query = parse_qs(parts.query)
        options: dict[str, Any] = {
            "host": parts.hostname,
            "port": parts.port or {"smtp": 25, "smtp+tls": 587, "smtps": 465}[scheme],
            "use_tls": scheme == "smtp+tls",
            "use_ssl": scheme == "smtps",
            "timeout": float(query.get("timeout", ["10"])[0]),
        }
        if parts.username:
            options["username"] = unquote(parts.username)
            options["password"] = unquote(parts.password or "")
        return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                            "OPTIONS": options}}
    raise ConfigError(
        f"EMAIL_URL scheme {scheme!r} is not supported; "
        "use smtp, smtp+tls, smtps, console or filemail"
    )


# Where `rabatt serve` (and so `rabatt demo`) tells its processes it listens, for e-mail links.
SERVE_URL_VARIABLE = "RABATT_SERVE_URL"
DEFAULT_SITE_URL = "http://127.0.0.1:8000"


def serving_url(host: str, port: int) -> str:
    """The address people reach a server listening on ``host``:``port`` by.

    A server bound to every interface is reached through the machine's loopback address here;
    a public address is what SITE_URL is for.
    """
    if host in ("", "0.0.0.0", "::", "[::]"):  # noqa: S104 - naming, not binding
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def site_url(environ: Any = None) -> str:
    """The address e-mailed links start with: SITE_URL, else the address `serve` listens on."""
    environ = os.environ if environ is None else environ
    url = environ.get("SITE_URL") or environ.get(SERVE_URL_VARIABLE) or DEFAULT_SITE_URL
    return str(url).strip().rstrip("/")


# The task queues, on every backend: e-mail and receipt reading apart, so a confirmation never
# waits behind OCR (rabatt serve gives each its own workers).
TASK_QUEUES = ("default", "email", "receipts")


def tasks_from_env(*, backend: str, broker_url: str) -> dict[str, dict[str, Any]]:
    """Return Django's TASKS setting: the database queue, a broker, or inline.

    ``backend`` is TASKS_BACKEND (``database``, ``broker`` or ``immediate``); empty means the
    broker when RABATT_BROKER_URL is set, else the database (no extra service to run).
    """
    chosen = backend.strip().lower() or ("broker" if broker_url else "database")
    if chosen == "database":
        return {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                            "QUEUES": list(TASK_QUEUES)}}
    if chosen == "immediate":
        return {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
                            "QUEUES": list(TASK_QUEUES)}}
    if chosen == "broker":
        scheme = urlsplit(broker_url).scheme.lower()
        if scheme not in {"redis", "rediss", "amqp", "amqps", "pyamqp"}:
            raise ConfigError(
                "TASKS_BACKEND=broker needs RABATT_BROKER_URL=redis://... or amqp://..."
            )
        return {"default": {"BACKEND": "django_tasks_celery.CeleryBackend",
                            "QUEUES": list(TASK_QUEUES),
                            "OPTIONS": {"CELERY_APP": "rabatt.core.broker.app"}}}
    raise ConfigError(
        f"TASKS_BACKEND must be database, broker or immediate, not {backend!r}"
    )


def storages_from_env(
    environ: dict[str, str] | os._Environ[str],
) -> dict[str, dict[str, Any]]:
    """Return Django's STORAGES: uploads on local disk, or in a private S3-compatible bucket."""
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    bucket = environ.get("RABATT_S3_BUCKET", "").strip()
    if not bucket:
        # No fixed location: the storage follows MEDIA_ROOT (RABATT_HOME/files), also when a
        # test or a deployment changes it after start.
        local = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                 "OPTIONS": {"file_permissions_mode": 0o600,
                             "directory_permissions_mode": 0o700}}
        return {"default": local, "staticfiles": static}
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": environ.get("RABATT_S3_PREFIX", "").strip("/"),
        # Private objects only: nothing is ever readable without credentials, and a URL the
        # library hands out is signed and short-lived (the app serves files itself anyway).
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": int(environ.get("RABATT_S3_URL_SECONDS", "60")),
        "file_overwrite": True,
        "object_parameters": {"CacheControl": "private, no-store"},
    }
    for env_name, option in (("RABATT_S3_ENDPOINT_URL", "endpoint_url"),
                             ("RABATT_S3_REGION", "region_name"),
                             ("RABATT_S3_ACCESS_KEY_ID", "access_key"),
                             ("RABATT_S3_SECRET_ACCESS_KEY", "secret_key")):
        if environ.get(env_name):
            options[option] = environ[env_name]
    s3 = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
    return {"default": s3, "staticfiles": static}


def caches_from_env(
    environ: dict[str, str] | os._Environ[str]
) -> dict[str, dict[str, Any]]:
    """Return Django's CACHES: Redis shared by every node when CACHE_URL is set, else the
    database cache (shared too, through the database)."""
    url = environ.get("CACHE_URL", "").strip()
    prefix = environ.get("CACHE_KEY_PREFIX", "rabatt")
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                            "LOCATION": "rabatt_cache", "KEY_PREFIX": prefix}}
    if urlsplit(url).scheme.lower() not in {"redis", "rediss", "unix"}:
        raise ConfigError("CACHE_URL must be redis://host:port/db (or rediss://, unix://)")
    return {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": prefix,
        # A slow or absent Redis must not hold a web worker: fail fast, the callers cope.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }}
