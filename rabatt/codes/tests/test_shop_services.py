"""Redemption services and API keys, below the HTTP layer."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from rabatt.campaigns.rules import PurchaseLine
from rabatt.codes.models import ApiKey, CodeEvent, CodeStatus, Redemption
from rabatt.codes.selectors import api_key_authenticate, codes_report
from rabatt.codes.services import OrderIn, code_redeem, redemption_cancel, redemption_void
from rabatt.codes.tests.factories import direct_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("during_campaign")]
ORDER = OrderIn(order_id="A-1", country="NO", currency="NOK",
                lines=[PurchaseLine("beam", Decimal("4990.00"))])


def test_the_database_refuses_a_second_live_redemption(campaign):
    code = direct_code(campaign)
    first, created = code_redeem(campaign=campaign, text=code.code, order=ORDER)
    assert created
    with pytest.raises(IntegrityError), transaction.atomic():
        Redemption.objects.create(
            campaign=campaign, code=code, order_id="B-2", country="NO", currency="NOK",
            discount=Decimal(1), created_at=first.created_at, updated_at=first.created_at)


def test_report_counts_given_and_voided(campaign):
    a = code_redeem(campaign=campaign, text=direct_code(campaign).code, order=ORDER)[0]
    b = code_redeem(campaign=campaign, text=direct_code(campaign).code,
                    order=OrderIn(**{**ORDER.__dict__, "order_id": "A-2"}))[0]
    c = code_redeem(campaign=campaign, text=direct_code(campaign).code,
                    order=OrderIn(**{**ORDER.__dict__, "order_id": "A-3"}))[0]
    redemption_void(redemption_id=b.pk)
    redemption_cancel(redemption_id=c.pk)
    report = codes_report(campaign=campaign)
    assert report["redemptions"] == {"redeemed": 1, "cancelled": 1, "voided": 1}
    assert report["discount"] == {"NOK": {"given": "748.50", "voided": "748.50"}}
    assert report["codes"]["direct"] == {"issued": 3, "available": 1, "used": 2, "void": 0}
    assert a.status == "redeemed"
    # The command line shows money with its currency and minor units.
    out = io.StringIO()
    call_command("codes", "report", campaign.slug, stdout=out)
    amount = "NOK\u00a0748.50"
    assert f"{'NOK':<10}{amount:>16}{amount:>12}" in out.getvalue().splitlines()


def test_apikey_command(campaign, capsys):
    call_command("apikey", "create", "webshop", "--campaign", campaign.slug)
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    key = api_key_authenticate(secret=secret)
    assert key is not None
    assert key.name == "webshop"
    assert secret not in ApiKey.objects.values_list("key_hash", flat=True)
    with pytest.raises(CommandError):
        call_command("apikey", "create", "webshop", "--campaign", campaign.slug)
    with pytest.raises(CommandError):
        call_command("apikey", "create", "other", "--campaign", "missing")
    call_command("apikey", "revoke", key.prefix)
    assert api_key_authenticate(secret=secret) is None
    with pytest.raises(CommandError):
        call_command("apikey", "revoke", "nobody")
    assert ApiKey.objects.count() == 1
    assert list(CodeEvent.objects.filter(api_key=key).values_list("kind", flat=True)) == [
        "api_key_created", "api_key_revoked"]


def test_cancel_then_the_code_is_available(campaign):
    code = direct_code(campaign)
    redemption = code_redeem(campaign=campaign, text=code.code, order=ORDER)[0]
    redemption_cancel(redemption_id=redemption.pk)
    code.refresh_from_db()
    assert (code.status, code.used_at) == (CodeStatus.AVAILABLE, None)


def test_a_mistyped_code_costs_no_query(campaign, django_assert_num_queries):
    from rabatt.codes.services import code_validate
    from rabatt.codes.tests.factories import mistyped
    from rabatt.core.errors import DomainError

    typo = mistyped(direct_code(campaign))
    with django_assert_num_queries(0), pytest.raises(DomainError) as info:
        code_validate(campaign=campaign, text=typo, order=ORDER)
    assert info.value.code == "code_invalid"


def test_validate_after_redeem_of_the_same_order(campaign):
    from rabatt.codes.services import code_validate

    code = direct_code(campaign)
    code_redeem(campaign=campaign, text=code.code, order=ORDER)
    assert code_validate(campaign=campaign, text=code.code, order=ORDER).discount == \
        Decimal("748.50")
