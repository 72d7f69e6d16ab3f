import pytest
import time_machine


@pytest.fixture
def during_campaign():
    with time_machine.travel("2019-08-01T10:00:00Z", tick=True) as traveller:
        yield traveller


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("agent@example.com", "agent@example.com",
                                                 is_staff=True)
