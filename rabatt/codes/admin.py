"""Staff views of keys, redemptions and distribution; changes go through the services."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rabatt.codes.models import ApiKey, CodeEvent, Recipient, Redemption
from rabatt.codes.services import api_key_revoke, redemption_void
from rabatt.core.errors import DomainError


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnly):
    list_display = ("name", "prefix", "created_at", "revoked_at")
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset:
            api_key_revoke(name_or_prefix=key.prefix)
        messages.success(request, _("Revoked."))


class EventInline(admin.TabularInline):
    model = CodeEvent
    fk_name = "redemption"
    extra = 0
    can_delete = False
    fields = ("at", "kind", "api_key", "data")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Redemption)
class RedemptionAdmin(ReadOnly):
    list_display = ("order_id", "campaign", "status", "discount", "currency", "created_at")
    list_filter = ("status", "campaign", "currency")
    search_fields = ("order_id",)
    inlines = [EventInline]
    actions = ["void"]

    @admin.action(description=_("Void: the product was returned"))
    def void(self, request: HttpRequest, queryset: QuerySet[Redemption]) -> None:
        for redemption in queryset:
            try:
                redemption_void(redemption_id=redemption.pk, reason="staff")
            except DomainError as exc:
                messages.error(request, f"{redemption.order_id}: {exc.message}")


@admin.register(Recipient)
class RecipientAdmin(ReadOnly):
    list_display = ("email", "campaign", "status", "sent_at", "attempts")
    list_filter = ("status", "campaign")
    search_fields = ("email_normalised",)
