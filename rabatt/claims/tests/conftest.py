import pytest
import time_machine
from django.test import override_settings

from rabatt.campaigns.tests.factories import campaign_factory
from rabatt.notifications.tests.smtp import smtp_server


@pytest.fixture
def campaign(db):
    return campaign_factory()


@pytest.fixture
def during_campaign():
    with time_machine.travel("2019-08-01T10:00:00Z", tick=True) as traveller:
        yield traveller


@pytest.fixture
def smtp():
    with smtp_server() as (inbox, mailers), override_settings(MAILERS=mailers):
        yield inbox


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("agent@example.com", "agent@example.com",
                                                 is_staff=True)
