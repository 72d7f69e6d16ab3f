"""New bank details after a failed payment, through the one-time link of the e-mail."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation

from rabatt.claims.forms import BankForm
from rabatt.claims.models import Claim, ClaimStatus
from rabatt.claims.selectors import claim_payment_failure
from rabatt.claims.services import BankIn, claim_payment_bank_give, info_token_claim
from rabatt.core.errors import DomainError
from rabatt.core.i18n import country_name


def in_claim_language(request: HttpRequest, claim: Claim) -> None:
    """Speak the claim's language on a page opened from its e-mail, unless the visitor chose one.

    The e-mail was written in the claim's language; the page it links to continues in it even
    when the browser asks for another, until the visitor picks a language in the menu.
    """
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    languages = {code for code, _name in settings.LANGUAGES}
    if claim.locale in languages:
        translation.activate(claim.locale)
        request.LANGUAGE_CODE = claim.locale


def new_bank(request: HttpRequest, token: str) -> HttpResponseBase:
    """Ask for the details of an account in the claimant's name after the bank returned a
    payment; the claim then goes back to the payout queue."""
    try:
        claim, _row = info_token_claim(token=token)
    except DomainError as exc:
        return render(request, "claims/answer_invalid.html", {"error": exc.message}, status=404)
    if claim.status != ClaimStatus.PAYMENT_FAILED:
        return redirect("claims:answer", token=token)
    in_claim_language(request, claim)
    country = claim.address_country
    status = 200
    if request.method == "POST":
        form = BankForm(request.POST, country=country)
        if form.is_valid():
            try:
                claim = claim_payment_bank_give(token=token, bank=BankIn(
                    account_holder=form.cleaned_data["account_holder"],
                    fields=form.bank_values()))
            except DomainError as exc:
                if exc.code == "link_invalid":
                    return render(request, "claims/answer_invalid.html",
                                  {"error": exc.message}, status=404)
                form.add_refusal(exc)
            else:
                return render(request, "claims/bank_done.html", {
                    "claim": claim, "masked": claim.bank.masked,
                    "checked_first": claim.status == ClaimStatus.IN_REVIEW})
        status = 422
    else:
        form = BankForm(country=country, initial={
            "account_holder": f"{claim.first_name} {claim.last_name}".strip()})
    return render(request, "claims/bank.html", {
        "claim": claim, "form": form, "failure": claim_payment_failure(claim=claim),
        "country_label": country_name(country)}, status=status)

