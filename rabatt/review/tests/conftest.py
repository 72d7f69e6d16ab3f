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


def _urls_import() -> bool:
    try:
        import rabatt.urls  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(autouse=True)
def _working_urls(settings):
    # While another app's URLs are half-built, test the desk against the rest of the site.
    if not _urls_import():
        settings.ROOT_URLCONF = "rabatt.review.tests.urls_fallback"
