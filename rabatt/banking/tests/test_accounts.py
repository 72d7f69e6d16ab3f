"""Bank account validation per country and holder-name matching (no database)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils.functional import Promise
from schwifty import IBAN

from rabatt.banking import (
    COUNTRY_CURRENCY,
    BankAccount,
    BankDetailsError,
    aba_checksum_ok,
    holder_name_match,
    validate_bank_account,
)

VALID_IBANS = {
    "AT": "AT611904300234573201",
    "BE": "BE68539007547034",
    "DK": "DK5000400440116243",
    "FI": "FI2112345600000785",
    "FR": "FR1420041010050500013M02606",
    "DE": "DE89370400440532013000",
    "IE": "IE29AIBK93115212345678",
    "IT": "IT60X0542811101000000123456",
    "NL": "NL91ABNA0417164300",
    "NO": "NO9386011117947",
    "PL": "PL61109010140000071219812874",
    "ES": "ES9121000418450200051332",
    "SE": "SE4550000000058398257466",
    "CH": "CH9300762011623852957",
    "GB": "GB29NWBK60161331926819",
}
# BBANs whose IBAN check digits are right but whose national check digit is wrong.
BAD_NATIONAL_CHECK = {
    "BE": "539007547035",
    "FI": "12345600000786",
    "FR": "20041010050500013M02607",
    "IT": "X0542811101000000123457",
    "NO": "86011117948",
    "ES": "21000418450200051333",
}


def check(country: str, **data: Any) -> BankAccount:
    return validate_bank_account(country=country, currency=COUNTRY_CURRENCY[country], data=data)


def refused(country: str, code: str, *, currency: str | None = None, **data: Any) -> None:
    with pytest.raises(BankDetailsError) as info:
        validate_bank_account(
            country=country, currency=currency or COUNTRY_CURRENCY.get(country, "EUR"), data=data
        )
    assert info.value.code == code
    # Lazy, or already in the active language when it names what was typed.
    assert isinstance(info.value.message, Promise | str)


def with_check_digits(country: str, bban: str) -> str:
    return str(IBAN.from_bban(country, bban))


def test_every_participating_country_is_supported() -> None:
    assert set(COUNTRY_CURRENCY) == set(VALID_IBANS) | {"AU", "CA", "US"}
    assert len(COUNTRY_CURRENCY) == 18


@pytest.mark.parametrize(("country", "iban"), sorted(VALID_IBANS.items()))
def test_valid_iban_per_country(country: str, iban: str) -> None:
    account = check(country, iban=iban)
    assert account.iban == iban
    assert account.scheme == "iban"
    assert account.country == country
    assert account.currency == COUNTRY_CURRENCY[country]
    assert account.clearing_system is None


@pytest.mark.parametrize(("country", "iban"), sorted(VALID_IBANS.items()))
def test_iban_with_a_typo_fails_the_checksum(country: str, iban: str) -> None:
    last = iban[-1]
    typo = iban[:-1] + (str((int(last) + 1) % 10) if last.isdigit() else "A")
    refused(country, "iban_invalid_checksum", iban=typo)


@pytest.mark.parametrize(("country", "iban"), sorted(VALID_IBANS.items()))
def test_iban_of_wrong_length(country: str, iban: str) -> None:
    with pytest.raises(BankDetailsError) as info:
        check(country, iban=iban[:-2])
    assert info.value.code in {"iban_invalid_length", "iban_invalid"}


@pytest.mark.parametrize(("country", "iban"), sorted(VALID_IBANS.items()))
def test_iban_from_another_country(country: str, iban: str) -> None:
    other = VALID_IBANS["DE"] if country != "DE" else VALID_IBANS["AT"]
    refused(country, "iban_wrong_country", iban=other)


@pytest.mark.parametrize("country", sorted(VALID_IBANS))
def test_iban_with_foreign_characters(country: str) -> None:
    refused(country, "iban_invalid", iban=VALID_IBANS[country][:6] + "ÆØÅ!")


@pytest.mark.parametrize(("country", "bban"), sorted(BAD_NATIONAL_CHECK.items()))
def test_national_check_digit_is_verified(country: str, bban: str) -> None:
    refused(country, "bban_invalid", iban=with_check_digits(country, bban))


def test_norwegian_mod11_account_entered_without_iban() -> None:
    account = check("NO", iban="8601.11.17947")
    assert account.iban == "NO9386011117947"
    assert account.account_number == "86011117947"
    refused("NO", "bban_invalid", iban="8601 11 17948")


def test_input_is_normalised() -> None:
    account = check("NO", iban=" iban no93 8601-1117 947 ")
    assert account.iban == "NO9386011117947"
    assert check("DE", iban="de89 3704 0044 0532 0130 00", bic="cobadeff xxx").bic == "COBADEFFXXX"


def test_bic_and_bank_name_are_derived() -> None:
    account = check("NO", iban=VALID_IBANS["NO"])
    assert (account.bic, account.bank_name) == ("DABANO22", "Danske Bank")
    assert check("NL", iban=VALID_IBANS["NL"]).bic == "ABNANL2A"
    assert check("DE", iban=VALID_IBANS["DE"]).bank_name == "Commerzbank"


def test_given_bic_must_be_valid_and_belong_to_the_bank() -> None:
    refused("DE", "bic_invalid", iban=VALID_IBANS["DE"], bic="NOTABIC!")
    refused("DE", "bic_mismatch", iban=VALID_IBANS["DE"], bic="DABANO22")
    refused("DE", "bic_mismatch", iban=VALID_IBANS["DE"], bic="DEUTDEFF")
    assert check("CH", iban=VALID_IBANS["CH"], bic="UBSWCHZH80A").bic == "UBSWCHZH80A"


def test_missing_iban() -> None:
    with pytest.raises(BankDetailsError) as info:
        check("FR", iban="  ")
    assert info.value.code == "field_required"
    assert info.value.field == "iban"
    assert "iban" in info.value.as_dict()["fields"]


def test_currency_must_be_the_countrys() -> None:
    refused("NO", "currency_mismatch", currency="EUR", iban=VALID_IBANS["NO"])
    refused("DE", "currency_mismatch", currency="USD", iban=VALID_IBANS["DE"])
    refused("US", "currency_mismatch", currency="CAD", routing_number="021000021")


def test_other_countries_are_not_supported() -> None:
    refused("JP", "country_not_supported", currency="JPY", iban="x")
    refused("", "country_not_supported", iban="x")


# Australia


def test_australian_bsb_and_account() -> None:
    account = check("AU", bsb="062-000", account_number="1234 5678")
    assert (account.bank_code, account.account_number) == ("062000", "12345678")
    assert (account.clearing_system, account.clearing_member_id) == ("AUBSB", "062000")
    assert check("AU", bsb="062000", account_number="12345").account_number == "12345"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"bsb": "06200", "account_number": "12345678"}, "bsb_invalid"),
        ({"bsb": "0620001", "account_number": "12345678"}, "bsb_invalid"),
        ({"bsb": "06A-000", "account_number": "12345678"}, "bsb_invalid"),
        ({"bsb": "000-000", "account_number": "12345678"}, "bsb_invalid"),
        ({"bsb": "062-000", "account_number": "1234"}, "account_number_invalid"),
        ({"bsb": "062-000", "account_number": "1234567890"}, "account_number_invalid"),
        ({"bsb": "062-000", "account_number": "12345X78"}, "account_number_invalid"),
        ({"bsb": "062-000"}, "field_required"),
    ],
)
def test_australian_refusals(data: dict[str, str], code: str) -> None:
    refused("AU", code, **data)


# Canada


def test_canadian_institution_transit_account() -> None:
    account = check(
        "CA", institution_number="003", transit_number="12345", account_number="1234567"
    )
    assert (account.clearing_system, account.clearing_member_id) == ("CACPA", "000312345")
    assert check(
        "CA", institution_number="010", transit_number="00011", account_number="123456789012"
    ).account_number == ("123456789012")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"institution_number": "03"}, "institution_number_invalid"),
        ({"institution_number": "0003"}, "institution_number_invalid"),
        ({"transit_number": "1234"}, "transit_number_invalid"),
        ({"transit_number": "12A45"}, "transit_number_invalid"),
        ({"account_number": "123456"}, "account_number_invalid"),
        ({"account_number": "1234567890123"}, "account_number_invalid"),
        ({"account_number": None}, "field_required"),
    ],
)
def test_canadian_refusals(data: dict[str, str | None], code: str) -> None:
    base = {"institution_number": "003", "transit_number": "12345", "account_number": "1234567"}
    refused("CA", code, **{k: v for k, v in {**base, **data}.items() if v is not None})


# United States


@pytest.mark.parametrize("routing", ["021000021", "011000015", "122105155", "026009593"])
def test_aba_checksum_accepts_real_routing_numbers(routing: str) -> None:
    assert aba_checksum_ok(routing)


def test_us_routing_account_and_type() -> None:
    account = check(
        "US", routing_number="021-000-021", account_number="000123456789", account_type="Checking"
    )
    assert (account.bank_code, account.account_type) == ("021000021", "checking")
    assert (account.clearing_system, account.clearing_member_id) == ("USABA", "021000021")
    assert check(
        "US", routing_number="021000021", account_number="1234", account_type="savings"
    ).account_type == ("savings")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"routing_number": "021000022"}, "aba_invalid_checksum"),
        ({"routing_number": "121000021"}, "aba_invalid_checksum"),
        ({"routing_number": "02100002"}, "aba_invalid"),
        ({"routing_number": "0210000211"}, "aba_invalid"),
        ({"routing_number": "500000005"}, "aba_invalid"),
        ({"account_number": "123"}, "account_number_invalid"),
        ({"account_number": "123456789012345678"}, "account_number_invalid"),
        ({"account_type": ""}, "account_type_required"),
        ({"account_type": "brokerage"}, "account_type_invalid"),
    ],
)
def test_us_refusals(data: dict[str, str], code: str) -> None:
    base = {
        "routing_number": "021000021",
        "account_number": "123456789",
        "account_type": "checking",
    }
    refused("US", code, **{**base, **data})


# Presentation and storage


def test_masked_and_display() -> None:
    norway = check("NO", iban=VALID_IBANS["NO"])
    assert norway.masked() == "NO93 **** ***7947"
    assert norway.display() == "NO93 8601 1117 947"
    germany = check("DE", iban=VALID_IBANS["DE"])
    assert germany.masked() == "DE89 **** **** **** **3000"
    australia = check("AU", bsb="062000", account_number="12345678")
    assert australia.masked() == "BSB 062-000 ****5678"
    assert australia.display() == "BSB 062-000 12345678"
    us = check("US", routing_number="021000021", account_number="123456789", account_type="savings")
    assert us.masked() == "ABA 021000021 *****6789"
    assert "savings" in us.display()
    canada = check("CA", institution_number="003", transit_number="12345", account_number="1234567")
    assert canada.masked() == "003-12345 ***4567"


def test_stored_dict_round_trip() -> None:
    account = check("GB", iban=VALID_IBANS["GB"])
    assert BankAccount.from_dict(account.as_dict()) == account


# Holder name matching


@pytest.mark.parametrize(
    ("holder", "first", "last"),
    [
        ("Kari Hansen", "Kari", "Hansen"),
        ("KARI HANSEN", "kari", "hansen"),
        ("Hansen, Kari", "Kari", "Hansen"),
        ("Hansen Kari", "Kari", "Hansen"),
        ("K. Hansen", "Kari", "Hansen"),
        ("E. Hansen", "Erik", "Hansen"),
        ("Y Hansen", "Yngve", "Hansen"),
        ("M. Dupont", "Marie", "Dupont"),
        ("Anne-Marie Hansen-Berg", "Anne-Marie", "Hansen-Berg"),
        ("José y María García", "María", "García"),
        ("Mr K Hansen", "Kari", "Hansen"),
        ("Kari Anne Hansen", "Kari", "Hansen"),
        ("Kari Hansen", "Kari Anne", "Hansen"),
        ("Kari og Per Hansen", "Kari", "Hansen"),
        ("Kari og Per Hansen", "Per", "Hansen"),
        ("Kari & Per Hansen", "Per", "Hansen"),
        ("Per Hansen and Kari Olsen", "Kari", "Olsen"),
        ("Søren Ødegård", "Soren", "Odegard"),
        ("Soeren Oedegaard", "Søren", "Ødegård"),
        ("Åse Ås", "Ase", "As"),
        ("Jürgen Müller", "Jurgen", "Muller"),
        ("Mueller, Juergen", "Jürgen", "Müller"),
        ("Élodie Dupré", "Elodie", "Dupre"),
        ("José García López", "Jose", "Garcia Lopez"),
        ("Kari Hanssen", "Kari", "Hansen"),
    ],
)
def test_names_that_match(holder: str, first: str, last: str) -> None:
    match = holder_name_match(holder, first, last)
    assert match.ok, match
    assert 0.85 <= match.score <= 1.0


@pytest.mark.parametrize(
    ("holder", "first", "last"),
    [
        ("Per Hansen", "Kari", "Hansen"),
        ("Kari Olsen", "Kari", "Hansen"),
        ("Hansen Consulting AS", "Kari", "Hansen"),
        ("P. Hansen", "Kari", "Hansen"),
        ("Per Hansen og Kari Olsen", "Kari", "Hansen"),
        ("Ola Nordmann", "Kari", "Hansen"),
        ("", "Kari", "Hansen"),
        ("Kari Hansen", "", ""),
    ],
)
def test_names_that_do_not_match(holder: str, first: str, last: str) -> None:
    match = holder_name_match(holder, first, last)
    assert not match.ok, match
    assert match.score < 0.85
