import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rabatt.accounts.models import ApiToken, StaffProfile
from rabatt.accounts.services import token_user

pytestmark = pytest.mark.django_db


def run(*args, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command("staff", *args, stdout=out, stderr=err)
    finally:
        sys.stdin = old
    return out.getvalue()


def test_create_with_password_from_stdin():
    out = run("create", "Kari@Rabatt.test", "--role", "supervisor",
              stdin="a long enough passphrase 7\n")
    assert "created kari@rabatt.test (supervisor)" in out
    assert "link" not in out
    profile = StaffProfile.objects.get(user__username="kari@rabatt.test")
    assert profile.role == "supervisor"
    assert profile.user.check_password("a long enough passphrase 7")


def test_create_without_password_prints_a_link():
    out = run("create", "ola@rabatt.test", "--role", "finance")
    assert "/accounts/password/" in out


def test_token_create_list_revoke():
    run("create", "ola@rabatt.test", "--role", "agent", stdin="a long enough passphrase 7\n")
    plain = run("token", "create", "ola@rabatt.test", "--name", "ci").strip()
    user = token_user(plain=plain)
    assert user is not None
    assert user.username == "ola@rabatt.test"
    prefix = ApiToken.objects.get().prefix
    assert prefix in run("token", "list", "ola@rabatt.test")
    run("token", "revoke", prefix)
    assert token_user(plain=plain) is None
    with pytest.raises(CommandError):
        run("token", "create", "nobody@rabatt.test")


def test_create_with_brands_grants_them():
    from rabatt.campaigns.services import brand_create

    brand_create(slug="sonos", name="Sonos")
    brand_create(slug="bose", name="Bose")
    out = run("create", "kim@rabatt.test", "--role", "agent", "--brand", "sonos",
              "--brand", "bose")
    assert "brands: bose, sonos" in out
    profile = StaffProfile.objects.get(user__username="kim@rabatt.test")
    assert sorted(profile.brands.values_list("slug", flat=True)) == ["bose", "sonos"]
    run("brands", "kim@rabatt.test", "--brand", "bose")
    assert list(profile.brands.values_list("slug", flat=True)) == ["bose"]
    assert "every brand" in run("brands", "kim@rabatt.test")
    assert not profile.brands.exists()


def test_create_with_an_unknown_brand_creates_no_one():
    with pytest.raises(CommandError, match="No brand nobody"):
        run("create", "kim@rabatt.test", "--role", "agent", "--brand", "nobody")
    assert not StaffProfile.objects.filter(user__username="kim@rabatt.test").exists()
