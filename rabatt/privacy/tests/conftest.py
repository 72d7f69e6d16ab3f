import pytest

from rabatt.privacy.subjects import subject_for_email
from rabatt.privacy.tests.factories import EMAIL, example_campaign


@pytest.fixture
def campaign(db):
    return example_campaign()


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("dpo@example.com", "dpo@example.com",
                                                 is_staff=True)


@pytest.fixture
def officer(db):
    from rabatt.review.tests.factories import staff_user

    return staff_user("privacy_officer", "dpo@rabatt.test")


@pytest.fixture
def subject(db):
    return subject_for_email(email=EMAIL)
