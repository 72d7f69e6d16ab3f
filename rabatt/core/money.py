"""Money is a Decimal and a currency; amounts are rounded half-up to the currency's minor unit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from babel.core import Locale
from babel.numbers import format_currency, get_currency_precision


class MoneyError(ValueError):
    """An amount or currency that cannot be used."""


@cache
def known_currencies() -> frozenset[str]:
    """Return the ISO 4217 codes Babel knows."""
    return frozenset(Locale("en").currencies)


def is_currency(code: str) -> bool:
    """Say whether ``code`` is an ISO 4217 currency code."""
    return code in known_currencies()


@cache
def minor_unit(currency: str) -> Decimal:
    """Return the smallest unit of ``currency`` as a Decimal exponent (0.01 for NOK)."""
    if not is_currency(currency):
        raise MoneyError(f"unknown currency {currency!r}")
    return Decimal(1).scaleb(-get_currency_precision(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` half-up to the minor unit of ``currency``."""
    try:
        return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise MoneyError(f"amount {amount!r} cannot be rounded") from exc


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency."""

    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Build a rounded Money value."""
        return cls(round_money(Decimal(amount), currency), currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def format(self, locale: str = "en") -> str:
        """Format for people in ``locale`` (``kr 1 455,00`` in nb)."""
        return format_currency(self.amount, self.currency, locale=locale)
