"""What the claim e-mails say: the confirmation's amount and products, reasons listed once."""

from __future__ import annotations

import pytest
from django.utils import translation

from rabatt.claims.emails import reason_label
from rabatt.claims.services import claim_request_info
from rabatt.claims.tests.factories import claim_factory, factory_staff

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_confirmation_names_the_products_and_the_amount(campaign, smtp):
    claim_factory(campaign, locale="en")
    text = smtp.text(0)
    assert "- 1 × Sonos Beam" in text or "- 1 × Beam" in text
    assert "NOK\u00a0748.50" in text


def test_reasons_already_in_the_message_are_not_listed_twice(campaign, smtp):
    claim = claim_factory(campaign, status="in_review", locale="en")
    label = reason_label("receipt_unreadable")
    claim_request_info(claim_id=claim.pk, actor=factory_staff(), reasons=["receipt_unreadable"],
                       message=f"Hello Kari, we need the following:\n- {label}")
    text = smtp.text()
    assert text.count(label) == 1
    with translation.override("en"):
        assert "What we need:" not in text


def test_reasons_not_in_the_message_are_listed(campaign, smtp):
    claim = claim_factory(campaign, status="in_review", locale="en")
    claim_request_info(claim_id=claim.pk, actor=factory_staff(), reasons=["receipt_unreadable"],
                       message="Please send a sharper photo.")
    text = smtp.text()
    assert "What we need:" in text
    assert text.count(reason_label("receipt_unreadable")) == 1
