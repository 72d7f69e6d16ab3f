import pytest

from rabatt.accounts import services
from rabatt.accounts.models import ApiToken, StaffProfile, StaffTotpDevice
from rabatt.core.errors import Conflict, DomainError
from rabatt.review.tests.factories import PASSWORD, staff_user, totp_now

pytestmark = pytest.mark.django_db


def test_create_with_password_hashes_it_and_without_gives_a_link(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = services.staff_create(email=" Ola@Rabatt.test ", role="agent", password=PASSWORD)
    assert user.username == "ola@rabatt.test"
    assert user.password.startswith("argon2$")
    assert not user.is_staff  # the Django admin is not a way around the second factor
    with pytest.raises(Conflict):
        services.staff_create(email="ola@rabatt.test", role="agent")
    with pytest.raises(DomainError):
        services.staff_create(email="kari@rabatt.test", role="agent", password="short")
    nopw = services.staff_create(email="per@rabatt.test", role="finance")
    assert not nopw.has_usable_password()
    link = services.staff_password_link(user=nopw)
    _, _, _, uid, token, _ = link.split("/")
    services.staff_password_set(uidb64=uid, token=token, password=PASSWORD)
    with pytest.raises(DomainError):  # one use only
        services.staff_password_set(uidb64=uid, token=token, password=PASSWORD + "x")


def test_lockout_after_repeated_failures_alerts_administrators(
        settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.STAFF_LOCKOUT_FAILURES = 3
    admin = staff_user("administrator", "boss@rabatt.test")
    agent = staff_user("agent")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            with pytest.raises(services.LoginFailed):
                services.staff_authenticate(email=agent.email, password="wrong", ip="10.0.0.9")
    profile = StaffProfile.objects.get(user=agent)
    assert profile.locked_until is not None
    with pytest.raises(services.LoginFailed):  # even the right password, while locked
        services.staff_authenticate(email=agent.email, password=PASSWORD, ip="10.0.0.9")
    assert [m.to for m in mailoutbox] == [[admin.email]]
    assert "agent@rabatt.test" in mailoutbox[0].subject
    assert "10.0.0.9" in mailoutbox[0].body


def test_wrong_codes_count_too_and_a_right_code_clears(settings):
    settings.STAFF_LOCKOUT_FAILURES = 5
    agent = staff_user("agent")
    with pytest.raises(DomainError):
        services.totp_verify(user=agent, token="000000", ip="1.2.3.4")
    assert StaffProfile.objects.get(user=agent).failed_logins == 1
    StaffTotpDevice.objects.filter(user=agent).update(throttling_failure_count=0,
                                                      throttling_failure_timestamp=None)
    agent.refresh_from_db()
    services.totp_verify(user=agent, token=totp_now(agent), ip="1.2.3.4")
    assert StaffProfile.objects.get(user=agent).failed_logins == 0


def test_enrolment_confirms_the_device_with_a_code():
    agent = staff_user("agent", device=False)
    device = services.totp_device_pending(user=agent)
    assert services.totp_device_pending(user=agent) == device  # same secret until confirmed
    assert device.config_url.startswith("otpauth://totp/Rabatt%3Aagent%40rabatt.test?secret=")
    from django_otp.oath import totp

    services.totp_confirm(user=agent, token=f"{totp(device.bin_key):06d}", ip="1.2.3.4")
    assert services.totp_has_device(user=agent)


def test_tokens_are_hashed_scoped_to_active_staff_and_revocable():
    agent = staff_user("agent")
    row, plain = services.token_create(user=agent, name="script")
    assert plain.startswith("rbt_")
    assert plain not in row.token_hash
    assert services.token_user(plain=plain) == agent
    assert services.token_user(plain=plain + "x") is None
    services.token_revoke(prefix=row.prefix)
    assert services.token_user(plain=plain) is None
    _, second = services.token_create(user=agent)
    services.staff_deactivate(user=agent)
    assert services.token_user(plain=second) is None
    assert ApiToken.objects.filter(user=agent, revoked_at__isnull=True).count() == 0
