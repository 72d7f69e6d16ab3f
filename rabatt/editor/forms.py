"""The campaign editor's forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class FileForm(forms.Form):
    text = forms.CharField(label=_("Campaign file (YAML)"), widget=forms.Textarea(
        attrs={"rows": 30, "cols": 100, "spellcheck": "false"}), max_length=500_000)


class ExtendForm(forms.Form):
    purchase_ends_before = forms.DateTimeField(
        label=_("Purchases count until (first instant that no longer counts, UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    claims_end_before = forms.DateTimeField(
        label=_("Claims accepted until (first instant that is too late, UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class CloneForm(forms.Form):
    slug = forms.SlugField(label=_("Slug of the copy"), max_length=80)
