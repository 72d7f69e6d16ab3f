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


class QuoteForm(forms.Form):
    """A purchase to quote against the campaign's rules as they are now."""

    country = forms.CharField(label=_("Country of purchase"), min_length=2, max_length=2)
    channel = forms.ChoiceField(label=_("Channel"), choices=[
        ("retailer", _("Authorised retailer (cashback)")),
        ("direct", _("Brand shop (discount code)"))])
    retailer = forms.CharField(label=_("Retailer id"), required=False, max_length=80)
    product = forms.CharField(label=_("Product id"), max_length=80)
    price = forms.DecimalField(label=_("Price paid"), min_value=0, max_digits=12,
                               decimal_places=2)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=99, initial=1)
    purchased_at = forms.DateTimeField(label=_("Bought at (UTC)"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}))
    claimed_at = forms.DateTimeField(label=_("Claimed at (UTC)"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}))
