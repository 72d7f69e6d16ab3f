import pytest


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("agent@example.com", "agent@example.com",
                                                 is_staff=True)
