"""Validate and normalise a claimant's bank account for the country they live in."""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from schwifty import BIC, IBAN, exceptions, registry

from rabatt.core.i18n import country_name

from .errors import BankDetailsError

Scheme = Literal["iban", "au_bsb", "ca_eft", "us_aba"]
AccountType = Literal["checking", "savings"]

COUNTRY_CURRENCY: dict[str, str] = {
    "AU": "AUD",
    "AT": "EUR",
    "BE": "EUR",
    "CA": "CAD",
    "DK": "DKK",
    "FI": "EUR",
    "FR": "EUR",
    "DE": "EUR",
    "IE": "EUR",
    "IT": "EUR",
    "NL": "EUR",
    "NO": "NOK",
    "PL": "PLN",
    "ES": "EUR",
    "SE": "SEK",
    "CH": "CHF",
    "GB": "GBP",
    "US": "USD",
}
SCHEMES: dict[str, Scheme] = {"AU": "au_bsb", "CA": "ca_eft", "US": "us_aba"}

# ISO 20022 external clearing system codes used in ClrSysMmbId.
CLEARING_SYSTEMS: dict[Scheme, str] = {"au_bsb": "AUBSB", "ca_eft": "CACPA", "us_aba": "USABA"}

_ACCOUNT_TYPES: dict[str, AccountType] = {
    "checking": "checking",
    "chequing": "checking",
    "current": "checking",
    "cacc": "checking",
    "savings": "savings",
    "saving": "savings",
    "svgs": "savings",
}
# Newer schwifty warns when a country has no national checksum to verify; older ones stay silent.
_UNVERIFIED: type[Warning] = getattr(exceptions, "NationalChecksumNotVerified", UserWarning)
_SEPARATORS = re.compile(r"[\s\-./]+")
# A US routing number's first two digits name a Federal Reserve district or a thrift/electronic
# range; anything else is not an ABA number even when the checksum happens to fit.
_ABA_PREFIXES = (range(0, 13), range(21, 33), range(61, 73), range(80, 81))


@dataclass(frozen=True, slots=True)
class BankAccount:
    """A validated, normalised payout account; no field holds formatting."""

    country: str
    currency: str
    scheme: Scheme
    account_number: str
    iban: str | None = None
    bic: str | None = None
    bank_name: str | None = None
    bank_code: str | None = None
    branch_code: str | None = None
    account_type: AccountType | None = None

    @property
    def clearing_system(self) -> str | None:
        """Return the ISO 20022 clearing system code for non-IBAN accounts."""
        return CLEARING_SYSTEMS.get(self.scheme)

    @property
    def clearing_member_id(self) -> str | None:
        """Return the bank's member id in its clearing system (BSB, CPA routing, ABA)."""
        if self.scheme == "au_bsb":
            return self.bank_code
        if self.scheme == "ca_eft":
            # Payments Canada's electronic routing number: 0 + institution + transit.
            return f"0{self.bank_code}{self.branch_code}"
        if self.scheme == "us_aba":
            return self.bank_code
        return None

    @property
    def is_iban(self) -> bool:
        """Say whether the account is identified by an IBAN."""
        return self.iban is not None

    def masked(self) -> str:
        """Return the account for screens and e-mails with all but the last four hidden."""
        if self.iban:
            middle = len(self.iban) - 8
            stars = " ".join(["****"] * (middle // 4))
            tail = "*" * (middle % 4) + self.iban[-4:]
            return " ".join(part for part in (self.iban[:4], stars, tail) if part)
        hidden = "*" * max(len(self.account_number) - 4, 0) + self.account_number[-4:]
        if self.scheme == "au_bsb":
            return f"BSB {_bsb(self.bank_code)} {hidden}"
        if self.scheme == "ca_eft":
            return f"{self.bank_code}-{self.branch_code} {hidden}"
        return f"ABA {self.bank_code} {hidden}"

    def display(self) -> str:
        """Return the full account in the form its owner knows it."""
        if self.iban:
            return " ".join(self.iban[i : i + 4] for i in range(0, len(self.iban), 4))
        if self.scheme == "au_bsb":
            return f"BSB {_bsb(self.bank_code)} {self.account_number}"
        if self.scheme == "ca_eft":
            return (
                f"Institution {self.bank_code}, transit {self.branch_code}, "
                f"account {self.account_number}"
            )
        return f"ABA {self.bank_code}, {self.account_type} account {self.account_number}"

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (for encrypted storage); ``from_dict`` reverses it."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BankAccount:
        """Rebuild a stored account without validating it again."""
        values: dict[str, Any] = {name: data.get(name) for name in cls.__dataclass_fields__}
        return cls(**values)


def _bsb(code: str | None) -> str:
    code = code or ""
    return f"{code[:3]}-{code[3:]}"


def normalise(value: object) -> str:
    """Return ``value`` upper-cased without spaces, dashes, dots or slashes."""
    return _SEPARATORS.sub("", str(value or "")).upper()


def _required(data: Mapping[str, Any], field: str) -> str:
    value = normalise(data.get(field))
    if not value:
        raise BankDetailsError("field_required", field=field)
    return value


def _digits(
    data: Mapping[str, Any], field: str, *, lengths: range, code: str = "account_number_invalid"
) -> str:
    value = _required(data, field)
    if not value.isascii() or not value.isdigit() or len(value) not in lengths:
        raise BankDetailsError(code, field=field)
    return value


def supported_countries() -> frozenset[str]:
    """Return the ISO 3166 codes of the countries we can pay out to."""
    return frozenset(COUNTRY_CURRENCY)


def currency_for(country: str) -> str:
    """Return the payout currency for ``country`` or refuse the country."""
    try:
        return COUNTRY_CURRENCY[country.upper()]
    except KeyError:
        raise BankDetailsError("country_not_supported", field="country") from None


def validate_bank_account(*, country: str, currency: str, data: Mapping[str, Any]) -> BankAccount:
    """Validate ``data`` as a payout account in ``country`` and return it normalised.

    ``data`` keys: ``iban`` and optional ``bic`` (IBAN countries); ``bsb`` and
    ``account_number`` (AU); ``institution_number``, ``transit_number`` and ``account_number``
    (CA); ``routing_number``, ``account_number`` and ``account_type`` (US).
    """
    country = (country or "").strip().upper()
    expected = currency_for(country)
    if (currency or "").strip().upper() != expected:
        raise BankDetailsError("currency_mismatch", field="currency")
    scheme = SCHEMES.get(country, "iban")
    if scheme == "au_bsb":
        return _australia(data)
    if scheme == "ca_eft":
        return _canada(data)
    if scheme == "us_aba":
        return _united_states(data)
    return _iban_account(country, expected, data)


# UK and Irish banks by the start of their sort codes (longest prefix wins): the IBAN needs the
# bank's four letters, which a sort code alone does not carry and schwifty's registry does not
# map. Only the banks most people use; any other sort code is asked for as an IBAN instead.
SORT_CODE_BANKS: dict[str, dict[str, str]] = {
    "GB": {
        "040004": "MONZ", "040075": "REVO", "608371": "SRLG", "231470": "TRWI",
        "0901": "ABBY", "07": "NAIA", "11": "HLFX", "12": "BOFS", "16": "RBOS", "20": "BARC",
        "30": "LOYD", "40": "HBUK", "60": "NWBK", "77": "LOYD", "80": "BOFS", "82": "CLYD",
        "83": "RBOS", "87": "TSBS",
    },
    "IE": {"90": "BOFI", "93": "AIBK", "99": "IPBS", "98": "ULSB"},
}
# Domestic formats in two parts, "bank code, account": the account is padded to its length.
_SPLIT_FORMATS: dict[str, tuple[int, int]] = {"DK": (4, 10), "DE": (8, 10), "AT": (5, 11)}


def _domestic_bban(country: str, typed: str) -> tuple[str, str | None]:
    """Turn a domestic account number as people write it into the country's BBAN.

    Returns the BBAN and, for Poland's NRB (which carries the IBAN's own check digits), the
    whole IBAN instead of a BBAN. Raises when the digits cannot be one.
    """
    groups = [g for g in _SEPARATORS.split(typed.strip()) if g]
    digits = "".join(groups)
    spec = _iban_spec(country)
    expected = spec.bban_length if spec else None
    if country in SORT_CODE_BANKS and len(digits) == 14:
        sort_code, account = digits[:6], digits[6:]
        banks = SORT_CODE_BANKS[country]
        prefix = next((p for p in sorted(banks, key=len, reverse=True)
                       if sort_code.startswith(p)), None)
        if prefix is None:
            raise BankDetailsError(
                "sort_code_unknown", field="iban", domestic=True, typed=typed.strip(),
                sort_code=f"{sort_code[:2]}-{sort_code[2:4]}-{sort_code[4:]}")
        return banks[prefix] + sort_code + account, None
    if country in _SPLIT_FORMATS and len(groups) == 2:
        bank_len, account_len = _SPLIT_FORMATS[country]
        if len(groups[0]) == bank_len and len(groups[1]) <= account_len:
            return groups[0] + groups[1].zfill(account_len), None
    if country == "FI" and len(groups) == 2 and len(groups[0]) == 6 and len(digits) < 14:
        # Finnish short form "123456-785": zeros go after the 7th digit for savings banks
        # (4, 5), after the 6th for the others.
        cut = 7 if digits[0] in "45" else 6
        return digits[:cut] + "0" * (14 - len(digits)) + digits[cut:], None
    if country == "PL" and len(digits) == 26:
        return digits, f"PL{digits}"
    if expected is not None and len(digits) != expected:
        human = {"GB": 14, "IE": 14, "PL": 26}.get(country, expected)
        raise BankDetailsError("iban_invalid_length", field="iban", domestic=True,
                               typed=typed.strip(), length=len(digits),
                               country=country_name(country), expected=human)
    return digits, None


def _iban_spec(country: str) -> Any:
    try:
        return registry.get_iban_spec(country)
    except (KeyError, exceptions.SchwiftyException):
        return None


def _iban_account(country: str, currency: str, data: Mapping[str, Any]) -> BankAccount:
    raw = _required(data, "iban")
    typed = str(data.get("iban") or "").strip()[:50]
    if raw.startswith("IBAN"):
        raw = raw[4:]
    domestic = raw.isdigit()
    named: dict[str, Any] = {"typed": typed, "country": country_name(country)}
    if not domestic and raw[:2] != country and raw[:2].isalpha():
        raise BankDetailsError("iban_wrong_country", field="iban", **named)
    try:
        with warnings.catch_warnings():
            # Countries without a registered national checksum (SE, ...) warn; the IBAN's own
            # MOD97 check still ran, which is all that can be checked there.
            warnings.simplefilter("ignore", _UNVERIFIED)
            if domestic:
                # People in NO, DK, FI, GB... know their domestic account number better than
                # their IBAN; the BBAN alone determines the IBAN.
                bban, whole = _domestic_bban(country, typed)
                iban = IBAN(whole, validate_bban=True) if whole else IBAN.from_bban(country, bban)
                iban.validate(validate_bban=True)
            else:
                iban = IBAN(raw, validate_bban=True)
    except exceptions.InvalidChecksumDigits:
        raise BankDetailsError("iban_invalid_checksum", field="iban", domestic=domestic,
                               **named) from None
    except exceptions.InvalidLength:
        spec = _iban_spec(country)
        raise BankDetailsError(
            "iban_invalid_length", field="iban", domestic=domestic, length=len(raw),
            expected=(spec.bban_length if domestic else spec.iban_length) if spec else "?",
            **named) from None
    except (exceptions.InvalidBBANChecksum, exceptions.InvalidBankCode,
            exceptions.InvalidAccountCode):
        raise BankDetailsError("bban_invalid", field="iban", domestic=domestic,
                               **named) from None
    except exceptions.SchwiftyException:
        raise BankDetailsError("iban_invalid", field="iban", domestic=domestic,
                               **named) from None
    if iban.country_code != country:
        raise BankDetailsError("iban_wrong_country", field="iban", **named)
    derived = iban.bic
    bic = _bic(data, country, derived)
    return BankAccount(
        country=country,
        currency=currency,
        scheme="iban",
        account_number=str(iban.bban),
        iban=str(iban.compact),
        bic=bic,
        bank_name=iban.bank_name or _bic_bank_name(bic),
        bank_code=str(iban.bank_code) or None,
        branch_code=str(iban.branch_code) or None,
    )


def _bic(data: Mapping[str, Any], country: str, derived: BIC | None) -> str | None:
    given = normalise(data.get("bic"))
    if not given:
        return str(derived.compact) if derived is not None else None
    try:
        bic = BIC(given)
    except exceptions.SchwiftyException:
        raise BankDetailsError("bic_invalid", field="bic") from None
    if bic.country_code != country:
        raise BankDetailsError("bic_mismatch", field="bic")
    if derived is not None and bic.bank_code != derived.bank_code:
        raise BankDetailsError("bic_mismatch", field="bic")
    return str(bic.compact)


def _bic_bank_name(bic: str | None) -> str | None:
    if bic is None:
        return None
    try:
        names = BIC(bic).bank_names
    except (exceptions.SchwiftyException, AttributeError):
        return None
    return names[0].strip() if names else None


def _australia(data: Mapping[str, Any]) -> BankAccount:
    bsb = _digits(data, "bsb", lengths=range(6, 7), code="bsb_invalid")
    if bsb == "000000":
        raise BankDetailsError("bsb_invalid", field="bsb")
    account = _digits(data, "account_number", lengths=range(5, 10))
    return BankAccount(
        country="AU", currency="AUD", scheme="au_bsb", account_number=account, bank_code=bsb
    )


def _canada(data: Mapping[str, Any]) -> BankAccount:
    institution = _digits(
        data, "institution_number", lengths=range(3, 4), code="institution_number_invalid"
    )
    transit = _digits(data, "transit_number", lengths=range(5, 6), code="transit_number_invalid")
    account = _digits(data, "account_number", lengths=range(7, 13))
    return BankAccount(
        country="CA",
        currency="CAD",
        scheme="ca_eft",
        account_number=account,
        bank_code=institution,
        branch_code=transit,
    )


def aba_checksum_ok(routing: str) -> bool:
    """Say whether a 9-digit ABA routing number passes the 3-7-1 checksum."""
    if len(routing) != 9 or not routing.isascii() or not routing.isdigit():
        return False
    weights = (3, 7, 1) * 3
    return sum(int(d) * w for d, w in zip(routing, weights, strict=True)) % 10 == 0


def _united_states(data: Mapping[str, Any]) -> BankAccount:
    routing = _digits(data, "routing_number", lengths=range(9, 10), code="aba_invalid")
    if not any(int(routing[:2]) in prefixes for prefixes in _ABA_PREFIXES):
        raise BankDetailsError("aba_invalid", field="routing_number")
    if not aba_checksum_ok(routing):
        raise BankDetailsError("aba_invalid_checksum", field="routing_number")
    account = _digits(data, "account_number", lengths=range(4, 18))
    kind = str(data.get("account_type") or "").strip().lower()
    if not kind:
        raise BankDetailsError("account_type_required", field="account_type")
    if kind not in _ACCOUNT_TYPES:
        raise BankDetailsError("account_type_invalid", field="account_type")
    return BankAccount(
        country="US",
        currency="USD",
        scheme="us_aba",
        account_number=account,
        bank_code=routing,
        account_type=_ACCOUNT_TYPES[kind],
    )
