from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from rabatt.campaigns.models import (
    Campaign,
    CampaignChannel,
    CampaignCountry,
    CampaignRule,
    Cap,
    Product,
    Retailer,
)
from rabatt.campaigns.services import campaign_bump_revision


class BumpRevisionMixin:
    """Any edit through the admin must invalidate the cached rules of its campaign."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        campaign_bump_revision(campaign_id=obj.pk if isinstance(obj, Campaign) else obj.campaign_id)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        obj = form.instance
        campaign_bump_revision(campaign_id=obj.pk if isinstance(obj, Campaign) else obj.campaign_id)


class CountryInline(admin.TabularInline):
    model = CampaignCountry
    extra = 0


class CapInline(admin.TabularInline):
    model = Cap
    extra = 0


class ChannelInline(admin.StackedInline):
    model = CampaignChannel
    extra = 0
    filter_horizontal = ["products"]


class RuleInline(admin.TabularInline):
    model = CampaignRule
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(BumpRevisionMixin, admin.ModelAdmin):
    list_display = ["slug", "display_name", "purchase_starts_at", "purchase_ends_before",
                    "claims_end_before", "benefit_rate"]
    search_fields = ["slug"]
    readonly_fields = ["revision", "created_at", "updated_at"]
    inlines = [CountryInline, ChannelInline, CapInline, RuleInline]


@admin.register(Product)
class ProductAdmin(BumpRevisionMixin, admin.ModelAdmin):
    list_display = ["code", "__str__", "campaign", "flags"]
    list_filter = ["campaign"]
    search_fields = ["code", "aliases"]


@admin.register(Retailer)
class RetailerAdmin(BumpRevisionMixin, admin.ModelAdmin):
    list_display = ["code", "name", "country", "campaign"]
    list_filter = ["campaign", "country"]
    search_fields = ["code", "name", "aliases"]
