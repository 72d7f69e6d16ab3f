"""Rate limits are shared between nodes through Redis, and an absent Redis refuses no one."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from django.test import override_settings

from rabatt.core.config import caches_from_env
from rabatt.core.ratelimit import RateLimited, rate_limit
from rabatt.core.tests.test_health import needs_redis

REDIS = "redis://127.0.0.1:6379/15"

OTHER_NODE = """
import django, os
django.setup()
from rabatt.core.ratelimit import rate_limit
for _ in range(4):
    rate_limit(scope="login-ip", key="203.0.113.7", limit=5, window=600)
print("counted 4")
"""


@needs_redis
def test_a_limit_counts_the_attempts_of_every_node():
    prefix = f"rabatt-test-{uuid.uuid4().hex[:8]}"
    # Another node: its own process, the same Redis and key prefix.
    other = subprocess.run(
        [sys.executable, "-c", OTHER_NODE], capture_output=True, text=True, timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "rabatt.test_settings",
             "CACHE_URL": REDIS, "CACHE_KEY_PREFIX": prefix})
    assert other.stdout.strip() == "counted 4", other.stderr[-2000:]
    with override_settings(CACHES=caches_from_env({"CACHE_URL": REDIS,
                                                   "CACHE_KEY_PREFIX": prefix})):
        rate_limit(scope="login-ip", key="203.0.113.7", limit=5, window=600)  # the 5th
        with pytest.raises(RateLimited):
            rate_limit(scope="login-ip", key="203.0.113.7", limit=5, window=600)
        # Another address still has its own count.
        rate_limit(scope="login-ip", key="203.0.113.8", limit=5, window=600)


def test_a_limit_lets_requests_through_while_redis_is_away(caplog):
    down = caches_from_env({"CACHE_URL": "redis://127.0.0.1:1/0"})
    with override_settings(CACHES=down):
        for _ in range(3):
            rate_limit(scope="login-ip", key="203.0.113.9", limit=1, window=600)
    assert "not counted: the cache is unavailable" in caplog.text


def test_cache_settings_from_the_environment():
    assert caches_from_env({})["default"]["BACKEND"].endswith("DatabaseCache")
    shared = caches_from_env({"CACHE_URL": "redis://cache:6379/2", "CACHE_KEY_PREFIX": "eu"})
    assert shared["default"]["LOCATION"] == "redis://cache:6379/2"
    assert shared["default"]["KEY_PREFIX"] == "eu"
    with pytest.raises(ValueError, match="CACHE_URL"):
        caches_from_env({"CACHE_URL": "memcached://x"})
