from django.contrib import admin
from django.urls import include, path

from rabatt.accounts.admin_site import protect_admin
from rabatt.api.urls import api
from rabatt.core import views as core_views
from rabatt.core.views import metrics as metrics_views

protect_admin(admin.site)

# A database outage raised in a middleware answers 503, not 500 (rabatt/core/outage.py).
handler500 = "rabatt.core.outage.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", metrics_views.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", include("rabatt.review.urls")),
    path("staff/payouts/", include("rabatt.payouts.urls")),
    path("accounts/", include("rabatt.accounts.urls")),
    path("r/", include("rabatt.referrals.urls")),
    path("privacy/", include("rabatt.privacy.urls")),
    path("", include("rabatt.claims.urls")),
    path("", include("rabatt.campaigns.urls")),
]
