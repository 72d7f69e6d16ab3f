"""Settings read from the environment (12-factor); see docs/deploy.md for every variable."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from rabatt.core.config import (
    env_bool,
    home_dir,
    load_or_create_secret_key,
    mailers_from_url,
    site_url,
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
# E-mailed links start here: SITE_URL (required in production: `rabatt check --deploy`), else
# the address `rabatt serve` / `rabatt demo` listens on.
SITE_URL = site_url()
SITE_URL_CONFIGURED = bool(os.environ.get("SITE_URL", "").strip())
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
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
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

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("nb", "Norsk bokmål")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
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

TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[os.environ.get("TASKS_BACKEND", "database")],
    }
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache",
         "LOCATION": os.environ["CACHE_URL"]}
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
              "LOCATION": "rabatt_cache"}
    )
}

# Scripts that need the visitor's consent, as (cookie category, URL); none by default.
PRIVACY_SCRIPTS: list[tuple[str, str]] = []

# Off only for load tests on a private machine (benchmarks/).
RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
WHITENOISE_USE_FINDERS = True
