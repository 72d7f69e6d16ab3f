import pytest

from rabatt.campaigns.campaign_file import CampaignFileError, dump_yaml, load_text
from rabatt.campaigns.tests.factories import EXAMPLE, example_data


def problems_of(data) -> list[str]:
    with pytest.raises(CampaignFileError) as info:
        load_text(dump_yaml(data) if isinstance(data, dict) else data)
    return info.value.problems


def test_the_example_is_valid_and_faithful_to_the_spec():
    data = load_text(EXAMPLE.read_text())
    raw = data.raw
    assert len(raw["countries"]) == 18
    assert raw["channels"]["retailer"]["caps"]["DKK"] == 1125
    assert raw["channels"]["direct"]["caps"]["AUD"] == 250
    assert raw["channels"]["retailer"]["caps"]["AUD"] == 260
    assert data.purchase_starts_at.isoformat() == "2019-07-20T00:01:00+00:00"
    assert data.purchase_ends_before.isoformat() == "2019-08-11T00:00:00+00:00"
    assert data.claims_end_before.isoformat() == "2019-09-10T00:00:00+00:00"
    countries_with_retailer = {r["country"] for r in raw["retailers"]}
    assert countries_with_retailer == set(raw["countries"])
    ids = {r["id"] for r in raw["retailers"]}
    assert {"elkjop-no", "power-no", "elgiganten-se", "elgiganten-dk", "mediamarkt-de",
            "john-lewis-gb", "best-buy-us", "jb-hifi-au"} <= ids


def test_norway_stays_a_country_code_not_a_yaml_boolean():
    assert "NO" in load_text(EXAMPLE.read_text()).raw["countries"]


def test_the_seeds_dkk_typo_fails_naming_dkk():
    data = example_data()
    data["channels"]["retailer"]["caps"]["DKK"] = 11251
    problems = problems_of(data)
    assert len(problems) == 1
    assert "channels/retailer/caps/DKK" in problems[0]
    assert "11251" in problems[0]


def test_cap_tolerance_can_accept_an_unusual_cap():
    data = example_data()
    data["channels"]["retailer"]["caps"]["USD"] = 500
    assert any("USD" in p for p in problems_of(data))
    data["cap_tolerance"] = 4
    load_text(dump_yaml(data))


def test_unknown_product_id_in_a_channel():
    data = example_data()
    data["channels"]["retailer"]["products"].append("play-9")
    assert problems_of(data) == ["channels/retailer/products: unknown product id 'play-9'"]


def test_retailer_in_a_country_outside_the_campaign():
    data = example_data()
    data["retailers"].append({"id": "bic-camera-jp", "country": "JP", "name": "Bic Camera"})
    assert "is not one of the campaign's countries" in problems_of(data)[0]


def test_country_without_currency():
    data = example_data()
    data["countries"]["FI"] = None
    assert "countries/FI: no currency" in problems_of(data)


def test_unknown_currency_and_country():
    data = example_data()
    data["countries"]["XX"] = {"currency": "XYZ"}
    problems = problems_of(data)
    assert "countries/XX: not an ISO 3166 country code" in problems
    assert "countries/XX: 'XYZ' is not an ISO 4217 currency" in problems


def test_window_that_ends_before_it_starts():
    data = example_data()
    data["purchase_window"]["ends_before"] = "2019-07-01T00:00:00Z"
    problems = problems_of(data)
    assert "purchase_window: ends_before must be later than starts_at" in problems


def test_claim_deadline_before_the_window_ends():
    data = example_data()
    data["claims"]["ends_before"] = "2019-08-01T00:00:00Z"
    assert "claims/ends_before" in problems_of(data)[0]


def test_datetime_without_offset_is_refused():
    data = example_data()
    data["purchase_window"]["starts_at"] = "2019-07-20T00:01:00"
    assert problems_of(data)[0].startswith("purchase_window/starts_at")


def test_missing_cap_for_a_country_currency():
    data = example_data()
    del data["channels"]["direct"]["caps"]["CHF"]
    assert "channels/direct/caps: no cap for CHF, used by a campaign country" in problems_of(data)


def test_duplicate_ids():
    data = example_data()
    data["products"].append(dict(data["products"][0]))
    assert "products: id 'one' appears more than once" in problems_of(data)


def test_structure_errors_name_their_place():
    data = example_data()
    data["benefit"]["rate"] = "fifteen"
    data["typo_key"] = 1
    problems = problems_of(data)
    assert any(p.startswith("benefit/rate:") for p in problems)
    assert any("typo_key" in p for p in problems)


def test_not_yaml_and_not_a_mapping():
    assert problems_of("slug: [unclosed")[0].startswith("not valid YAML")
    assert problems_of("- just\n- a list\n")


def test_shift_days_moves_every_date():
    data = load_text(EXAMPLE.read_text(), shift_days=10)
    assert data.purchase_starts_at.isoformat() == "2019-07-30T00:01:00+00:00"
    assert data.purchase_ends_before.isoformat() == "2019-08-21T00:00:00+00:00"
    assert data.claims_end_before.isoformat() == "2019-09-20T00:00:00+00:00"
