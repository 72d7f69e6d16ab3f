import pytest

from rabatt.campaigns.tests.factories import campaign_factory
from rabatt.review.tests.factories import staff_user


@pytest.fixture
def campaign(db):
    return campaign_factory()


@pytest.fixture
def agent(db):
    return staff_user("agent", "agent@rabatt.test")


@pytest.fixture
def agent2(db):
    return staff_user("agent", "agent2@rabatt.test")


@pytest.fixture
def supervisor(db):
    return staff_user("supervisor", "supervisor@rabatt.test")


@pytest.fixture
def finance(db):
    return staff_user("finance", "finance@rabatt.test")

