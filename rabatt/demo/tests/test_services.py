import pytest

from rabatt.demo.services import DEMO_PAYER, demo_payer_ensure
from rabatt.payouts.models import PayerAccount

pytestmark = pytest.mark.django_db


def test_demo_payer_has_a_derived_bic_and_every_currency_once():
    payer = demo_payer_ensure(currencies=["NOK", "SEK"])
    assert (payer.name, payer.iban, payer.bic) == (DEMO_PAYER, "NO9386011117947", "DABANO22")
    assert payer.currencies == ["NOK", "SEK"]
    again = demo_payer_ensure(currencies=["DKK", "NOK"])
    assert again.pk == payer.pk
    assert again.currencies == ["DKK", "NOK", "SEK"]
    assert PayerAccount.objects.count() == 1
