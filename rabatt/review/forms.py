from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from rabatt.claims.models import ClaimStatus, InfoReason
from rabatt.review.selectors import OPEN_STATUSES, QueueFilters

AGE_CHOICES = [("", _("Any age")), ("2", _("Older than 2 days")), ("7", _("Older than 7 days")),
               ("14", _("Older than 14 days")), ("30", _("Older than 30 days"))]


class QueueForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("To review (new and in review)")), *ClaimStatus.choices, ("all", _("All"))])
    campaign = forms.ChoiceField(label=_("Campaign"), required=False)
    country = forms.ChoiceField(label=_("Country of purchase"), required=False)
    age = forms.ChoiceField(label=_("Age"), required=False, choices=AGE_CHOICES)
    risk = forms.BooleanField(label=_("Risk flags only"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    second = forms.BooleanField(label=_("Waiting for a second approval"), required=False)
    sort = forms.ChoiceField(label=_("Order"), required=False, choices=[
        ("", _("Most urgent first")), ("risk", _("Riskiest first"))])

    def __init__(self, *args: Any, campaigns: list[tuple[str, str]],
                 countries: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["campaign"]).choices = [
            ("", _("All campaigns")), *campaigns]
        cast(forms.ChoiceField, self.fields["country"]).choices = [
            ("", _("All countries")), *countries]

    def filters(self) -> QueueFilters:
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or ""
        statuses: tuple[str, ...] = (
            tuple(OPEN_STATUSES) if not status
            else tuple(ClaimStatus.values) if status == "all" else (status,))
        age = data.get("age") or ""
        return QueueFilters(statuses=statuses, campaign=data.get("campaign") or "",
                            country=data.get("country") or "",
                            older_than_days=int(age) if age else None,
                            risk=bool(data.get("risk")), mine=bool(data.get("mine")),
                            second_approval=bool(data.get("second")),
                            sort=data.get("sort") or "")


class DecisionForm(forms.Form):
    message = forms.CharField(label=_("Message to the consumer (optional)"), required=False,
                              max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
    message = forms.CharField(label=_("Message to the consumer (optional)"), required=False,
                              max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class InfoForm(forms.Form):
    reasons = forms.MultipleChoiceField(label=_("What is missing"), choices=InfoReason.choices,
                                        widget=forms.CheckboxSelectMultiple)
    message = forms.CharField(label=_("Message to the consumer"), required=False,
                              max_length=4000, widget=forms.Textarea(attrs={"rows": 6}))


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note for other agents"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class BulkForm(forms.Form):
    action = forms.ChoiceField(label=_("Decision"), choices=[
        ("approve", _("Approve")), ("reject", _("Reject")),
        ("request_info", _("Request information"))])
    reason = forms.CharField(label=_("Reason (for a rejection)"), required=False, max_length=200)
    info_reason = forms.ChoiceField(label=_("What is missing (for a request)"), required=False,
                                    choices=[("", "—"), *InfoReason.choices])
    message = forms.CharField(label=_("Message to the consumers (optional)"), required=False,
                              max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    claims = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = self.data.getlist("claims") if hasattr(self.data, "getlist") else []
        cast(forms.ChoiceField, self.fields["claims"]).choices = [
            (i, i) for i in ids if str(i).isdigit()]

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        params: dict[str, Any] = {"message": data.get("message") or ""}
        if data["action"] == "reject":
            params["reason"] = data.get("reason") or ""
        if data["action"] == "request_info":
            params["reasons"] = [data["info_reason"]] if data.get("info_reason") else []
        return params
