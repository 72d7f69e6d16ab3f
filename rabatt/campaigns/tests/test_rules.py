from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rabatt.campaigns.rules import CampaignRules, Purchase, PurchaseLine, quote
from rabatt.campaigns.selectors import campaign_rules
from rabatt.campaigns.tests.factories import campaign_factory

IN_WINDOW = datetime(2019, 7, 25, 14, 3, tzinfo=UTC)
CLAIMED = datetime(2019, 8, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def rules(django_db_setup, django_db_blocker) -> CampaignRules:
    with django_db_blocker.unblock():
        campaign = campaign_factory(slug="rules-test")
        snapshot = campaign_rules(campaign=campaign)
        campaign.delete()
    return snapshot


def purchase(**kw: Any) -> Purchase:
    base: dict[str, Any] = {
        "country": "NO", "channel": "retailer", "retailer": "elkjop-no",
        "purchased_at": IN_WINDOW, "claimed_at": CLAIMED, "currency": "NOK",
        "lines": [PurchaseLine("beam", Decimal("4990.00"))],
    }
    base.update(kw)
    return Purchase(**base)


def test_the_issue_example_quotes_748_50(rules):
    q = quote(rules, purchase())
    assert (q.eligible, q.currency, q.amount, q.capped, q.reasons) == (
        True, "NOK", Decimal("748.50"), False, ()
    )
    assert [(line.product, line.qualifying) for line in q.lines] == [("beam", True)]


def test_country_not_participating(rules):
    q = quote(rules, purchase(country="JP", currency=None))
    assert not q.eligible
    assert q.amount == Decimal("0.00")
    assert "country_not_participating" in q.reason_codes()


def test_currency_mismatch(rules):
    q = quote(rules, purchase(currency="EUR"))
    assert q.reason_codes() == ["currency_mismatch"]
    assert q.currency == "NOK"
    assert q.amount == Decimal("0.00")


def test_currency_is_optional_and_follows_the_country(rules):
    q = quote(rules, purchase(currency=None))
    assert (q.eligible, q.currency) == (True, "NOK")


@pytest.mark.parametrize("retailer", ["elgiganten-se", "nope", None])
def test_retailer_not_authorised_in_that_country(rules, retailer):
    q = quote(rules, purchase(retailer=retailer))
    assert q.reason_codes() == ["retailer_not_authorised"]
    assert not q.eligible


def test_direct_channel_ignores_retailer(rules):
    q = quote(rules, purchase(channel="direct", retailer=None,
                              lines=[PurchaseLine("move", Decimal("3990.00"))]))
    assert (q.eligible, q.amount) == (True, Decimal("598.50"))


@pytest.mark.parametrize(
    ("product", "channel", "ok"),
    [
        ("beam", "retailer", True),
        ("move", "retailer", False),  # direct-only product
        ("one-sl", "retailer", False),
        ("move", "direct", True),
        ("beam", "direct", True),
        ("gift-card", "direct", False),
        ("play-5-refurbished", "direct", False),
        ("beam-special-edition", "direct", False),
        ("ultimate-tv-set", "direct", False),
        ("port-preorder", "direct", False),
        ("does-not-exist", "direct", False),
    ],
)
def test_products_per_channel(rules, product, channel, ok):
    q = quote(rules, purchase(channel=channel, lines=[PurchaseLine(product, Decimal(100))]))
    assert q.lines[0].qualifying is ok
    if ok:
        assert q.eligible
    else:
        assert q.reason_codes() == ["product_not_qualifying", "no_qualifying_products"]
        assert q.reasons[0].product == product


def test_one_non_qualifying_line_does_not_spoil_the_others(rules):
    q = quote(rules, purchase(lines=[
        PurchaseLine("beam", Decimal("4990.00")), PurchaseLine("gift-card", Decimal("500.00")),
    ]))
    assert q.eligible
    assert q.amount == Decimal("748.50")
    assert [line.qualifying for line in q.lines] == [True, False]
    assert q.reason_codes() == ["product_not_qualifying"]


def test_quantity_multiplies(rules):
    q = quote(rules, purchase(lines=[PurchaseLine("play-1", Decimal("1000.00"), 3)]))
    assert q.amount == Decimal("450.00")


@pytest.mark.parametrize(
    ("at", "inside"),
    [
        (datetime(2019, 7, 20, 0, 0, 59, 999999, tzinfo=UTC), False),
        (datetime(2019, 7, 20, 0, 1, tzinfo=UTC), True),
        (datetime(2019, 8, 10, 23, 59, 59, 999999, tzinfo=UTC), True),
        (datetime(2019, 8, 11, 0, 0, tzinfo=UTC), False),
        # The same instants written with other UTC offsets.
        (datetime(2019, 7, 20, 2, 0, 59, tzinfo=timezone(timedelta(hours=2))), False),
        (datetime(2019, 7, 20, 2, 1, tzinfo=timezone(timedelta(hours=2))), True),
        (datetime(2019, 8, 10, 19, 59, 59, tzinfo=timezone(timedelta(hours=-4))), True),
        (datetime(2019, 8, 10, 20, 0, tzinfo=timezone(timedelta(hours=-4))), False),
        (datetime(2019, 8, 11, 1, 59, tzinfo=timezone(timedelta(hours=2))), True),
        (datetime(2019, 8, 11, 2, 0, tzinfo=timezone(timedelta(hours=2))), False),
    ],
)
def test_purchase_window_boundaries(rules, at, inside):
    q = quote(rules, purchase(purchased_at=at, claimed_at=datetime(2019, 9, 1, tzinfo=UTC)))
    assert q.eligible is inside
    assert q.reason_codes() == ([] if inside else ["purchase_outside_window"])


@pytest.mark.parametrize(
    ("at", "in_time"),
    [
        (datetime(2019, 9, 9, 23, 59, 59, 999999, tzinfo=UTC), True),
        (datetime(2019, 9, 10, 0, 0, tzinfo=UTC), False),
        (datetime(2019, 9, 10, 1, 59, tzinfo=timezone(timedelta(hours=2))), True),
        (datetime(2019, 9, 10, 2, 0, tzinfo=timezone(timedelta(hours=2))), False),
    ],
)
def test_claim_deadline_boundaries(rules, at, in_time):
    q = quote(rules, purchase(claimed_at=at))
    assert q.reason_codes() == ([] if in_time else ["claim_after_deadline"])


def test_every_problem_is_reported_at_once(rules):
    q = quote(rules, purchase(
        country="SE", currency="NOK", purchased_at=datetime(2019, 6, 1, tzinfo=UTC),
        claimed_at=datetime(2019, 10, 1, tzinfo=UTC),
        lines=[PurchaseLine("gift-card", Decimal(1))],
    ))
    assert q.reason_codes() == [
        "currency_mismatch", "retailer_not_authorised", "product_not_qualifying",
        "no_qualifying_products", "purchase_outside_window", "claim_after_deadline",
    ]


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        ("0.10", "0.02"),   # 0.015 rounds up
        ("0.30", "0.05"),   # 0.045: half-up gives 0.05 where banker's rounding gives 0.04
        ("0.70", "0.11"),   # 0.105 -> 0.11
        ("3.30", "0.50"),   # 0.495 -> 0.50
        ("0.03", "0.00"),   # 0.0045 -> 0.00
        ("9699.97", "1455.00"),  # 1454.9955 rounds to 1455.00: exactly the cap, not capped
    ],
)
def test_rounding_is_half_up_to_the_minor_unit(rules, price, expected):
    q = quote(rules, purchase(lines=[PurchaseLine("beam", Decimal(price))]))
    assert q.amount == Decimal(expected)
    assert not q.capped


@pytest.mark.parametrize(
    ("country", "retailer", "channel", "cap"),
    [
        ("NO", "elkjop-no", "retailer", "1455.00"),
        ("DK", "elgiganten-dk", "retailer", "1125.00"),
        ("AU", "jb-hifi-au", "retailer", "260.00"),
        ("AU", None, "direct", "250.00"),
        ("US", "best-buy-us", "retailer", "225.00"),
        ("DE", "mediamarkt-de", "retailer", "150.00"),
    ],
)
def test_caps_per_channel_and_currency(rules, country, retailer, channel, cap):
    q = quote(rules, purchase(country=country, retailer=retailer, channel=channel, currency=None,
                              lines=[PurchaseLine("beam", Decimal("99999.00"))]))
    assert (q.eligible, q.amount, q.capped) == (True, Decimal(cap), True)
    assert q.uncapped_amount == Decimal("14999.85")


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.tuples(
            st.sampled_from(["beam", "one", "move", "gift-card", "sub", "nope"]),
            st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False),
            st.integers(min_value=1, max_value=50),
        ),
        min_size=1, max_size=8,
    ),
    country=st.sampled_from(["NO", "SE", "DK", "AU", "US", "DE", "GB", "PL"]),
    channel=st.sampled_from(["retailer", "direct"]),
)
def test_amount_is_never_negative_and_never_above_the_cap(rules, lines, country, channel):
    retailer = next(r.code for r in rules.retailers.values() if r.country == country)
    q = quote(rules, purchase(
        country=country, channel=channel, retailer=retailer, currency=None,
        lines=[PurchaseLine(p, price, qty) for p, price, qty in lines],
    ))
    cap = rules.channels[channel].caps[rules.currencies[country]]
    assert Decimal(0) <= q.amount <= cap
    assert q.amount == q.amount.quantize(Decimal("0.01"))
    if not q.eligible:
        assert q.amount == 0
