"""Fixtures shared by the codes, referrals and shop API tests (import them by name)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from rabatt.campaigns.models import Campaign
from rabatt.campaigns.tests.factories import campaign_factory


@pytest.fixture
def campaign(db: Any) -> Campaign:
    return campaign_factory()


@pytest.fixture
def during_campaign() -> Iterator[Any]:
    with time_machine.travel("2019-08-01T10:00:00Z", tick=True) as traveller:
        yield traveller
