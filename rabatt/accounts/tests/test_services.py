import pytest
from django.contrib.auth.hashers import MD5PasswordHasher

from rabatt.accounts import services
from rabatt.accounts.models import ApiToken, StaffProfile, StaffTotpDevice
from rabatt.core.errors import Conflict, DomainError
from rabatt.core.timeutil import utcnow
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


class CountingHasher(MD5PasswordHasher):
    """Count the password hashes computed: the work behind each answer, without a clock."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.calls += 1
        return super().encode(password, salt)


def refusal(email: str, password: str, ip: str) -> tuple[object, ...]:
    """Return everything a caller learns from a refused login, and the hashes it cost."""
    before = CountingHasher.calls
    with pytest.raises(services.LoginFailed) as info:
        services.staff_authenticate(email=email, password=password, ip=ip)
    exc = info.value
    return (type(exc), str(exc.message), exc.status, exc.code, exc.as_dict(),
            CountingHasher.calls - before)


def test_failures_from_one_address_block_that_address_not_the_person(
        settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.STAFF_LOCKOUT_FAILURES = 3
    admin = staff_user("administrator", "boss@rabatt.test")
    agent = staff_user("agent")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            with pytest.raises(services.LoginFailed):
                services.staff_authenticate(email=agent.email, password="wrong", ip="10.0.0.9")
    profile = StaffProfile.objects.get(user=agent)
    assert profile.failed_logins == 3
    assert profile.locked_until is not None
    # The stranger's address stays refused for this account, even with the right password.
    StaffProfile.objects.filter(user=agent).update(locked_until=None)  # the delay has passed
    with pytest.raises(services.LoginFailed):
        services.staff_authenticate(email=agent.email, password=PASSWORD, ip="10.0.0.9")
    # The person, from their own address, gets in once the short delay has passed.
    assert services.staff_authenticate(email=agent.email, password=PASSWORD,
                                       ip="192.0.2.7") == agent
    assert [m.to for m in mailoutbox] == [[admin.email]]
    assert "agent@rabatt.test" in mailoutbox[0].subject
    assert "10.0.0.9" in mailoutbox[0].body


def test_the_account_delay_grows_and_is_capped(settings):
    settings.STAFF_LOCKOUT_FAILURES = 2
    settings.STAFF_LOGIN_DELAY_MAX_SECONDS = 5
    agent = staff_user("agent")
    delays = []
    for n in range(6):
        StaffProfile.objects.filter(user=agent).update(locked_until=None)
        with pytest.raises(services.LoginFailed):
            services.staff_authenticate(email=agent.email, password="wrong", ip=f"10.0.1.{n}")
        until = StaffProfile.objects.get(user=agent).locked_until
        delays.append(None if until is None else round((until - utcnow()).total_seconds()))
    assert delays == [None, 1, 2, 4, 5, 5]
    # Within the delay even the right password from a fresh address is not checked.
    with pytest.raises(services.LoginFailed):
        services.staff_authenticate(email=agent.email, password=PASSWORD, ip="192.0.2.8")
    assert StaffProfile.objects.get(user=agent).failed_logins == 6


def test_locked_unknown_and_wrong_get_identical_answers_after_identical_work(settings):
    settings.PASSWORD_HASHERS = ["rabatt.accounts.tests.test_services.CountingHasher"]
    settings.STAFF_LOCKOUT_FAILURES = 2
    agent = staff_user("agent")
    wrong = refusal(agent.email, "wrong", "10.0.2.1")
    unknown = refusal("nobody@rabatt.test", "wrong", "10.0.2.2")
    refusal(agent.email, "wrong", "10.0.2.1")  # the second failure starts the delay
    delayed = refusal(agent.email, PASSWORD, "10.0.2.3")
    StaffProfile.objects.filter(user=agent).update(locked_until=None)  # the delay has passed
    address_blocked = refusal(agent.email, PASSWORD, "10.0.2.1")
    assert wrong == unknown == delayed == address_blocked
    assert wrong[-1] == 1  # one password hash behind every answer
    assert services.staff_authenticate(email=agent.email, password=PASSWORD,
                                       ip="10.0.2.4") == agent


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
