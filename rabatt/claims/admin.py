"""A minimal staff view of claims until the review desk; decisions go through the services."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rabatt.claims.models import Claim, ClaimEvent
from rabatt.claims.services import claim_approve, claim_request_info, claim_start_review
from rabatt.core.errors import DomainError


class EventInline(admin.TabularInline):
    model = ClaimEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "from_status", "to_status", "actor_type", "actor", "reasons", "message")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _apply(request: HttpRequest, queryset: QuerySet[Claim], action: Any, **kwargs: Any) -> None:
    done = 0
    for claim in queryset:
        try:
            action(claim_id=claim.pk, actor=request.user, **kwargs)
            done += 1
        except DomainError as exc:
            messages.error(request, f"{claim.reference}: {exc.message}")
    if done:
        messages.success(request, _("%(n)s claim(s) updated.") % {"n": done})


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["reference", "campaign", "status", "purchase_country", "amount", "currency",
                    "submitted_at"]
    list_filter = ["status", "campaign", "purchase_country"]
    search_fields = ["reference"]
    inlines = [EventInline]
    actions = ["start_review", "request_info_unreadable", "approve"]
    readonly_fields = tuple(f.name for f in Claim._meta.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Start review"))
    def start_review(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        _apply(request, queryset, claim_start_review)

    @admin.action(description=_("Request information: receipt not readable"))
    def request_info_unreadable(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        def ask(*, claim_id: int, actor: Any) -> None:
            claim_request_info(claim_id=claim_id, actor=actor, reasons=["receipt_unreadable"])

        _apply(request, queryset, ask)

    @admin.action(description=_("Approve"))
    def approve(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        _apply(request, queryset, claim_approve)
