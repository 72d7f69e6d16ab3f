"""The Celery application behind the broker task backend (RABATT_BROKER_URL)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rabatt.settings")

# Configured from the CELERY_* settings; each app's tasks.py is found by autodiscovery, whose
# @task decorators register the task with this application when the module is imported.
app = Celery("rabatt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(lambda: _our_apps())


def _our_apps() -> list[str]:
    from django.conf import settings

    return [name for name in settings.INSTALLED_APPS if name.startswith("rabatt.")]


def worker_queues() -> list[str]:
    """Return the broker queues a worker consumes: the default one and every named queue."""
    from django.conf import settings

    default = settings.CELERY_TASK_DEFAULT_QUEUE
    named = settings.TASKS["default"].get("QUEUES", [])
    return [default, *(q for q in named if q != "default" and q != default)]
