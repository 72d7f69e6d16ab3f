"""Forms of the consumer pages: the claim wizard's steps, the tracker and the answer page."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from rabatt.campaigns.models import Campaign, Channel, Product, Retailer
from rabatt.campaigns.selectors import campaign_rules
from rabatt.core.errors import DomainError
from rabatt.core.formats import PriceError, parse_price
from rabatt.core.i18n import country_name
from rabatt.core.localformats import (
    FormatError,
    phone_display,
    phone_normalise,
    postcode_normalise,
    postcode_optional,
)
from rabatt.core.text import single_line
from rabatt.core.timeutil import utcnow

if TYPE_CHECKING:
    from rabatt.claims.models import Claim

MAX_LINES = 10
MAX_QUANTITY = 20

# Which bank fields a country's payout scheme needs, in the order people read them.
BANK_SCHEMES = {
    "AU": ("bsb", "account_number"),
    "CA": ("institution_number", "transit_number", "account_number"),
    "US": ("routing_number", "account_number", "account_type"),
}
IBAN_FIELDS = ("iban", "bic")
# The domestic account numbers `banking` turns into an IBAN, as people in each country know
# them; elsewhere only the IBAN is asked for.
_DOMESTIC_TOO = _("Starts with %(country)s. Spaces are fine; your account number works too, "
                  "for example %(example)s.")
DOMESTIC_EXAMPLES = {
    "NO": "1503 0123 457", "DK": "0040 0440116243", "FI": "123456-785",
    "DE": "37040044 0532013000", "AT": "19043 00234573201", "BE": "539-0075470-34",
    "ES": "2100 0418 4502 0005 1332", "PL": "61 1090 1014 0000 0712 1981 2874",
}
DOMESTIC_HINTS = {
    "GB": _("Starts with GB. Or your sort code and account number, for example "
            "20-00-00 12345678."),
    "IE": _("Starts with IE. Or your sort code and account number, for example "
            "93-11-52 12345678."),
}


def iban_hint(country: str) -> str:
    """The IBAN field's hint: which domestic account number works too, with an example."""
    if country in DOMESTIC_HINTS:
        return str(DOMESTIC_HINTS[country])
    if country in DOMESTIC_EXAMPLES:
        return str(_DOMESTIC_TOO) % {"country": country, "example": DOMESTIC_EXAMPLES[country]}
    return str(_("Starts with %(country)s. Spaces are fine.")) % {"country": country}


class Form(forms.Form):
    """A form whose labels carry no colon and whose errors link to their fields."""

    label_suffix = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every one-line field refuses line breaks: names and addresses reach e-mails.
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.Textarea):
                field.validators.append(single_line)

    def error_links(self) -> list[tuple[str, str]]:
        """Return (field id, message) of every error, for the error summary at the top."""
        links: list[tuple[str, str]] = [("", str(e)) for e in self.non_field_errors()]
        for name, errors in self.errors.items():
            if name == NON_FIELD_ERRORS or name not in self.fields:
                continue
            for error in errors:
                links.append((self[name].id_for_label, str(error)))
        return links

    def add_refusal(self, exc: DomainError) -> None:
        """Show a service's refusal on the field it names, or above the form."""
        placed = False
        for key in exc.fields or {}:
            name = str(key).split(".")[-1]
            if name in self.fields:
                self.add_error(name, str(exc.message))
                placed = True
        if not placed:
            self.add_error(None, str(exc.message))


class CodeForm(Form):
    code = forms.CharField(
        label=_("Your personal code"), max_length=40,
        help_text=_("It is in the campaign e-mail we sent you, for example ABCD-EFGH-JKMN-PQR7."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                      "spellcheck": "false", "class": "code-input"}),
    )


class LocalDecimalField(forms.DecimalField):
    """A price as people type it in each participating country: "4 990,00", "4.990,00",
    "£399.00", "399,-" (``core.formats.parse_price``)."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str) and value.strip():
            try:
                value = str(parse_price(value))
            except PriceError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return super().to_python(value)


def purchase_date_range(campaign: Campaign) -> tuple[date, date]:
    """Return the first and last day a purchase may be dated (in the window, not after today)."""
    first = campaign.purchase_starts_at.date()
    last = min(campaign.purchase_last_moment.date(), utcnow().date())
    return first, last


class PurchaseForm(Form):
    """Country, retailer, date and product lines; ``lines`` rows are built in ``__init__``."""

    country = forms.ChoiceField(label=_("Country where you bought it and where you live"))
    retailer = forms.ChoiceField(label=_("Retailer"))
    purchased_on = forms.DateField(
        label=_("Date of purchase"),
        help_text=_("As printed on the receipt. Only days in the campaign period can be chosen."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"],
    )
    order_number = forms.CharField(label=_("Receipt or order number (optional)"),
                                   max_length=100, required=False)

    def __init__(self, *args: Any, campaign: Campaign, lines: int = 1, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        rules = campaign_rules(campaign=campaign)
        countries = sorted(((code, country_name(code)) for code in rules.currencies),
                           key=lambda c: c[1])
        self._choices("country", [("", _("Choose a country")), *countries])
        by_country: dict[str, list[tuple[str, str]]] = {}
        for retailer in Retailer.objects.filter(campaign=campaign):
            by_country.setdefault(retailer.country, []).append((retailer.code, retailer.name))
        self.retailers_by_country = by_country
        # Without JavaScript the list cannot follow the country: each country's retailers go
        # under its name, the country already known (chosen, or guessed from the visit) first.
        known = str((self.data if self.is_bound else self.initial).get("country") or "").upper()
        self._choices("retailer", [("", _("Choose a retailer")), *[
            (country_name(code), items) for code, items in sorted(
                by_country.items(), key=lambda kv: (kv[0] != known, country_name(kv[0])))
        ]])
        first, last = purchase_date_range(campaign)
        self.first_day, self.last_day = first, last
        self.fields["purchased_on"].widget.attrs.update(min=first.isoformat(),
                                                        max=last.isoformat())
        channel = rules.channels.get(Channel.RETAILER)
        products = [p for p in Product.objects.filter(campaign=campaign)
                    if channel is not None and channel.qualifies(rules.products[p.code])]
        product_choices = [("", _("Choose a product"))] + [(p.code, str(p)) for p in products]
        self.line_count = max(1, min(lines, MAX_LINES))
        for i in range(self.line_count):
            self.fields[f"product_{i}"] = forms.ChoiceField(
                label=_("Product"), choices=product_choices, required=False)
            self.fields[f"price_{i}"] = LocalDecimalField(
                label=_("Price paid"), required=False, min_value=Decimal("0.01"),
                max_value=Decimal("1000000"), decimal_places=2, max_digits=10,
                help_text=_("For one item, as on the receipt."),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
            self.fields[f"quantity_{i}"] = forms.IntegerField(
                label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "qty"}))

    def _choices(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def line_rows(self) -> list[dict[str, Any]]:
        return [{"index": i, "product": self[f"product_{i}"], "price": self[f"price_{i}"],
                 "quantity": self[f"quantity_{i}"]} for i in range(self.line_count)]

    def clean_purchased_on(self) -> date:
        day: date = self.cleaned_data["purchased_on"]
        if not self.first_day <= day <= self.last_day:
            raise ValidationError(
                _("Choose a date from %(first)s to %(last)s: only purchases in the campaign "
                  "period count, and the date cannot be in the future."),
                code="outside_window",
                params={"first": date_format(self.first_day, "DATE_FORMAT"),
                        "last": date_format(self.last_day, "DATE_FORMAT")},
            )
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        country, retailer = data.get("country"), data.get("retailer")
        if country and retailer and retailer not in dict(self.retailers_by_country.get(
                country, [])):
            self.add_error("retailer", _("Choose a retailer in the country you bought in."))
        lines = []
        for i in range(self.line_count):
            product = data.get(f"product_{i}")
            price = data.get(f"price_{i}")
            quantity = data.get(f"quantity_{i}") or 1
            if not product and price is None:
                continue
            if not product:
                self.add_error(f"product_{i}", _("Choose the product."))
            if price is None and f"price_{i}" not in self.errors:
                self.add_error(f"price_{i}", _("Enter the price you paid."))
            if product and price is not None:
                lines.append({"product": product, "price": str(price), "quantity": quantity})
        if not lines and not any(k.startswith(("product_", "price_")) for k in self.errors):
            self.add_error("product_0", _("Add at least one product."))
        data["lines"] = lines
        return data

    def values(self) -> dict[str, Any]:
        """Return what the draft keeps of this step."""
        data = self.cleaned_data
        return {"country": data["country"], "retailer": data["retailer"],
                "purchased_on": data["purchased_on"].isoformat(),
                "order_number": data.get("order_number", ""), "lines": data["lines"]}

    def partial_values(self) -> dict[str, Any]:
        """Return what can be quoted of a validated form, valid or not (for the estimate)."""
        data = getattr(self, "cleaned_data", {})
        return {"country": data.get("country", ""), "retailer": data.get("retailer", ""),
                "purchased_on": data.get("purchased_on"), "lines": data.get("lines", [])}

    @staticmethod
    def line_count_of(data: Mapping[str, Any]) -> int:
        """Return how many product rows posted form data has (1 to MAX_LINES)."""
        try:
            return max(1, min(int(data.get("lines", "1")), MAX_LINES))
        except ValueError:
            return 1

    @staticmethod
    def lines_edited(data: dict[str, Any], action: str,
                     count: int) -> tuple[dict[str, Any], int]:
        """Apply "add_line" or "remove_line:<n>" to posted form data; return it and its rows."""
        if action == "add_line":
            return data, min(count + 1, MAX_LINES)
        number = action.removeprefix("remove_line:")
        index = int(number) if action.startswith("remove_line:") and number.isdigit() else -1
        if not (0 <= index < count and count > 1):
            return data, count
        # Later rows move up one place, so the form's fields stay numbered 0..count-2.
        shifted = {k: v for k, v in data.items()
                   if not k.startswith(("product_", "price_", "quantity_"))}
        target = 0
        for i in range(count):
            if i == index:
                continue
            for name in ("product", "price", "quantity"):
                shifted[f"{name}_{target}"] = data.get(f"{name}_{i}", "")
            target += 1
        return shifted, count - 1

    @staticmethod
    def data_from(values: dict[str, Any]) -> dict[str, Any]:
        """Turn stored step values back into form data, to show or to validate again."""
        data = {k: values.get(k, "") for k in ("country", "retailer", "purchased_on",
                                                 "order_number")}
        for i, line in enumerate(values.get("lines") or []):
            data[f"product_{i}"] = line.get("product", "")
            data[f"price_{i}"] = line.get("price", "")
            data[f"quantity_{i}"] = line.get("quantity", 1)
        return data


class BankForm(Form):
    """New bank details after a failed payment: the holder and the country's bank fields."""

    account_holder = forms.CharField(
        label=_("Account holder"), max_length=140,
        help_text=_("Your name as your bank knows it: the account must be your own."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}))

    def __init__(self, *args: Any, country: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country = country
        self.bank_fields = bank_fields_add(self, country)

    def bank_values(self) -> dict[str, str]:
        return {k: str(self.cleaned_data.get(k) or "") for k in self.bank_fields}


class DetailsForm(BankForm):
    """Personal and bank details; the bank fields follow the country's payout scheme."""

    first_name = forms.CharField(label=_("First name"), max_length=100,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=100,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             help_text=_("We send the confirmation and every status change here."),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))
    address_line1 = forms.CharField(label=_("Street address"), max_length=200,
                                    widget=forms.TextInput(attrs={"autocomplete": "address-line1"}))
    address_line2 = forms.CharField(
        label=_("Address line 2 (optional)"), max_length=200, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}))
    postcode = forms.CharField(label=_("Postcode"), max_length=20,
                               widget=forms.TextInput(attrs={"autocomplete": "postal-code"}))
    city = forms.CharField(label=_("Town or city"), max_length=100,
                           widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    # The account holder (BankForm's) after the address; the bank fields come last.
    field_order = ["first_name", "last_name", "email", "phone", "address_line1",
                   "address_line2", "postcode", "city", "account_holder"]

    def __init__(self, *args: Any, country: str, **kwargs: Any) -> None:
        super().__init__(*args, country=country, **kwargs)
        self.fields["postcode"].required = not postcode_optional(country)
        if self.initial.get("phone"):
            self.initial["phone"] = phone_display(str(self.initial["phone"]), country)

    def clean_postcode(self) -> str:
        return self._local("postcode", postcode_normalise)

    def clean_phone(self) -> str:
        return self._local("phone", phone_normalise)

    def _local(self, name: str, check: Callable[..., str]) -> str:
        try:
            return check(country=self.country, text=self.cleaned_data.get(name) or "")
        except FormatError as exc:
            raise forms.ValidationError(exc.message, code="format") from None

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def bank_fields_add(form: forms.Form, country: str) -> tuple[str, ...]:
    """Add the bank fields of ``country``'s payout scheme to ``form``; return their names."""
    names = BANK_SCHEMES.get(country, IBAN_FIELDS)
    plain = {"autocomplete": "off", "spellcheck": "false"}
    digits = {**plain, "inputmode": "numeric"}
    make = {
        "iban": lambda: forms.CharField(
            label=_("IBAN"), max_length=50,
            help_text=iban_hint(country),
            widget=forms.TextInput(attrs={**plain, "autocapitalize": "characters"})),
        "bic": lambda: forms.CharField(
            label=_("BIC / SWIFT (optional)"), max_length=11, required=False,
            widget=forms.TextInput(attrs={**plain, "autocapitalize": "characters"})),
        "bsb": lambda: forms.CharField(label=_("BSB"), max_length=10,
                                       help_text=_("6 digits, for example 062-000."),
                                       widget=forms.TextInput(attrs=digits)),
        "institution_number": lambda: forms.CharField(
            label=_("Institution number"), max_length=5, help_text=_("3 digits."),
            widget=forms.TextInput(attrs=digits)),
        "transit_number": lambda: forms.CharField(
            label=_("Transit (branch) number"), max_length=7, help_text=_("5 digits."),
            widget=forms.TextInput(attrs=digits)),
        "routing_number": lambda: forms.CharField(
            label=_("Routing number (ABA)"), max_length=12, help_text=_("9 digits."),
            widget=forms.TextInput(attrs=digits)),
        "account_number": lambda: forms.CharField(label=_("Account number"), max_length=34,
                                                  widget=forms.TextInput(attrs=digits)),
        "account_type": lambda: forms.ChoiceField(
            label=_("Account type"), widget=forms.RadioSelect,
            choices=[("checking", _("Checking")), ("savings", _("Savings"))]),
    }
    for name in names:
        form.fields[name] = make[name]()
    return names


class ReviewForm(Form):
    adult = forms.BooleanField(
        label=_("I am an adult (18 or older) and live in the country I gave."),
        error_messages={"required": _("Confirm that you are an adult living in this country.")})
    end_user = forms.BooleanField(
        label=_("I bought the product as a private end user, not for a company."),
        error_messages={"required": _("Confirm that you bought as a private end user.")})
    own_claim = forms.BooleanField(
        label=_("This is my own claim, not made for someone else or by an agent."),
        error_messages={"required": _("Confirm that the claim is your own.")})
    terms_accepted = forms.BooleanField(
        error_messages={"required": _("Accept the terms and conditions to send the claim.")})
    marketing_consent = forms.BooleanField(
        label=_("Yes, send me news and offers by e-mail (optional; you can unsubscribe at any "
                "time)."), required=False)

    def __init__(self, *args: Any, terms_version: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["terms_accepted"].label = _(
            "I have read and accept the terms and conditions (version %(version)s)."
        ) % {"version": terms_version}


class UploadForm(Form):
    file = forms.FileField(label=_("Choose a file"), allow_empty_file=True,
                           widget=forms.ClearableFileInput(attrs={
                               "accept": "image/jpeg,image/png,application/pdf"}))


class TrackForm(Form):
    reference = forms.CharField(label=_("Claim reference"), max_length=40,
                                help_text=_("In the confirmation e-mail, for example "
                                            "RB-7K2M-Q9XD."),
                                widget=forms.TextInput(attrs={"autocomplete": "off",
                                                              "autocapitalize": "characters",
                                                              "spellcheck": "false"}))
    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             help_text=_("The address you gave in the claim."),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class AnswerForm(Form):
    """The consumer's answer: a message and corrections of the details they may change."""

    message = forms.CharField(label=_("Message to the agent (optional)"), required=False,
                              max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))
    address_line1 = forms.CharField(label=_("Street address"), max_length=200, required=False,
                                    widget=forms.TextInput(attrs={"autocomplete": "address-line1"}))
    address_line2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False,
                                    widget=forms.TextInput(attrs={"autocomplete": "address-line2"}))
    postcode = forms.CharField(label=_("Postcode"), max_length=20, required=False,
                               widget=forms.TextInput(attrs={"autocomplete": "postal-code"}))
    city = forms.CharField(label=_("Town or city"), max_length=100, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    order_number = forms.CharField(label=_("Receipt or order number"), max_length=100,
                                   required=False)

    CORRECTABLE = ("first_name", "last_name", "phone", "address_line1", "address_line2",
                   "postcode", "city", "order_number")

    @classmethod
    def current(cls, claim: Claim) -> dict[str, str]:
        """Return the claim's present values of the fields the consumer may correct."""
        current = {k: getattr(claim, k) for k in cls.CORRECTABLE}
        # Shown (and compared) as the consumer's country writes it, not as stored (E.164).
        current["phone"] = phone_display(claim.phone, claim.address_country)
        return current

    def corrections(self, current: dict[str, str]) -> dict[str, str]:
        """Return only the fields the consumer actually changed."""
        return {k: self.cleaned_data[k].strip() for k in self.CORRECTABLE
                if self.cleaned_data.get(k, "").strip()
                and self.cleaned_data[k].strip() != (current.get(k) or "").strip()}
