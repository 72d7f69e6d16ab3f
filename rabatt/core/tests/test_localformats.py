import pytest
from django.utils import translation

from rabatt.core.localformats import (
    POSTCODE_RULES,
    FormatError,
    phone_display,
    phone_normalise,
    postcode_normalise,
    postcode_optional,
)

COUNTRIES = ["AU", "AT", "BE", "CA", "DK", "FI", "FR", "DE", "IE", "IT", "NL", "NO", "PL", "ES",
             "SE", "CH", "GB", "US"]

# country: (as typed, as stored), ...
VALID_POSTCODES = {
    "AU": [("2000", "2000"), (" 3000 ", "3000")],
    "AT": [("1010", "1010"), ("A-1010", "1010")],
    "BE": [("1000", "1000"), ("B-9000", "9000")],
    "CA": [("k1a0b1", "K1A 0B1"), ("M5V 3L9", "M5V 3L9")],
    "DK": [("1050", "1050"), ("DK-8000", "8000")],
    "FI": [("00100", "00100"), ("FI-33100", "33100")],
    "FR": [("75001", "75001"), ("75 001", "75001")],
    "DE": [("10115", "10115"), ("D-80331", "80331")],
    "IE": [("d02x285", "D02 X285"), ("D6W 1234", "D6W 1234"), ("", "")],
    "IT": [("00184", "00184"), ("20121", "20121")],
    "NL": [("1012ab", "1012 AB"), ("3511 LX", "3511 LX")],
    "NO": [("0155", "0155"), ("5013", "5013")],
    "PL": [("00950", "00-950"), ("31-012", "31-012")],
    "ES": [("28013", "28013"), ("08001", "08001")],
    "SE": [("11122", "111 22"), ("SE-411 05", "411 05")],
    "CH": [("8001", "8001"), ("CH-3003", "3003")],
    "GB": [("sw1a1aa", "SW1A 1AA"), ("M1 1AE", "M1 1AE"), ("gu11aa", "GU1 1AA")],
    "US": [("20500", "20500"), ("20500 1234", "20500-1234")],
}
INVALID_POSTCODES = {
    "AU": ["200", "20000"], "AT": ["0100", "10100"], "BE": ["0999", "10000"],
    "CA": ["D1A 0B1", "K1A0B"], "DK": ["0555", "10500"], "FI": ["0010", "001000"],
    "FR": ["7500", "750011"], "DE": ["1011", "101155"], "IE": ["B02 X285", "D02 X28"],
    "IT": ["0018", "001844"], "NL": ["0123 AB", "1012 SA"], "NO": ["155", "01555"],
    "PL": ["0095", "00-9500"], "ES": ["53001", "00001"], "SE": ["01122", "1112"],
    "CH": ["0800", "80011"], "GB": ["SW1A", "QW1A 1AA"], "US": ["2050", "20500-12"],
}
# A public switchboard in each country, typed as its people write it: (typed, E.164, shown).
PHONES = {
    "AU": ("02 9374 4000", "+61293744000", "(02) 9374 4000"),
    "AT": ("01 514440", "+431514440", "01 514440"),
    "BE": ("02 513 89 40", "+3225138940", "02 513 89 40"),
    "CA": ("613-992-4793", "+16139924793", "(613) 992-4793"),
    "DK": ("33923300", "+4533923300", "33 92 33 00"),
    "FI": ("09 310 1641", "+35893101641", "09 3101641"),
    "FR": ("01 42 76 40 40", "+33142764040", "01 42 76 40 40"),
    "DE": ("030 2270", "+49302270", "030 2270"),
    "IE": ("01 618 3000", "+35316183000", "(01) 618 3000"),
    "IT": ("06 67101", "+390667101", "06 67101"),
    "NL": ("020 552 9111", "+31205529111", "020 552 9111"),
    "NO": ("22249090", "+4722249090", "22 24 90 90"),
    "PL": ("22 694 25 00", "+48226942500", "22 694 25 00"),
    "ES": ("914 54 88 00", "+34914548800", "914 54 88 00"),
    "SE": ("08-786 40 00", "+4687864000", "08-786 40 00"),
    "CH": ("058 462 21 11", "+41584622111", "058 462 21 11"),
    "GB": ("020 7219 3000", "+442072193000", "020 7219 3000"),
    "US": ("(202) 456-1111", "+12024561111", "(202) 456-1111"),
}


def test_every_participating_country_has_rules_and_test_cases() -> None:
    assert set(POSTCODE_RULES) == set(COUNTRIES) == set(VALID_POSTCODES) \
        == set(INVALID_POSTCODES) == set(PHONES)


@pytest.mark.parametrize("country", COUNTRIES)
def test_valid_postcodes_are_stored_in_the_post_offices_layout(country: str) -> None:
    for typed, stored in VALID_POSTCODES[country]:
        assert postcode_normalise(country=country, text=typed) == stored
    rule = POSTCODE_RULES[country]
    assert postcode_normalise(country=country, text=rule.example) == rule.example


@pytest.mark.parametrize("country", COUNTRIES)
def test_invalid_postcodes_are_refused_naming_what_was_typed(country: str) -> None:
    for typed in INVALID_POSTCODES[country]:
        with translation.override("en"), pytest.raises(FormatError) as caught:
            postcode_normalise(country=country, text=typed)
        assert caught.value.message.startswith(f"“{typed}” is not a postcode in ")
        assert POSTCODE_RULES[country].example in caught.value.message


def test_only_ireland_may_leave_the_postcode_out() -> None:
    assert [c for c in COUNTRIES if postcode_optional(c)] == ["IE"]
    with pytest.raises(FormatError):
        postcode_normalise(country="NO", text=" ")


def test_postcode_error_is_in_the_active_language() -> None:
    with translation.override("de"), pytest.raises(FormatError) as caught:
        postcode_normalise(country="NL", text="1012 SA")
    assert caught.value.message == ("„1012 SA“ ist keine Postleitzahl (Niederlande). "
                                    "Schreib sie so: 1012 AB.")


def test_a_country_without_rules_keeps_what_was_typed() -> None:
    assert postcode_normalise(country="JP", text=" 100-0001 ") == "100-0001"


@pytest.mark.parametrize("country", COUNTRIES)
def test_phone_is_stored_in_e164_and_shown_in_national_format(country: str) -> None:
    typed, e164, shown = PHONES[country]
    assert phone_normalise(country=country, text=typed) == e164
    assert phone_normalise(country=country, text=e164) == e164
    assert phone_display(e164, country) == shown


@pytest.mark.parametrize("country", COUNTRIES)
def test_invalid_phone_is_refused_naming_what_was_typed(country: str) -> None:
    for typed in ("123", "phone me", "+999 1234 5678"):
        with translation.override("en"), pytest.raises(FormatError) as caught:
            phone_normalise(country=country, text=typed)
        assert caught.value.message.startswith(f"“{typed}” is not a phone number we can reach")


def test_foreign_phone_is_shown_in_international_format() -> None:
    assert phone_normalise(country="NO", text="+46 8 786 40 00") == "+4687864000"
    assert phone_display("+4687864000", "NO") == "+46 8 786 40 00"
    assert phone_normalise(country="NO", text="") == ""
    assert phone_display("", "NO") == ""
