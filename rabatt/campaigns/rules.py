"""The rules engine: does a purchase qualify, and for how much?

A campaign is read once into an immutable :class:`CampaignRules` snapshot. Its eligibility
rules are rows (``CampaignRule``) naming a kind from :data:`RULE_KINDS`; each kind is a small
class with one method, ``check``. The benefit is computed by :class:`PercentageCappedBenefit`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rabatt.core.i18n import country_name
from rabatt.core.money import minor_unit, round_money


@dataclass(frozen=True, slots=True)
class ProductInfo:
    code: str
    name: Mapping[str, str]
    aliases: tuple[str, ...]
    flags: frozenset[str]


@dataclass(frozen=True, slots=True)
class RetailerInfo:
    code: str
    country: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    channel: str
    all_products: bool
    excluded_flags: frozenset[str]
    products: frozenset[str]
    caps: Mapping[str, Decimal]

    def qualifies(self, product: ProductInfo) -> bool:
        if self.all_products:
            return not (product.flags & self.excluded_flags)
        return product.code in self.products


@dataclass(frozen=True, slots=True)
class CampaignRules:
    """Everything the engine needs about one campaign, read once."""

    campaign_id: int
    slug: str
    revision: int
    # With the revision, tells a snapshot from one of a deleted campaign whose id was reused.
    updated_at: datetime
    benefit_rate: Decimal
    purchase_starts_at: datetime
    purchase_ends_before: datetime
    claims_end_before: datetime
    currencies: Mapping[str, str]  # country -> currency
    channels: Mapping[str, ChannelInfo]
    products: Mapping[str, ProductInfo]
    retailers: Mapping[str, RetailerInfo]
    rule_kinds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PurchaseLine:
    product: str
    price: Decimal
    quantity: int = 1


@dataclass(frozen=True, slots=True)
class Purchase:
    country: str
    channel: str
    purchased_at: datetime
    claimed_at: datetime
    lines: Sequence[PurchaseLine]
    retailer: str | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """Why something does not qualify: a stable code and a translated message."""

    code: str
    message: str | Promise
    product: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class LineResult:
    product: str
    qualifying: bool
    base: Decimal  # price x quantity


@dataclass(frozen=True, slots=True)
class Quote:
    eligible: bool
    currency: str | None
    amount: Decimal
    capped: bool
    lines: tuple[LineResult, ...]
    reasons: tuple[Reason, ...]
    uncapped_amount: Decimal = Decimal(0)
    cap: Decimal | None = None

    def reason_codes(self) -> list[str]:
        return [r.code for r in self.reasons]


@dataclass(slots=True)
class Evaluation:
    """Scratch state shared by the rules while one purchase is checked."""

    rules: CampaignRules
    purchase: Purchase
    reasons: list[Reason] = field(default_factory=list)
    qualifying: list[bool] = field(default_factory=list)

    @property
    def channel(self) -> ChannelInfo | None:
        return self.rules.channels.get(self.purchase.channel)

    @property
    def currency(self) -> str | None:
        """The currency the benefit is paid in: the participating country's own."""
        return self.rules.currencies.get(self.purchase.country)


class Rule:
    """One eligibility rule kind."""

    kind: ClassVar[str]

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        self.params = dict(params or {})

    def check(self, ev: Evaluation) -> None:
        raise NotImplementedError


class CountryRule(Rule):
    kind = "country"

    def check(self, ev: Evaluation) -> None:
        if ev.purchase.country not in ev.rules.currencies:
            ev.reasons.append(Reason(
                "country_not_participating",
                _("%(country)s does not take part in this campaign.")
                % {"country": country_name(ev.purchase.country)},
            ))


class CurrencyRule(Rule):
    kind = "currency"

    def check(self, ev: Evaluation) -> None:
        expected = ev.rules.currencies.get(ev.purchase.country)
        given = ev.purchase.currency
        if expected and given and given != expected:
            ev.reasons.append(Reason(
                "currency_mismatch",
                _("Purchases in %(country)s are paid in %(expected)s, not %(given)s.")
                % {"country": country_name(ev.purchase.country), "expected": expected,
                   "given": given},
            ))


class ChannelRule(Rule):
    kind = "channel"

    def check(self, ev: Evaluation) -> None:
        if ev.channel is None:
            ev.reasons.append(Reason(
                "channel_not_offered",
                _("This campaign is not offered through the %(channel)s channel.")
                % {"channel": ev.purchase.channel},
            ))


class RetailerRule(Rule):
    kind = "retailer"

    def check(self, ev: Evaluation) -> None:
        if ev.purchase.channel != "retailer":
            return
        retailer = ev.rules.retailers.get(ev.purchase.retailer or "")
        if retailer is None or retailer.country != ev.purchase.country:
            ev.reasons.append(Reason(
                "retailer_not_authorised",
                _("%(retailer)s is not an authorised retailer in %(country)s for this campaign.")
                % {"retailer": ev.purchase.retailer or "-",
                   "country": country_name(ev.purchase.country)},
            ))


class ProductsRule(Rule):
    kind = "products"

    def check(self, ev: Evaluation) -> None:
        channel = ev.channel
        for index, line in enumerate(ev.purchase.lines):
            product = ev.rules.products.get(line.product)
            ok = bool(product and channel and channel.qualifies(product))
            ev.qualifying[index] = ok
            if not ok:
                ev.reasons.append(Reason(
                    "product_not_qualifying",
                    _("%(product)s does not qualify when bought through this channel.")
                    % {"product": line.product},
                    product=line.product,
                    line=index,
                ))
        if not any(ev.qualifying):
            ev.reasons.append(Reason(
                "no_qualifying_products", _("The purchase contains no qualifying product.")
            ))


class PurchaseWindowRule(Rule):
    kind = "purchase_window"

    def check(self, ev: Evaluation) -> None:
        at = ev.purchase.purchased_at
        if not (ev.rules.purchase_starts_at <= at < ev.rules.purchase_ends_before):
            ev.reasons.append(Reason(
                "purchase_outside_window",
                _("The purchase was made outside the campaign period."),
            ))


class ClaimDeadlineRule(Rule):
    kind = "claim_deadline"

    def check(self, ev: Evaluation) -> None:
        if ev.purchase.claimed_at >= ev.rules.claims_end_before:
            ev.reasons.append(Reason(
                "claim_after_deadline",
                _("The deadline for claims in this campaign has passed."),
            ))


RULE_KINDS: dict[str, type[Rule]] = {
    cls.kind: cls
    for cls in (
        CountryRule,
        CurrencyRule,
        ChannelRule,
        RetailerRule,
        ProductsRule,
        PurchaseWindowRule,
        ClaimDeadlineRule,
    )
}
DEFAULT_RULE_KINDS: tuple[str, ...] = tuple(RULE_KINDS)


class PercentageCappedBenefit:
    """Rate x sum of qualifying lines, rounded half-up, then capped per channel and currency."""

    def compute(
        self, rules: CampaignRules, ev: Evaluation, lines: Sequence[LineResult]
    ) -> tuple[Decimal, Decimal, Decimal | None]:
        currency = ev.currency
        channel = ev.channel
        if currency is None or channel is None:
            return Decimal(0), Decimal(0), None
        base = sum((line.base for line in lines if line.qualifying), Decimal(0))
        raw = round_money(base * rules.benefit_rate / Decimal(100), currency)
        cap = channel.caps.get(currency)
        if cap is None:
            return Decimal(0), raw, None
        return min(raw, cap), raw, cap


def quote(rules: CampaignRules, purchase: Purchase) -> Quote:
    """Evaluate ``purchase`` against ``rules`` and return the full, explainable answer."""
    ev = Evaluation(rules=rules, purchase=purchase, qualifying=[False] * len(purchase.lines))
    for kind in rules.rule_kinds:
        RULE_KINDS[kind]().check(ev)
    lines = tuple(
        LineResult(line.product, ev.qualifying[i], line.price * line.quantity)
        for i, line in enumerate(purchase.lines)
    )
    amount, uncapped, cap = PercentageCappedBenefit().compute(rules, ev, lines)
    currency = ev.currency
    channel = ev.channel
    if currency is not None and channel is not None and cap is None and any(ev.qualifying):
        ev.reasons.append(Reason(
            "currency_mismatch",
            _("This campaign has no benefit in %(currency)s for this channel.")
            % {"currency": currency},
        ))
    blocking = [r for r in ev.reasons if r.code != "product_not_qualifying"]
    eligible = not blocking and any(ev.qualifying)
    shown_currency = currency or purchase.currency
    if not eligible or currency is None:
        zero = Decimal(0).quantize(minor_unit(currency) if currency else Decimal("0.01"))
        return Quote(False, shown_currency, zero, False, lines, tuple(ev.reasons), uncapped, cap)
    amount = amount.quantize(minor_unit(currency))
    return Quote(True, currency, amount, uncapped > amount, lines, tuple(ev.reasons), uncapped, cap)
