"""Data map of the campaigns app: configuration only, no personal data."""

from rabatt.privacy.classification import ModelMap, not_personal, staff

_N = not_personal()
_NAME = not_personal(why="a campaign's, product's or retailer's name, not a person's")

DATAMAP = [
    ModelMap("campaigns.Brand", fields={
        "id": _N, "created_at": _N, "updated_at": _N, "slug": _N,
        "name": not_personal(why="a brand's name, not a person's")}),
    ModelMap("campaigns.Campaign", fields={
        "id": _N, "created_at": _N, "updated_at": _N, "slug": _N, "name": _NAME,
        "brand": _N, "default_locale": _N, "benefit_rate": _N, "purchase_starts_at": _N,
        "purchase_ends_before": _N, "claims_end_before": _N, "cap_tolerance": _N,
        "reference_rates": _N, "content": _N, "review": _N, "revision": _N,
        "state": not_personal(why="running or paused, not a place"),
    }),
    ModelMap("campaigns.CampaignEvent", fields={
        "id": _N, "campaign": _N, "action": _N,
        "state_from": not_personal(why="a campaign's state (running, paused), not a place"),
        "state_to": not_personal(why="a campaign's state (running, paused), not a place"),
        "actor": staff(), "at": _N}),
    ModelMap("campaigns.CampaignCountry", fields={
        "id": _N, "campaign": _N, "country": _N, "currency": _N}),
    ModelMap("campaigns.CampaignChannel", fields={
        "id": _N, "campaign": _N, "channel": _N, "all_products": _N, "excluded_flags": _N,
        "products": _N}),
    ModelMap("campaigns.Cap", fields={
        "id": _N, "campaign": _N, "channel": _N, "currency": _N, "amount": _N}),
    ModelMap("campaigns.Product", fields={
        "id": _N, "campaign": _N, "code": _N, "name": _NAME, "aliases": _N, "flags": _N,
        "position": _N}),
    ModelMap("campaigns.Retailer", fields={
        "id": _N, "campaign": _N, "code": _N, "country": _N, "name": _NAME, "aliases": _N,
        "website": _N, "position": _N}),
    ModelMap("campaigns.CampaignRule", fields={
        "id": _N, "campaign": _N, "kind": _N, "position": _N, "params": _N}),
]
