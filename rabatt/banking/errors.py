"""Refusals of bank details, each with a stable code and a translatable message."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rabatt.core.errors import DomainError

MESSAGES: dict[str, Promise] = {
    "country_not_supported": _("Payouts are not available for this country."),
    "currency_mismatch": _("The payout currency must be the currency of your country."),
    "field_required": _("This field is required."),
    "iban_invalid": _("This is not a valid IBAN."),
    "iban_invalid_checksum": _("The IBAN check digits are wrong; please check for a typing error."),
    "iban_invalid_length": _("The IBAN has the wrong number of characters for its country."),
    "iban_wrong_country": _("The bank account must be in your country of residence."),
    "bban_invalid": _("The account number inside the IBAN is not valid."),
    "bic_invalid": _("This is not a valid BIC (SWIFT code)."),
    "bic_mismatch": _("The BIC does not belong to the bank of this IBAN."),
    "bsb_invalid": _("A BSB number has 6 digits, for example 062-000."),
    "institution_number_invalid": _("A Canadian institution number has 3 digits."),
    "transit_number_invalid": _("A Canadian transit (branch) number has 5 digits."),
    "aba_invalid": _("An ABA routing number has 9 digits."),
    "aba_invalid_checksum": _("This ABA routing number does not exist; please check for a typo."),
    "account_number_invalid": _("This account number is not valid."),
    "account_type_required": _("Choose whether the account is a checking or a savings account."),
    "account_type_invalid": _("The account type must be checking or savings."),
}


# The same refusals naming what the person typed: an IBAN ...
TYPED_MESSAGES: dict[str, Promise] = {
    "iban_invalid": _("“%(typed)s” is not a valid IBAN."),
    "iban_invalid_checksum": _("The check digits of “%(typed)s” are wrong: please check for a "
                               "typing error."),
    "iban_invalid_length": _("“%(typed)s” has %(length)s characters; an IBAN from %(country)s "
                             "has %(expected)s."),
    "iban_wrong_country": _("“%(typed)s” is an account in another country; the account must be "
                            "in %(country)s."),
    "bban_invalid": _("The account number in “%(typed)s” is not valid: please check for a "
                      "typing error."),
}
# ... or a domestic account number, which never mentions an IBAN they did not type.
DOMESTIC_MESSAGES: dict[str, Promise] = {
    "iban_invalid": _("“%(typed)s” is not a valid account number in %(country)s: please check "
                      "the digits."),
    "iban_invalid_length": _("“%(typed)s” has %(length)s digits; an account number in "
                             "%(country)s has %(expected)s. You can also give your IBAN."),
    "sort_code_unknown": _("We cannot tell the bank of “%(typed)s” from its sort code "
                           "%(sort_code)s: please give the IBAN printed on your bank statement "
                           "(it is also in your banking app)."),
}
DOMESTIC_MESSAGES["iban_invalid_checksum"] = DOMESTIC_MESSAGES["iban_invalid"]
DOMESTIC_MESSAGES["bban_invalid"] = DOMESTIC_MESSAGES["iban_invalid"]


class BankDetailsError(DomainError):
    """Bank details that cannot be used for a payout."""

    code = "bank_details_invalid"

    def __init__(self, code: str, *, field: str | None = None, domestic: bool = False,
                 **params: object) -> None:
        table = DOMESTIC_MESSAGES if domestic else TYPED_MESSAGES
        if params and code in table:
            # Interpolated in the active language: a refusal is made while its reader waits.
            message: str | Promise = str(table[code]) % params
        else:
            message = MESSAGES[code]
        super().__init__(message, code=code, fields={field: message} if field else None)
        self.field = field
