"""The dashboard's filters."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _


class DashboardForm(forms.Form):
    brand = forms.ChoiceField(label=_("Brand"), required=False)
    campaign = forms.ChoiceField(label=_("Campaign"), required=False)
    country = forms.ChoiceField(label=_("Country of purchase"), required=False)
    since = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To (inclusive)"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, brands: list[tuple[str, str]],
                 campaigns: list[tuple[str, str]], countries: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["brand"]).choices = [("", _("All brands")), *brands]
        cast(forms.ChoiceField, self.fields["campaign"]).choices = [
            ("", _("All campaigns")), *campaigns]
        cast(forms.ChoiceField, self.fields["country"]).choices = [
            ("", _("All countries")), *((c, c) for c in countries)]

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {k: data.get(k) or ("" if k in ("brand", "campaign", "country") else None)
                for k in ("brand", "campaign", "country", "since", "until")}
