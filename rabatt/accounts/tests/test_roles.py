import pytest

from rabatt.accounts.roles import PERMISSIONS, Role, has_perm, permissions_of, require
from rabatt.accounts.services import staff_deactivate
from rabatt.core.errors import PermissionDenied
from rabatt.review.tests.factories import staff_user

pytestmark = pytest.mark.django_db


def test_table_names_only_known_roles():
    for roles in PERMISSIONS.values():
        assert roles <= set(Role.values)


def test_each_role_gets_what_the_table_says():
    users = {role: staff_user(role) for role in Role.values}
    assert permissions_of(users["agent"]) == {
        "claims.view", "claims.review", "claims.approve", "claims.reject",
        "claims.request_info"}
    assert has_perm(users["finance"], "bank.view_full")
    assert not any(has_perm(users[r], "bank.view_full") for r in Role.values if r != "finance")
    assert has_perm(users["supervisor"], "claims.reopen")
    assert not has_perm(users["campaign_manager"], "claims.view")
    with pytest.raises(PermissionDenied):
        require(users["agent"], "claims.void")
    with pytest.raises(KeyError):
        require(users["agent"], "claims.fly")


def test_non_staff_and_deactivated_have_nothing(django_user_model):
    plain = django_user_model.objects.create_user("someone@example.com")
    assert permissions_of(plain) == frozenset()
    agent = staff_user("agent")
    staff_deactivate(user=agent)
    agent.refresh_from_db()
    assert not has_perm(agent, "claims.view")
