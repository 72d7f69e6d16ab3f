import pytest

from rabatt.claims.tests.factories import STATUS_PATHS, claim_factory

pytestmark = pytest.mark.django_db
@pytest.mark.parametrize("status", sorted(STATUS_PATHS))
def test_reach(campaign, status):
    assert claim_factory(campaign, status=status).status == status
