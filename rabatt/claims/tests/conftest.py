import pytest
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
