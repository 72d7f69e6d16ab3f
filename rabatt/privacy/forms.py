from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rabatt.privacy.models import RequestKind


class RequestForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    kind = forms.ChoiceField(label=_("What do you want?"), choices=RequestKind.choices,
                             widget=forms.RadioSelect, initial=RequestKind.ACCESS)


class CookieForm(forms.Form):
    performance = forms.BooleanField(required=False)
    functionality = forms.BooleanField(required=False)
    third_party = forms.BooleanField(required=False)
    analytics = forms.BooleanField(required=False)


class RectifyForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    address_line1 = forms.CharField(label=_("Address"), max_length=200, required=False)
    address_line2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    bank_claim = forms.TypedChoiceField(label=_("Correct the bank details of claim"),
                                        coerce=int, required=False, empty_value=None)
    account_holder = forms.CharField(label=_("Account holder"), max_length=200, required=False)
    iban = forms.CharField(label=_("IBAN"), max_length=64, required=False)

    def __init__(self, *args: object, bank_claims: list[tuple[int, str]] | None = None,
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["bank_claim"].choices = [("", "—"), *(bank_claims or [])]  # type: ignore[attr-defined]
