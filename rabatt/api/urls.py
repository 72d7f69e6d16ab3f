"""The JSON API, version 1: one router per resource."""

from ninja import NinjaAPI

from rabatt.api import campaigns, claims, errors, privacy, referrals, shop, staff
from rabatt.api.parsers import ObjectParser

api = NinjaAPI(
    title="Rabatt API",
    version="1",
    description="Quotes, claims, codes, referrals and privacy requests. Errors are JSON objects "
    "with a stable `code` and a translated `message`.",
    urls_namespace="api-v1",
    parser=ObjectParser(),
)
errors.install(api)
api.add_router("", campaigns.router)
api.add_router("", claims.router)
api.add_router("", shop.router)
api.add_router("", referrals.router)
api.add_router("", privacy.router)
api.add_router("/staff", staff.router)
