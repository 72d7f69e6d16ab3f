"""The campaign file: YAML in, validated data out, and back again.

The structure is checked by the JSON Schema in ``campaign.schema.json``; the meaning (ids that
exist, currencies that match, windows that make sense, caps that are not typos) by
:func:`validate_semantics`. Both collect every problem instead of stopping at the first.
"""

from __future__ import annotations

import json
import re
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from babel.core import Locale

from rabatt.campaigns.rules import RULE_KINDS
from rabatt.core.i18n import country_languages
from rabatt.core.money import is_currency
from rabatt.core.timeutil import utcnow

SCHEMA_PATH = Path(__file__).with_name("campaign.schema.json")
CHANNELS = ("retailer", "direct")
FLAGS = ("gift_card", "refurbished", "limited_edition", "bundle", "preorder")

# Euros per unit of currency, rounded; used only to spot caps that are out of line.
REFERENCE_RATES_PER_EUR: dict[str, Decimal] = {
    k: Decimal(v)
    for k, v in {
        "EUR": "1", "AUD": "1.61", "GBP": "0.88", "SEK": "10.6", "DKK": "7.46", "NOK": "9.85",
        "CHF": "1.11", "PLN": "4.30", "CAD": "1.49", "USD": "1.12", "JPY": "122", "NZD": "1.70",
        "CZK": "25.7", "HUF": "325", "RON": "4.75", "BGN": "1.96", "ISK": "137", "TRY": "6.4",
        "BRL": "4.41", "MXN": "21.6", "INR": "78.8", "ZAR": "16.2", "SGD": "1.53", "HKD": "8.77",
        "KRW": "1305", "CNY": "7.74", "ILS": "4.0", "THB": "34.8", "MYR": "4.64",
    }.items()
}


class CampaignFileError(ValueError):
    """The file cannot be used; ``problems`` lists every reason, each naming where."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Loader(yaml.SafeLoader):
    """YAML 1.2-style booleans (so country NO stays "NO") and timestamps kept as strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    if value == value.to_integral():
        return dumper.represent_int(int(value))
    return dumper.represent_scalar("tag:yaml.org,2002:float", text)


_Dumper.add_representer(Decimal, _represent_decimal)


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


def parse_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        raise CampaignFileError([f"not valid YAML: {exc}"]) from None


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def parse_datetime(value: str, where: str, problems: list[str]) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, AttributeError):
        problems.append(f"{where}: {value!r} is not an ISO 8601 date and time")
        return None
    if parsed.tzinfo is None:
        problems.append(f"{where}: {value!r} needs a UTC offset, e.g. 2019-07-20T00:01:00Z")
        return None
    return parsed.astimezone(UTC)


def format_datetime(value: datetime) -> str:
    value = value.astimezone(UTC)
    text = value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def _decimal(value: Any) -> Decimal:
    try:
        # str() first: YAML floats such as 0.1 must not carry binary noise.
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal("NaN")


@dataclass(frozen=True)
class CampaignData:
    """A validated campaign file."""

    raw: dict[str, Any]
    purchase_starts_at: datetime
    purchase_ends_before: datetime
    claims_end_before: datetime


def _format_schema_error(err: jsonschema.ValidationError) -> str:
    where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
    return f"{where}: {err.message}"


@cache
def _country_codes() -> frozenset[str]:
    return frozenset(Locale("en").territories) - {"ZZ", "EU", "EZ", "UN", "QO"}


def validate_semantics(data: dict[str, Any]) -> CampaignData:
    problems: list[str] = []
    window = data["purchase_window"]
    starts = parse_datetime(window["starts_at"], "purchase_window/starts_at", problems)
    ends = parse_datetime(window["ends_before"], "purchase_window/ends_before", problems)
    claims_end = parse_datetime(data["claims"]["ends_before"], "claims/ends_before", problems)
    if starts and ends and ends <= starts:
        problems.append("purchase_window: ends_before must be later than starts_at")
    if ends and claims_end and claims_end < ends:
        problems.append("claims/ends_before: the claim deadline ends before the purchase window")

    countries: dict[str, Any] = data["countries"]
    for code, info in countries.items():
        if code not in _country_codes():
            problems.append(f"countries/{code}: not an ISO 3166 country code")
        currency = (info or {}).get("currency")
        if not currency:
            problems.append(f"countries/{code}: no currency")
        elif not is_currency(currency):
            problems.append(f"countries/{code}: {currency!r} is not an ISO 4217 currency")
    currencies = {info["currency"] for info in countries.values() if info and info.get("currency")}

    product_ids: list[str] = [p["id"] for p in data["products"]]
    for dup in sorted({p for p in product_ids if product_ids.count(p) > 1}):
        problems.append(f"products: id {dup!r} appears more than once")
    retailer_ids = [r["id"] for r in data["retailers"]]
    for dup in sorted({r for r in retailer_ids if retailer_ids.count(r) > 1}):
        problems.append(f"retailers: id {dup!r} appears more than once")
    for i, retailer in enumerate(data["retailers"]):
        if retailer["country"] not in countries:
            problems.append(
                f"retailers/{i} ({retailer['id']}): country {retailer['country']!r} "
                "is not one of the campaign's countries"
            )

    rates = {**REFERENCE_RATES_PER_EUR,
             **{k: _decimal(v) for k, v in (data.get("reference_rates") or {}).items()}}
    tolerance = _decimal(data.get("cap_tolerance", 2))
    for name, channel in data["channels"].items():
        products = channel.get("products", [])
        if products != "all":
            for pid in products:
                if pid not in product_ids:
                    problems.append(f"channels/{name}/products: unknown product id {pid!r}")
        elif "exclude_flags" not in channel:
            problems.append(f"channels/{name}: products: all needs exclude_flags (may be [])")
        caps = {cur: _decimal(v) for cur, v in channel["caps"].items()}
        for cur in sorted(currencies - caps.keys()):
            problems.append(f"channels/{name}/caps: no cap for {cur}, used by a campaign country")
        for cur in sorted(caps.keys() - currencies):
            problems.append(f"channels/{name}/caps: {cur} is not the currency of any country")
        problems.extend(_cap_outliers(name, caps, rates, tolerance))

    for kind in data.get("rules") or []:
        if kind not in RULE_KINDS:
            problems.append(f"rules: unknown rule kind {kind!r} (known: {', '.join(RULE_KINDS)})")

    if problems:
        raise CampaignFileError(problems)
    assert starts is not None
    assert ends is not None
    assert claims_end is not None
    return CampaignData(data, starts, ends, claims_end)


def _cap_outliers(
    channel: str, caps: dict[str, Decimal], rates: dict[str, Decimal], tolerance: Decimal
) -> list[str]:
    """Compare caps at reference rates; a cap far from the median is most likely a typo."""
    problems = []
    in_eur: dict[str, Decimal] = {}
    for cur, amount in caps.items():
        rate = rates.get(cur)
        if rate is None or rate <= 0:
            problems.append(
                f"channels/{channel}/caps/{cur}: no reference exchange rate to check this cap; "
                "add it under reference_rates (units per EUR)"
            )
            continue
        in_eur[cur] = amount / rate
    if len(in_eur) < 3:
        return problems
    median = statistics.median(in_eur.values())
    if median <= 0:
        return problems
    for cur, value in sorted(in_eur.items()):
        ratio = value / median
        if ratio > tolerance or ratio < 1 / tolerance:
            problems.append(
                f"channels/{channel}/caps/{cur}: cap {caps[cur]} {cur} is about "
                f"{value:.0f} EUR, {ratio:.1f}x the median of the other caps ({median:.0f} EUR); "
                "check for a typo (or raise cap_tolerance)"
            )
    return problems


_LANGUAGE_KEY = re.compile(r"^[a-z]{2}(-[a-z]{2})?$")


def campaign_languages(data: dict[str, Any]) -> list[str]:
    """Return the languages a campaign must speak: its default and those of its countries."""
    needed = {data.get("default_locale", "en")}
    for country in data.get("countries", {}):
        needed.update(country_languages(country))
    return sorted(needed)


def _text_maps(node: Any, path: str) -> list[tuple[str, dict[str, str]]]:
    # A text map is {language: text, ...} holding at least the English or default text.
    if isinstance(node, dict):
        if node and all(isinstance(k, str) and _LANGUAGE_KEY.match(k) and isinstance(v, str)
                        for k, v in node.items()) and ("en" in node or len(node) > 1):
            return [(path, node)]
        found = []
        for key, value in node.items():
            found.extend(_text_maps(value, f"{path}/{key}" if path else str(key)))
        return found
    if isinstance(node, list):
        found = []
        for index, item in enumerate(node):
            label = item.get("id", index) if isinstance(item, dict) else index
            found.extend(_text_maps(item, f"{path}/{label}"))
        return found
    return []


def language_gaps(data: dict[str, Any]) -> list[str]:
    """Name every text that lacks one of the campaign's languages, with the languages missing."""
    needed = campaign_languages(data)
    problems = []
    for path, texts in _text_maps(data, ""):
        missing = [code for code in needed if not texts.get(code, "").strip()]
        if missing:
            problems.append(f"{path}: no text in {', '.join(missing)}")
    if problems:
        problems.insert(0, f"a live campaign needs every text in {', '.join(needed)} "
                           "(the default language and those of its countries)")
    return problems


def load_text(text: str, *, shift_days: int = 0, slug: str | None = None,
              brand: str | None = None) -> CampaignData:
    """Parse and validate a campaign file; shift every date by ``shift_days``."""
    data = parse_yaml(text)
    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise CampaignFileError([_format_schema_error(e) for e in errors])
    if slug is not None:
        data["slug"] = slug
    if brand is not None:
        data["brand"] = brand
    validated = validate_semantics(data)
    if shift_days:
        delta = timedelta(days=shift_days)
        validated = CampaignData(
            raw=data,
            purchase_starts_at=validated.purchase_starts_at + delta,
            purchase_ends_before=validated.purchase_ends_before + delta,
            claims_end_before=validated.claims_end_before + delta,
        )
        data["purchase_window"] = {
            "starts_at": format_datetime(validated.purchase_starts_at),
            "ends_before": format_datetime(validated.purchase_ends_before),
        }
        data["claims"] = {**data["claims"],
                          "ends_before": format_datetime(validated.claims_end_before)}
        _terms_updated_shift(data, delta)
    # Live or still to come: every consumer must find the campaign in their own language.
    if validated.claims_end_before > utcnow() and (gaps := language_gaps(data)):
        raise CampaignFileError(gaps)
    return validated


def _terms_updated_shift(data: dict[str, Any], delta: timedelta) -> None:
    """Move the terms' "updated" day with the window, so a shifted copy shows no old date."""
    terms = (data.get("content") or {}).get("terms")
    if not isinstance(terms, dict) or not terms.get("updated"):
        return
    try:
        day = date.fromisoformat(str(terms["updated"]))
    except ValueError:
        return  # not a day: shown as written
    terms["updated"] = (day + delta).isoformat()


def load_path(path: str | Path, **kwargs: Any) -> CampaignData:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CampaignFileError([f"{path}: cannot read the file ({exc})"]) from None
    return load_text(text, **kwargs)
