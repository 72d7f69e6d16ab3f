"""Staff views of the outbox and the suppression list (read only: the services write)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from rabatt.notifications.models import OutboundEmail, Suppression


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnly):
    list_display = ("kind", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind")
    exclude = ("context", "hook_args")


@admin.register(Suppression)
class SuppressionAdmin(ReadOnly):
    list_display = ("email_normalised", "reason", "detail", "created_at")
    list_filter = ("reason",)
    search_fields = ("email_normalised",)
