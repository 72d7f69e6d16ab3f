"""Referral services: options, the owner's e-mail, signals that later claims reveal."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from rabatt.claims.tests.factories import code_new, payload, post_claim
from rabatt.codes.alphabet import display
from rabatt.codes.models import Code, Recipient
from rabatt.codes.tests.factories import direct_code
from rabatt.core.errors import DomainError
from rabatt.referrals.models import ReferralOptions
from rabatt.referrals.services import (
    FriendIn,
    friend_signals_refresh,
    friend_signup,
    ip_prefix,
    referral_link,
)

pytestmark = pytest.mark.django_db


def test_ip_prefix():
    assert ip_prefix("198.51.100.77") == "198.51.100.0/24"
    assert ip_prefix("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert ip_prefix("unknown") == ""


def test_a_distributed_code_refers_with_its_recipients_email(campaign):
    code = direct_code(campaign)
    Recipient.objects.create(campaign=campaign, email="Kari@Example.no",
                             email_normalised="kari@example.no", code=code)
    referral, created = referral_link(campaign=campaign, code_text=code.code)
    assert created
    assert referral.email_canonical == "kari@example.no"


def test_the_campaign_decides_what_friends_get(campaign):
    ReferralOptions.objects.create(campaign=campaign, friend_channel="retailer")
    referral, _ = referral_link(campaign=campaign, code_text=direct_code(campaign).code)
    friend = friend_signup(token=referral.token, data=FriendIn(name="A", email="a@example.no"))
    assert Code.objects.get(pk=friend.code_id).channel == "retailer"


def test_disabled_programme(campaign):
    ReferralOptions.objects.create(campaign=campaign, enabled=False)
    with pytest.raises(DomainError) as info:
        referral_link(campaign=campaign, code_text=direct_code(campaign).code)
    assert info.value.code == "referrals_not_offered"


@pytest.mark.usefixtures("during_campaign")
def test_same_bank_account_and_address_after_both_claim(campaign):
    ReferralOptions.objects.create(campaign=campaign, friend_channel="retailer")
    mine = code_new(campaign)
    assert post_claim(Client(), payload(mine)).status_code == 201
    referral, _ = referral_link(campaign=campaign, code_text=mine)
    friend = friend_signup(token=referral.token,
                           data=FriendIn(name="Ola", email="ola@example.no"))
    assert friend_signals_refresh(friend_id=friend.pk) == {}
    body = payload(display(friend.code.code), person__email="ola@example.no",
                   person__first_name="Ola")
    assert post_claim(Client(), body).status_code == 201
    call_command("referrals", "signals", "--campaign", campaign.slug)
    friend.refresh_from_db()
    assert friend.signals["same_bank_account_as_referrer"] is True
    signals = friend_signals_refresh(friend_id=friend.pk)
    assert signals == {"same_bank_account_as_referrer": True, "same_address_as_referrer": True}
    friend.refresh_from_db()
    assert friend.signals == signals
