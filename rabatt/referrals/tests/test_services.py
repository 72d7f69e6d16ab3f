"""Referral services: options, the owner's e-mail, signals that later claims reveal."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from rabatt.claims.tests.factories import claim_factory, code_new
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
    claim_factory(campaign, code=mine)
    referral, _ = referral_link(campaign=campaign, code_text=mine)
    friend = friend_signup(token=referral.token,
                           data=FriendIn(name="Ola", email="ola@example.no"))
    assert friend_signals_refresh(friend_id=friend.pk) == {}
    claim_factory(campaign, code=display(friend.code.code), email="ola@example.no",
                  first_name="Ola")
    call_command("referrals", "signals", "--campaign", campaign.slug)
    friend.refresh_from_db()
    assert friend.signals["same_bank_account_as_referrer"] is True
    signals = friend_signals_refresh(friend_id=friend.pk)
    assert signals == {"same_bank_account_as_referrer": True, "same_address_as_referrer": True}
    friend.refresh_from_db()
    assert friend.signals == signals


@pytest.mark.django_db(transaction=True)  # the outbox sends when the sign-up commits
def test_the_friends_code_email_goes_through_the_outbox(campaign, smtp):
    from rabatt.notifications.models import OutboundEmail
    from rabatt.notifications.services import MAX_ATTEMPTS, email_send
    from rabatt.referrals.models import Friend, ReferralEvent

    referral, _ = referral_link(campaign=campaign, code_text=direct_code(campaign).code)
    smtp.refuse = True
    friend = friend_signup(token=referral.token, data=FriendIn(name="A", email="a@example.no"))
    row = OutboundEmail.objects.get(dedup_key=f"referral-friend-code:{friend.pk}")
    assert (row.status, row.marketing, row.unsubscribe_path) == ("pending", False, "")
    # Its last attempt fails: the friend row says so, and no event claims it was sent.
    OutboundEmail.objects.filter(pk=row.pk).update(attempts=MAX_ATTEMPTS - 1,
                                                   next_attempt_at=None)
    assert email_send(email_id=row.pk) == "failed"
    friend = Friend.objects.get(pk=friend.pk)
    assert (friend.code_emailed_at, friend.email_attempts) == (None, MAX_ATTEMPTS)
    assert "451" in friend.email_error
    assert not ReferralEvent.objects.filter(kind="friend_code_emailed").exists()
    # A second friend's e-mail is sent: the time, the count and the event are recorded.
    smtp.refuse = False
    other = friend_signup(token=referral.token, data=FriendIn(name="B", email="b@example.no"))
    other = Friend.objects.get(pk=other.pk)
    assert other.code_emailed_at is not None
    assert (other.email_attempts, other.email_error) == (1, "")
    assert ReferralEvent.objects.get(kind="friend_code_emailed").friend_id == other.pk
    assert "List-Unsubscribe" not in smtp.messages[-1]  # a service e-mail
