import pytest
from django.test import override_settings

from rabatt.campaigns.tests.factories import campaign_factory
from rabatt.notifications.tests.smtp import smtp_server
from rabatt.review.tests.factories import staff_user


@pytest.fixture
def campaign(db):
    return campaign_factory()


@pytest.fixture
def finance(db):
    return staff_user("finance", "finance@rabatt.test")


@pytest.fixture
def finance2(db):
    return staff_user("finance", "finance2@rabatt.test")


@pytest.fixture
def agent(db):
    return staff_user("agent", "agent@rabatt.test")


@pytest.fixture
def smtp():
    with smtp_server() as (inbox, mailers), override_settings(MAILERS=mailers):
        yield inbox
