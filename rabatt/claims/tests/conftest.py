from collections.abc import Iterator

import pytest
import time_machine
from django.conf import settings
from django.test import Client


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("agent@example.com", "agent@example.com",
                                                 is_staff=True)


@pytest.fixture
def client(client: Client) -> Client:
    """A visitor who chose English in the menu, so Norway as purchase country keeps English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def in_window() -> Iterator[None]:
    """Stop the clock on 1 August 2019, inside the example campaign's windows."""
    with time_machine.travel("2019-08-01T12:00:00Z", tick=False):
        yield
