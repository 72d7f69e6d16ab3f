"""Forms of the finance pages: input parsing only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rabatt.payouts.services import VERSIONS


class BuildForm(forms.Form):
    currency = forms.ChoiceField(label=_("Currency"))
    payer = forms.ChoiceField(label=_("Paying account"), required=False)
    campaign = forms.ChoiceField(label=_("Campaign"), required=False)
    limit = forms.IntegerField(label=_("At most this many payments"), required=False,
                               min_value=1)

    def __init__(self, *args: Any, currencies: list[str], payers: list[str],
                 campaigns: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: dict[str, list[tuple[str, Any]]] = {
            "currency": [(c, c) for c in currencies],
            "payer": [("", _("The one for this currency")), *((p, p) for p in payers)],
            "campaign": [("", _("All campaigns")), *campaigns],
        }
        for name, values in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = values


class ExportForm(forms.Form):
    version = forms.ChoiceField(label=_("Format"), choices=[(v, v) for v in VERSIONS])


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Bank file (pain.002, camt.053 or camt.054)"))
