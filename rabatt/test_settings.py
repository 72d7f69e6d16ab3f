"""Settings for the test suite: a throw-away RABATT_HOME and tasks that run inline."""

import os
import tempfile

os.environ.setdefault("RABATT_HOME", tempfile.mkdtemp(prefix="rabatt-test-"))
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from rabatt.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; prod: Argon2

# --- perf --- Tests see every change at once; test_selectors switch the local copies on.
HOT_CACHE_LOCAL_SECONDS = 0.0
