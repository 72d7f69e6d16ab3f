"""Fixtures shared by every app's tests; settings come from rabatt.test_settings."""

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django.utils import translation

from rabatt.campaigns.models import Campaign
from rabatt.notifications.tests.smtp import Inbox, smtp_server


@pytest.fixture(autouse=True)
def _english_unless_told() -> Iterator[None]:
    """Start every test in the default language: a page rendered in Bokmål by an earlier test
    leaves its language active in the thread (LocaleMiddleware never deactivates it)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def campaign(db: Any) -> Campaign:
    """The example campaign from examples/campaigns/ (2019 dates)."""
    from rabatt.campaigns.tests.factories import campaign_factory

    return campaign_factory()


@pytest.fixture
def memory_cache(settings: Any) -> Iterator[None]:
    """A per-process memory cache instead of the database cache, empty before and after."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "tests"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    """A real SMTP server on localhost that every mailer sends to."""
    with smtp_server() as (inbox, mailers), override_settings(MAILERS=mailers):
        yield inbox


def _staff(role: str, email: str) -> Any:
    from rabatt.review.tests.factories import staff_user

    return staff_user(role, email)


@pytest.fixture
def agent(db: Any) -> Any:
    return _staff("agent", "agent@rabatt.test")


@pytest.fixture
def agent2(db: Any) -> Any:
    return _staff("agent", "agent2@rabatt.test")


@pytest.fixture
def supervisor(db: Any) -> Any:
    return _staff("supervisor", "supervisor@rabatt.test")


@pytest.fixture
def finance(db: Any) -> Any:
    return _staff("finance", "finance@rabatt.test")


@pytest.fixture
def finance2(db: Any) -> Any:
    return _staff("finance", "finance2@rabatt.test")


@pytest.fixture
def during_campaign() -> Iterator[Any]:
    """Travel to a day when the example campaign is open for claims."""
    with time_machine.travel("2019-08-01T10:00:00Z", tick=True) as traveller:
        yield traveller
