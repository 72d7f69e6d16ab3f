"""Shared test setup: every test runs against a throw-away RABATT_HOME."""

import os
import tempfile

os.environ.setdefault("RABATT_HOME", tempfile.mkdtemp(prefix="rabatt-test-"))
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
