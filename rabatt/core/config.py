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
