"""Domestic account numbers as people in each country write them, turned into IBANs; every
refusal names what was typed (no database)."""

from __future__ import annotations

import pytest
from django.utils import translation

from rabatt.banking import COUNTRY_CURRENCY, BankDetailsError, validate_bank_account


def iban_of(country: str, typed: str) -> str | None:
    return validate_bank_account(country=country, currency=COUNTRY_CURRENCY[country],
                                 data={"iban": typed}).iban


def refusal(country: str, typed: str) -> BankDetailsError:
    with translation.override("en"), pytest.raises(BankDetailsError) as info:
        validate_bank_account(country=country, currency=COUNTRY_CURRENCY[country],
                              data={"iban": typed})
    return info.value


@pytest.mark.parametrize(("country", "typed", "iban"), [
    ("GB", "60-16-13 31926819", "GB29NWBK60161331926819"),      # sort code + account
    ("GB", "601613 31926819", "GB29NWBK60161331926819"),
    ("GB", "20-00-00 12345678", "GB74BARC20000012345678"),
    ("GB", "04-00-04 12345678", "GB62MONZ04000412345678"),      # a longer prefix wins
    ("IE", "93-11-52 12345678", "IE29AIBK93115212345678"),
    ("NO", "8601 11 17947", "NO9386011117947"),                  # 11 digits
    ("NO", "8601.11.17947", "NO9386011117947"),
    ("DK", "0040 440116243", "DK5000400440116243"),              # reg. no. + account
    ("DK", "0040-0440116243", "DK5000400440116243"),
    ("DE", "37040044 532013000", "DE89370400440532013000"),      # BLZ + Kontonummer
    ("AT", "19043 234573201", "AT611904300234573201"),           # BLZ + Kontonummer
    ("FI", "123456-785", "FI2112345600000785"),                  # short form
    ("BE", "539-0075470-34", "BE68539007547034"),
    ("ES", "2100 0418 4502 0005 1332", "ES9121000418450200051332"),
    ("PL", "61 1090 1014 0000 0712 1981 2874", "PL61109010140000071219812874"),  # NRB
])
def test_a_domestic_account_number_becomes_the_iban(country, typed, iban):
    assert iban_of(country, typed) == iban


def test_a_wrong_norwegian_number_names_the_number_not_an_iban():
    error = refusal("NO", "1503 0123 458")
    assert error.code == "bban_invalid"
    assert str(error.message) == ("“1503 0123 458” is not a valid account number in Norway: "
                                  "please check the digits.")
    assert "IBAN" not in str(error.message)
    assert error.fields == {"iban": error.message}


def test_a_short_number_says_how_many_digits_it_has_and_needs():
    error = refusal("NO", "1503 0123 45")
    assert str(error.message) == ("“1503 0123 45” has 10 digits; an account number in Norway "
                                  "has 11. You can also give your IBAN.")
    assert str(refusal("GB", "60-16-13 3192681").message) == (
        "“60-16-13 3192681” has 13 digits; an account number in United Kingdom has 14. You can "
        "also give your IBAN.")


def test_an_unknown_sort_code_names_what_was_typed_and_asks_for_the_iban():
    # No library we can use maps every sort code to its bank (schwifty's UK registry is keyed
    # by BIC); the banks of SORT_CODE_BANKS are converted, any other asks for the IBAN.
    error = refusal("GB", "99-99-99 12345678")
    assert error.code == "sort_code_unknown"
    assert str(error.message) == (
        "We cannot tell the bank of “99-99-99 12345678” from its sort code 99-99-99: please "
        "give the IBAN printed on your bank statement (it is also in your banking app).")
    assert error.fields == {"iban": error.message}
    irish = refusal("IE", "91 00 17 12345678")
    assert (irish.code, "“91 00 17 12345678”" in str(irish.message)) == (
        "sort_code_unknown", True)
    with translation.override("nb"), pytest.raises(BankDetailsError) as info:
        validate_bank_account(country="GB", currency="GBP", data={"iban": "999999 12345678"})
    assert str(info.value.message) == (
        "Vi kan ikke se hvilken bank «999999 12345678» tilhører ut fra sort code 99-99-99: "
        "oppgi IBAN-nummeret som står på kontoutskriften (det står også i nettbanken).")


def test_iban_refusals_name_the_iban_typed():
    assert str(refusal("NO", "NO93 8601 1117 948").message) == (
        "The check digits of “NO93 8601 1117 948” are wrong: please check for a typing error.")
    assert str(refusal("NO", "DE89370400440532013000").message) == (
        "“DE89370400440532013000” is an account in another country; the account must be in "
        "Norway.")
    assert str(refusal("GB", "GB29NWBK601613319268").message) == (
        "“GB29NWBK601613319268” has 20 characters; an IBAN from United Kingdom has 22.")


def test_the_message_is_in_the_readers_language():
    with translation.override("nb"), pytest.raises(BankDetailsError) as info:
        validate_bank_account(country="NO", currency="NOK", data={"iban": "1503 0123 458"})
    with translation.override("nb"):
        expected = translation.gettext(
            "“%(typed)s” is not a valid account number in %(country)s: please check the "
            "digits.") % {"typed": "1503 0123 458", "country": "Norge"}
    assert str(info.value.message) == expected
