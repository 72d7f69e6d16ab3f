from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class FriendForm(forms.Form):
    label_suffix = ""

    name = forms.CharField(label=_("Your name"), max_length=200,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254,
                             help_text=_("We send your personal code to this address."),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my name and e-mail address are "
                "used to send me my code and run the campaign."),
        error_messages={"required": _("Please accept the privacy notice to get your code.")},
    )
    # The honeypot: hidden from people (CSS and aria-hidden); bots tend to fill it in.
    website = forms.CharField(required=False, label=_("Leave this field empty"),
                              widget=forms.TextInput(attrs={"autocomplete": "off",
                                                            "tabindex": "-1"}))

    def error_links(self) -> list[tuple[str, str]]:
        links: list[tuple[str, str]] = [("", str(e)) for e in self.non_field_errors()]
        for name, errors in self.errors.items():
            if name in self.fields:
                links.extend((self[name].id_for_label, str(error)) for error in errors)
        return links
