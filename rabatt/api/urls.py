"""The JSON API, version 1: one router per resource."""

from ninja import NinjaAPI

from rabatt.api import campaigns, errors

api = NinjaAPI(
    title="Rabatt API",
    version="1",
    description="Quotes, claims, codes, referrals and privacy requests. Errors are JSON objects "
    "with a stable `code` and a translated `message`.",
    urls_namespace="api-v1",
)
errors.install(api)
api.add_router("", campaigns.router)


