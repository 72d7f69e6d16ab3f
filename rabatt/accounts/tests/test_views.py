import re
import time

import pytest
from django.test import Client
from django_otp.oath import totp

from rabatt.accounts import guards
from rabatt.accounts.models import StaffTotpDevice
from rabatt.review.tests.factories import PASSWORD, staff_user, totp_now, verified_client

pytestmark = pytest.mark.django_db


def test_login_with_password_then_code_reaches_the_desk():
    agent = staff_user("agent")
    client = Client()
    response = client.post("/accounts/login/?next=/staff/?status=approved",
                           {"email": agent.email, "password": PASSWORD,
                            "next": "/staff/?status=approved"})
    assert response["Location"] == "/accounts/login/code/"
    assert client.get("/staff/").status_code == 302  # not logged in between the factors
    assert client.post("/accounts/login/code/", {"code": "123456"}).status_code == 422
    StaffTotpDevice.objects.filter(user=agent).update(throttling_failure_count=0,
                                                      throttling_failure_timestamp=None)
    response = client.post("/accounts/login/code/", {"code": totp_now(agent)})
    assert response["Location"] == "/staff/?status=approved"
    assert client.get("/staff/").status_code == 200


def test_first_login_enrols_an_authenticator_with_a_qr_code():
    agent = staff_user("agent", device=False)
    client = Client()
    response = client.post("/accounts/login/", {"email": agent.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/login/setup/"
    page = client.get("/accounts/login/setup/").content.decode()
    assert "<svg" in page
    assert 'aria-labelledby="qr-label"' in page
    found = re.search(r'data-secret="([A-Z2-7]+)"', page)
    assert found is not None
    secret = found.group(1)
    device = StaffTotpDevice.objects.get(user=agent)
    assert secret == device.secret_b32
    response = client.post("/accounts/login/setup/", {"code": f"{totp(device.bin_key):06d}"})
    assert response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_wrong_password_is_refused_with_one_message():
    agent = staff_user("agent")
    for email in (agent.email, "nobody@rabatt.test"):
        response = Client().post("/accounts/login/", {"email": email, "password": "nope"})
        assert response.status_code == 401
        assert "Wrong e-mail address, password or code" in response.content.decode()


def test_session_expires_when_idle(settings):
    agent = staff_user("agent")
    client = verified_client(agent)
    assert client.get("/staff/").status_code == 200
    session = client.session
    session[guards.SEEN_AT] = int(time.time()) - settings_idle(settings) - 1
    session.save()
    assert client.get("/staff/").status_code == 302
    assert client.get("/staff/").status_code == 302  # logged out for good


def settings_idle(settings) -> int:
    settings.STAFF_IDLE_SECONDS = 60
    return 60


def test_a_deactivated_user_is_out_at_the_next_request():
    from rabatt.accounts.services import staff_deactivate

    agent = staff_user("agent")
    client = verified_client(agent)
    staff_deactivate(user=agent)
    assert client.get("/staff/").status_code == 302
