"""Admin: paying accounts (created and edited here or with ``rabatt payouts payer add``);
batches and imports are read-only here: they change only through the finance pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from rabatt.core.errors import DomainError
from rabatt.payouts.models import ImportLog, PayerAccount, PaymentBatch
from rabatt.payouts.services import VERSIONS, payer_validate


class PayerAccountForm(forms.ModelForm):
    currencies = forms.CharField(help_text="Comma-separated, e.g. EUR or NOK, SEK")
    file_version = forms.ChoiceField(choices=[(v, v) for v in VERSIONS])

    class Meta:
        model = PayerAccount
        fields = ["name", "iban", "bic", "country", "currencies", "initiating_party_id",
                  "file_version", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and isinstance(self.instance.currencies, list):
            self.initial["currencies"] = ", ".join(self.instance.currencies)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            values = payer_validate(
                name=data.get("name") or "", iban=data.get("iban") or "",
                bic=data.get("bic") or "", country=data.get("country") or "",
                currencies=str(data.get("currencies") or "").split(","),
                file_version=data.get("file_version") or "")
        except DomainError as exc:
            for field, message in exc.fields.items():
                self.add_error(field if field in self.fields else None, message)
            return data
        data.update(values)
        return data


@admin.register(PayerAccount)
class PayerAccountAdmin(admin.ModelAdmin):
    form = PayerAccountForm
    list_display = ["name", "iban", "bic", "country", "currencies", "file_version", "active"]


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PaymentBatch)
class PaymentBatchAdmin(_ReadOnly):
    list_display = ["message_id", "currency", "payer", "status", "count", "total", "built_by",
                    "approved_by", "exported_at"]
    list_filter = ["status", "currency"]
    exclude = ["wrapped_key", "sealed_file_key"]


@admin.register(ImportLog)
class ImportLogAdmin(_ReadOnly):
    list_display = ["imported_at", "kind", "message_id", "paid", "failed", "pending",
                    "unmatched_count", "problem_count", "status"]
