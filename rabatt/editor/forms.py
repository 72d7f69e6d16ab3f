"""The campaign editor's forms."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from rabatt.campaigns.campaign_file import format_datetime
from rabatt.campaigns.models import Channel, ProductFlag


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


# -- One part of the campaign file at a time ------------------------------------------------
# Each form edits the parsed campaign file (a dict) in place; the result goes through exactly
# the path of the text editor: the loader's validation, the preview with its diff, and four
# eyes for money on a live campaign.

def _words(text: str) -> list[str]:
    return [w.strip() for w in text.split(",") if w.strip()]


def _by_id(items: list[dict[str, Any]], item_id: str) -> dict[str, Any] | None:
    return next((item for item in items if item.get("id") == item_id), None)


class PartForm(forms.Form):
    """A form that changes one part of a campaign file."""

    part = ""
    title: Any = ""

    def apply(self, data: dict[str, Any]) -> None:
        """Change ``data`` (the parsed campaign file) as the valid form says."""
        raise NotImplementedError


class ProductForm(PartForm):
    title = _("Add or change a product")
    part = "product"
    id = forms.SlugField(label=_("Product id"), max_length=80)
    language = forms.ChoiceField(label=_("Language of the name"), choices=settings.LANGUAGES,
                                 initial="en")
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    # While claims are open the loader wants a name in every language; most product names are
    # the same in all of them.
    every_language = forms.BooleanField(
        label=_("Use this name for every language that has none yet"), required=False)
    aliases = forms.CharField(label=_("Names on receipts (comma-separated)"), max_length=2000,
                              required=False)
    flags = forms.MultipleChoiceField(label=_("Flags"), choices=ProductFlag.choices,
                                      required=False, widget=forms.CheckboxSelectMultiple)
    retailer_channel = forms.BooleanField(
        label=_("Qualifies through authorised retailers (cashback)"), required=False)
    remove = forms.BooleanField(label=_("Remove this product"), required=False)

    def apply(self, data: dict[str, Any]) -> None:
        d = self.cleaned_data
        products = data.setdefault("products", [])
        item = _by_id(products, d["id"])
        listed = data.get("channels", {}).get("retailer", {}).get("products")
        if d["remove"]:
            if item is not None:
                products.remove(item)
            if isinstance(listed, list) and d["id"] in listed:
                listed.remove(d["id"])
            return
        if item is None:
            item = {"id": d["id"], "name": {}}
            products.append(item)
        if d["name"]:
            names = item.setdefault("name", {})
            names[d["language"]] = d["name"]
            if d["every_language"]:
                for code, _label in settings.LANGUAGES:
                    names.setdefault(code, d["name"])
        item.pop("aliases", None)
        item.pop("flags", None)
        if aliases := _words(d["aliases"]):
            item["aliases"] = aliases
        if d["flags"]:
            item["flags"] = list(d["flags"])
        if isinstance(listed, list):  # "all" covers every product already
            if d["retailer_channel"] and d["id"] not in listed:
                listed.append(d["id"])
            elif not d["retailer_channel"] and d["id"] in listed:
                listed.remove(d["id"])


class RetailerForm(PartForm):
    title = _("Add or change a retailer")
    part = "retailer"
    id = forms.SlugField(label=_("Retailer id"), max_length=80)
    country = forms.CharField(label=_("Country (two letters)"), min_length=2, max_length=2)
    name = forms.CharField(label=_("Name"), max_length=200)
    aliases = forms.CharField(label=_("Names on receipts (comma-separated)"), max_length=2000,
                              required=False)
    remove = forms.BooleanField(label=_("Remove this retailer"), required=False)

    def apply(self, data: dict[str, Any]) -> None:
        d = self.cleaned_data
        retailers = data.setdefault("retailers", [])
        item = _by_id(retailers, d["id"])
        if d["remove"]:
            if item is not None:
                retailers.remove(item)
            return
        if item is None:
            item = {"id": d["id"]}
            retailers.append(item)
        item.update(country=d["country"].upper(), name=d["name"])
        item.pop("aliases", None)
        if aliases := _words(d["aliases"]):
            item["aliases"] = aliases


class CapForm(PartForm):
    title = _("Change a cap")
    part = "cap"
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    currency = forms.RegexField(label=_("Currency"), regex=r"^[A-Za-z]{3}$", max_length=3)
    amount = forms.DecimalField(label=_("Most paid per claim"), min_value=0, max_digits=12,
                                decimal_places=2)

    def apply(self, data: dict[str, Any]) -> None:
        d = self.cleaned_data
        channel = data.setdefault("channels", {}).get(d["channel"])
        if channel is None:
            self.add_error("channel", _("The campaign has no such channel."))
            return
        amount = d["amount"]
        channel.setdefault("caps", {})[d["currency"].upper()] = (
            int(amount) if amount == amount.to_integral_value() else float(amount))


class WindowForm(PartForm):
    title = _("Change the windows")
    part = "window"
    purchase_starts_at = forms.DateTimeField(
        label=_("Purchases count from (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    purchase_ends_before = ExtendForm.base_fields["purchase_ends_before"]
    claims_end_before = ExtendForm.base_fields["claims_end_before"]

    def apply(self, data: dict[str, Any]) -> None:
        d = self.cleaned_data
        data["purchase_window"] = {
            "starts_at": format_datetime(d["purchase_starts_at"].replace(tzinfo=UTC)),
            "ends_before": format_datetime(d["purchase_ends_before"].replace(tzinfo=UTC))}
        data["claims"] = {**(data.get("claims") or {}), "ends_before": format_datetime(
            d["claims_end_before"].replace(tzinfo=UTC))}


# Texts of the file the form edits, by their path in the file.
TEXTS = {
    "name": _("Campaign name"),
    "content.intro": _("Introduction"),
    "content.channels.retailer": _("Channel text: authorised retailers"),
    "content.channels.direct": _("Channel text: brand shop"),
    "content.terms.text": _("Terms and conditions"),
}


class TextForm(PartForm):
    title = _("Change a text")
    part = "text"
    which = forms.ChoiceField(label=_("Text"), choices=list(TEXTS.items()))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="en")
    text = forms.CharField(label=_("Text"), max_length=20_000, widget=forms.Textarea(
        attrs={"rows": 6, "cols": 80}))

    def apply(self, data: dict[str, Any]) -> None:
        d = self.cleaned_data
        target = data
        *parents, last = d["which"].split(".")
        for key in parents:
            target = target.setdefault(key, {})
        if last == "text" and "version" not in target:
            self.add_error("which", _("Give the terms a version in the campaign file first."))
            return
        target.setdefault(last, {})[d["language"]] = d["text"].replace("\r\n", "\n")


PART_FORMS: dict[str, type[PartForm]] = {
    form.part: form for form in (ProductForm, RetailerForm, CapForm, WindowForm, TextForm)}


def part_initial(part: str, data: dict[str, Any], item_id: str) -> dict[str, Any]:
    """The form's starting values for an existing product or retailer of the file."""
    item = _by_id(data.get(part + "s") or [], item_id)
    if item is None:
        return {"id": item_id}
    initial = {"id": item_id, "aliases": ", ".join(item.get("aliases") or []),
               "flags": item.get("flags") or [], "country": item.get("country", "")}
    names = item.get("name")
    initial["name"] = names.get("en", "") if isinstance(names, dict) else names or ""
    listed = data.get("channels", {}).get("retailer", {}).get("products")
    initial["retailer_channel"] = listed == "all" or item_id in (listed or [])
    return initial
