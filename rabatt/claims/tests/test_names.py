"""Test that line breaks and control characters never get into a claim's names."""

from __future__ import annotations

import pytest

from rabatt.claims.services import claim_contact_correct
from rabatt.claims.tests.factories import claim_factory
from rabatt.core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["Kari\nBcc: x@y.z", "Kari\r", "Ka\x00ri", "Kari\u2028Ola",
                                   "Kari\x85"])
def test_corrections_with_line_breaks_are_refused(campaign, during_campaign, value):
    claim = claim_factory(campaign)
    with pytest.raises(DomainError) as info:
        claim_contact_correct(claim_id=claim.pk, changes={"first_name": value},
                              actor_type="staff")
    assert info.value.code == "invalid_characters"
    assert info.value.fields == {"first_name": "control characters"}
    claim.refresh_from_db()
    assert claim.first_name == "Kari"


def test_a_plain_correction_still_goes_through(campaign, during_campaign):
    claim = claim_factory(campaign)
    assert claim_contact_correct(claim_id=claim.pk, changes={"first_name": "Kari-Anne Ødegård"},
                                 actor_type="staff") == ["first_name"]
