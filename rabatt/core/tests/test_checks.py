"""Test ``rabatt check``: what a production configuration is missing, and a clean --deploy."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

PRODUCTION = {
    "SECRET_KEY": "x7Hq2-9vLpZ_4mRt8Kw3Yc6Nf1Bd5Gs0Ju-Ea7Ti2Ol9Px4Vh8Qz6Rn3Mb1Cw5Sy",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "rabatt.example",
    "CSRF_TRUSTED_ORIGINS": "https://rabatt.example",
    "SITE_URL": "https://rabatt.example",
    "HTTPS": "1",
    "PROXY_SSL_HEADER": "1",
    "HSTS_INCLUDE_SUBDOMAINS": "1",
    "HSTS_PRELOAD": "1",
    "DATABASE_URL": "postgres://rabatt:secret@db.internal:5432/rabatt",
    "EMAIL_URL": "smtp+tls://rabatt:secret@smtp.example:587",
    "DEFAULT_FROM_EMAIL": "Rabatt <claims@rabatt.example>",
    "TASKS_BACKEND": "database",
}
# Settings of the test run that must not leak into the configurations tested here.
DROP = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DATABASE_URL", "EMAIL_URL", "HTTPS",
        "PROXY_SSL_HEADER", "SITE_URL", "ALLOWED_HOSTS", "RABATT_KEYS_DIR", "RATE_LIMITS",
        "TASKS_BACKEND", "DEBUG", "DEFAULT_FROM_EMAIL", "CACHE_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE"}


def rabatt_check(home: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``rabatt check`` in a fresh process with only ``env`` configured."""
    base = {k: v for k, v in os.environ.items() if k not in DROP}
    return subprocess.run([sys.executable, "-m", "rabatt", "check", *args],
                          env={**base, "RABATT_HOME": str(home), **env},
                          capture_output=True, text=True, timeout=120, check=False)


def ids(output: str) -> list[str]:
    """Return the check ids reported, in order."""
    return re.findall(r"\((rabatt\.W\d+|security\.W\d+|mail\.E\d+)\)", output)


def test_a_development_setup_lists_what_production_needs(tmp_path):
    result = rabatt_check(tmp_path, {})
    assert result.returncode == 0, result.stderr
    found = ids(result.stdout + result.stderr)
    assert found == ["rabatt.W001", "rabatt.W002", "rabatt.W003", "rabatt.W004",
                     "rabatt.W006", "rabatt.W007", "rabatt.W008", "rabatt.W012"]
    assert "Set EMAIL_URL=smtp+tls://" in result.stderr


def test_a_production_setup_is_clean_with_deploy(tmp_path):
    keys = tmp_path / "keys-elsewhere"
    keys.mkdir()
    (tmp_path / "files").mkdir()
    result = rabatt_check(tmp_path, {**PRODUCTION, "RABATT_KEYS_DIR": str(keys)}, "--deploy")
    assert result.returncode == 0, result.stdout + result.stderr
    assert ids(result.stdout + result.stderr) == []
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_each_missing_piece_is_named(tmp_path):
    keys = tmp_path / "keys-elsewhere"
    keys.mkdir()
    env = {**PRODUCTION, "RABATT_KEYS_DIR": str(keys), "PROXY_SSL_HEADER": "0",
           "TASKS_BACKEND": "immediate", "RATE_LIMITS": "0"}
    result = rabatt_check(tmp_path, env, "--deploy")
    assert ids(result.stdout + result.stderr) == ["rabatt.W005", "rabatt.W009", "rabatt.W010"]
