import json

import pytest
import time_machine

from rabatt.campaigns.tests.factories import campaign_factory

pytestmark = pytest.mark.django_db

URL = "/api/v1/campaigns/sonos-summer-2019/quote"
EXAMPLE = {
    "country": "NO", "channel": "retailer", "retailer": "elkjop-no",
    "purchased_at": "2019-07-25T14:03:00Z", "claimed_at": "2019-08-01T10:00:00Z",
    "currency": "NOK", "lines": [{"product": "beam", "price": "4990.00", "quantity": 1}],
}


@pytest.fixture(autouse=True)
def campaign():
    return campaign_factory()


def post(client, body, url=URL, **headers):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data, content_type="application/json", headers=headers)


def test_the_issue_example(client):
    response = post(client, EXAMPLE)
    assert response.status_code == 200
    assert response.json() == {
        "eligible": True, "currency": "NOK", "amount": "748.50", "capped": False,
        "lines": [{"product": "beam", "qualifying": True}], "reasons": [],
    }


def test_not_eligible_answers_zero_and_reasons(client):
    body = {**EXAMPLE, "purchased_at": "2019-08-11T00:00:00Z"}
    data = post(client, body).json()
    assert (data["eligible"], data["amount"]) == (False, "0.00")
    assert [r["code"] for r in data["reasons"]] == ["purchase_outside_window"]
    assert data["reasons"][0]["message"]


def test_messages_are_translated(client):
    body = {**EXAMPLE, "purchased_at": "2019-08-11T00:00:00Z"}
    en = post(client, body, HTTP_ACCEPT_LANGUAGE="en")
    nb = client.post(URL, json.dumps(body), content_type="application/json",
                     HTTP_ACCEPT_LANGUAGE="nb")
    message = en.json()["reasons"][0]["message"]
    assert message == "The purchase was made outside the campaign period."
    assert nb.json()["reasons"][0]["message"] == "Kjøpet ble gjort utenfor kampanjeperioden."


def test_optional_fields_default(client):
    body = {k: v for k, v in EXAMPLE.items() if k not in ("currency", "claimed_at")}
    body["lines"] = [{"product": "beam", "price": 4990}]
    with time_machine.travel("2019-08-02T12:00:00Z"):
        data = post(client, body).json()
    assert (data["eligible"], data["amount"], data["currency"]) == (True, "748.50", "NOK")


def test_claimed_at_defaults_to_now(client):
    body = {k: v for k, v in EXAMPLE.items() if k != "claimed_at"}
    data = post(client, body).json()
    assert [r["code"] for r in data["reasons"]] == ["claim_after_deadline"]


def test_capped(client):
    body = {**EXAMPLE, "lines": [{"product": "beam", "price": "20000.00", "quantity": 2}]}
    data = post(client, body).json()
    assert (data["amount"], data["capped"]) == ("1455.00", True)


def test_unknown_campaign_is_404(client):
    response = post(client, EXAMPLE, url="/api/v1/campaigns/nope/quote")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": [{"product": "beam", "price": "abc"}]}, "lines.0.price"),
        ({"lines": [{"product": "beam", "price": "-1.00"}]}, "lines.0.price"),
        ({"lines": [{"product": "beam", "price": "1.001"}]}, "lines.0.price"),
        ({"lines": [{"product": "beam", "price": "NaN"}]}, "lines.0.price"),
        ({"lines": [{"product": "beam", "price": "10", "quantity": 0}]}, "lines.0.quantity"),
        ({"lines": []}, "lines"),
        ({"purchased_at": "2019-07-25T14:03:00"}, "purchased_at"),
        ({"purchased_at": "yesterday"}, "purchased_at"),
        ({"claimed_at": "2019-08-01T10:00:00"}, "claimed_at"),
        ({"channel": "mail-order"}, "channel"),
        ({"country": "Norway"}, "country"),
        ({"retailer": None}, "retailer"),
    ],
)
def test_malformed_input_is_422_with_field_errors(client, change, field):
    response = post(client, {**EXAMPLE, **change})
    assert response.status_code == 422
    body = response.json()
    fields = [d["field"] for d in body.get("detail", [])] + list(body.get("fields", {}))
    assert field in fields


@pytest.mark.parametrize("raw", ["{not json", "", "[]", "null", '"text"'])
def test_not_json_or_wrong_shape_is_4xx_not_500(client, raw):
    assert post(client, raw).status_code in (400, 422)


def test_missing_body_fields(client):
    response = post(client, {"country": "NO"})
    assert response.status_code == 422


def test_campaign_info(client):
    response = client.get("/api/v1/campaigns/sonos-summer-2019")
    data = response.json()
    assert response.status_code == 200
    assert data["countries"]["NO"] == "NOK"
    assert data["purchase_starts_at"] == "2019-07-20T00:01:00Z"
    retailer = next(c for c in data["channels"] if c["channel"] == "retailer")
    assert retailer["caps"]["DKK"] == "1125.00"
    assert "move" not in retailer["products"]
    assert client.get("/api/v1/campaigns/nope").status_code == 404


def test_openapi_and_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/campaigns/{slug}/quote" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200
