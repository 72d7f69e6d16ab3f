"""rabatt.urls without the parts other engineers have half-built (used only while rabatt.urls
does not import; see conftest). The staff API is mounted on its own when the full API fails."""

import contextlib

from django.urls import include, path

try:
    from rabatt.api.urls import api
except ImportError:
    from ninja import NinjaAPI

    from rabatt.api import errors, staff

    api = NinjaAPI(title="Rabatt API", version="1", urls_namespace="api-v1")
    errors.install(api)
    api.add_router("/staff", staff.router)

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", include("rabatt.review.urls")),
    path("accounts/", include("rabatt.accounts.urls")),
]
for optional in ("rabatt.claims.urls", "rabatt.campaigns.urls"):
    with contextlib.suppress(ImportError):
        urlpatterns.append(path("", include(optional)))
