"""Settings read from the environment (12-factor); see docs/deploy.md for every variable."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from rabatt.core.config import (
    caches_from_env,
    env_bool,
    home_dir,
    load_or_create_secret_key,
    mailers_from_url,
    site_url,
    storages_from_env,
    tasks_from_env,
)

BASE_DIR = Path(__file__).resolve().parent
RABATT_HOME = home_dir()
MEDIA_ROOT = RABATT_HOME / "files"
KEYS_DIR = RABATT_HOME / "keys"

SECRET_KEY = os.environ.get("SECRET_KEY") or load_or_create_secret_key(RABATT_HOME)
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "*").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
# --- consumer ---
# E-mailed links start here: SITE_URL (required in production: `rabatt check` warns, W002),
# else the address `rabatt serve` / `rabatt demo` listens on.
SITE_URL = site_url()
# --- end consumer ---

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "ninja",
    "rabatt.core",
    "rabatt.campaigns",
    "rabatt.claims",
    "rabatt.receipts",
    "rabatt.review",
    "rabatt.payouts",
    "rabatt.codes",
    "rabatt.referrals",
    "rabatt.privacy",
    "rabatt.notifications",
    "rabatt.accounts",
    "rabatt.api",
    "rabatt.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # ops: a database outage becomes a 503 with Retry-After (see rabatt/core/outage.py).
    "rabatt.core.outage.DatabaseOutageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "rabatt.core.middleware.LanguageMiddleware",  # i18n: menu > claim > country > browser
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "rabatt.urls"
WSGI_APPLICATION = "rabatt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "rabatt.privacy.context.cookie_consent",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{RABATT_HOME / 'rabatt.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend, whose health check looks at the socket instead of a round trip.
    DATABASES["default"]["ENGINE"] = "rabatt.core.db.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Immediate transactions and WAL let several workers write without "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(RABATT_HOME / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- i18n ---
# Every language a consumer can use, each named in itself for the language menu (docs/i18n.md).
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"), ("nb", "Norsk bokmål"), ("sv", "Svenska"), ("da", "Dansk"),
    ("fi", "Suomi"), ("de", "Deutsch"), ("fr", "Français"), ("it", "Italiano"),
    ("es", "Español"), ("nl", "Nederlands"), ("pl", "Polski"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# The explicit choice from the language menu lives in this cookie (Django's set_language view).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
# --- end i18n ---
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = RABATT_HOME / "static"
MEDIA_URL = "/media-not-public/"  # uploads are never served from a public URL

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024

EMAIL_URL = os.environ.get("EMAIL_URL", "console://")
MAILERS = mailers_from_url(EMAIL_URL)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Rabatt <no-reply@rabatt.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Scripts that need the visitor's consent, as (cookie category, URL); none by default.
PRIVACY_SCRIPTS: list[tuple[str, str]] = []

# Off only for load tests on a private machine (benchmarks/).
RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS", default=True)

WHITENOISE_USE_FINDERS = True

# --- scale ---
# Scale-out and observability; every variable is described in docs/deploy.md.
# Background work: the database queue by default (no extra service), or a broker shared by
# every machine (Celery over Redis or RabbitMQ) when RABATT_BROKER_URL is set.
RABATT_BROKER_URL = os.environ.get("RABATT_BROKER_URL", "")
TASKS = tasks_from_env(backend=os.environ.get("TASKS_BACKEND", ""), broker_url=RABATT_BROKER_URL)
CELERY_BROKER_URL = RABATT_BROKER_URL or "memory://"
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("RABATT_BROKER_QUEUE", "rabatt")
CELERY_TASK_IGNORE_RESULT = True  # the database rows are the truth; nothing reads results
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for another one
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a slow task never holds others back in its prefetch
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}  # Redis: re-deliver after 1 h
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
SILENCED_SYSTEM_CHECKS = [
    # Results are never read back (see CELERY_TASK_IGNORE_RESULT), so no result backend.
    "django_tasks_celery.W001",
    "django_tasks_celery.W002",
]
# Uploads and bank files: local disk (MEDIA_ROOT) by default, or a private S3-compatible bucket.
STORAGES = storages_from_env(os.environ)
# Caches and rate limits: Redis shared by every node when CACHE_URL is set.
CACHES = caches_from_env(os.environ)

# Logs: one JSON object a line (LOG_FORMAT=text for people), each with the request id; secret
# tokens in URLs and e-mail addresses are redacted before any handler sees a record.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "rabatt.core.logs.RedactingFilter"}},
    "formatters": {
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                 "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"],
                             "formatter": "json" if LOG_FORMAT == "json" else "text"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"rabatt.access": {"level": os.environ.get("ACCESS_LOG_LEVEL", "INFO"),
                                  "handlers": ["console"], "propagate": False}},
}

# --- perf ---
# How long each web process keeps its own copy of a shop API key or a campaign, sparing the
# shared cache's round trip (seconds; 0 switches it off). A revocation or a campaign change is
# seen at once by the process that makes it and within this time by all others; the redeem
# itself always checks the key in the database (docs/shop-api.md).
HOT_CACHE_LOCAL_SECONDS = float(os.environ.get("HOT_CACHE_LOCAL_SECONDS", "1"))
# --- security ---
# HTTPS: behind a TLS proxy set HTTPS=1 (redirect, HSTS, secure cookies) and, when the proxy
# sets X-Forwarded-Proto, PROXY_SSL_HEADER=1. See docs/security.md.
HTTPS = env_bool("HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 31_536_000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", default=False)
if HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
if env_bool("PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Probes that must answer over plain HTTP inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# A strict policy on every page: no inline script or style (Django's admin gets a nonce for
# its few <style> blocks), nothing from other origins but the consent-gated scripts.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, *sorted({url for _category, url in PRIVACY_SCRIPTS})],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
MIDDLEWARE.insert(MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
                  "django.middleware.csp.ContentSecurityPolicyMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.csp.ContentSecurityPolicyMiddleware") + 1,
                  "rabatt.core.headers.NoStoreMiddleware")
TEMPLATES[0]["OPTIONS"]["context_processors"].append(  # type: ignore[index]
    "django.template.context_processors.csp")
# Memory (MiB) and time (s) of the child process that parses and renders an uploaded PDF.
SANDBOX_MEMORY_MB = int(os.environ.get("SANDBOX_MEMORY_MB", 768))
SANDBOX_TIMEOUT = float(os.environ.get("SANDBOX_TIMEOUT", 30))
# A run of failed logins on one account makes each further attempt wait (seconds, at most).
STAFF_LOGIN_DELAY_MAX_SECONDS = int(os.environ.get("STAFF_LOGIN_DELAY_MAX_SECONDS", 60))
# --- ops ---
# Seconds a client is told to wait (Retry-After) while the database is unreachable.
OUTAGE_RETRY_AFTER = int(os.environ.get("OUTAGE_RETRY_AFTER", "5"))
# An unreachable database host must fail a request in seconds, not hang it for minutes.
DB_CONNECT_TIMEOUT = int(os.environ.get("DB_CONNECT_TIMEOUT", "3"))
if DATABASES["default"]["ENGINE"] == "rabatt.core.db.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = DB_CONNECT_TIMEOUT
# A running task whose worker has not beaten for this long is run again by another worker.
TASK_LEASE_SECONDS = int(os.environ.get("TASK_LEASE_SECONDS", "60"))
TASK_HEARTBEAT_SECONDS = float(os.environ.get("TASK_HEARTBEAT_SECONDS", "10"))

# Prometheus metrics at /metrics: with RABATT_METRICS_TOKEN as a bearer token, or else only from
# the addresses in RABATT_METRICS_ALLOW (loopback by default). Set PROMETHEUS_MULTIPROC_DIR to
# an empty directory to add up the counts of several web worker processes.
RABATT_METRICS_TOKEN = os.environ.get("RABATT_METRICS_TOKEN", "")
RABATT_METRICS_ALLOW = [
    a.strip() for a in os.environ.get("RABATT_METRICS_ALLOW", "127.0.0.1,::1").split(",")
    if a.strip()
]
MIDDLEWARE = ["rabatt.core.logs.RequestIdMiddleware", "rabatt.core.metrics.MetricsMiddleware",
              *MIDDLEWARE]
WHITENOISE_USE_FINDERS = True

# --- mgrb --- dashboards, reports and exports
INSTALLED_APPS += ["rabatt.reports", "rabatt.editor"]
