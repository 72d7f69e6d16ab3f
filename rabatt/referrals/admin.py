"""Staff views of the referral programme: links, friends with their abuse signals."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from rabatt.referrals.models import Friend, Referral, ReferralEvent, ReferralOptions


@admin.register(ReferralOptions)
class ReferralOptionsAdmin(admin.ModelAdmin):
    list_display = ("campaign", "enabled", "friend_channel", "notice_version", "burst_limit")


class FriendInline(admin.TabularInline):
    model = Friend
    extra = 0
    can_delete = False
    fields = ("slot", "name", "email", "signals", "created_at", "code_emailed_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ("token", "campaign", "email", "created_at")
    list_filter = ("campaign",)
    search_fields = ("email_canonical", "token")
    readonly_fields = ("campaign", "code", "token", "email", "email_canonical", "device_id",
                       "ip_prefix", "created_at")
    inlines = [FriendInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Friend)
class FriendAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "campaign", "slot", "flagged", "created_at")
    list_filter = ("campaign",)
    search_fields = ("email_canonical", "name")
    readonly_fields = [f.name for f in Friend._meta.fields]

    @admin.display(boolean=True, description="signals")
    def flagged(self, obj: Friend) -> bool:
        return bool(obj.signals)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ReferralEvent)
class ReferralEventAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "referral", "friend")
    list_filter = ("kind",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
