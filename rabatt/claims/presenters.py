"""Shape claim data for the consumer pages: the wizard's steps, its summary, the tracker."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rabatt.campaigns.models import Campaign, Product, Retailer
from rabatt.claims import wizard
from rabatt.claims.forms import DetailsForm
from rabatt.claims.models import ClaimDraft, ClaimEvent, InfoReason
from rabatt.core.errors import DomainError
from rabatt.core.i18n import country_name
from rabatt.core.localformats import phone_display

STEP_TITLES = {
    "code": gettext_lazy("Your code"),
    "purchase": gettext_lazy("Purchase"),
    "proof": gettext_lazy("Proof of purchase"),
    "details": gettext_lazy("Your details"),
    "review": gettext_lazy("Check and send"),
}
PROGRESS = ("submitted", "in_review", "approved", "paid")


def wizard_context(campaign: Campaign, step: str, **extra: Any) -> dict[str, Any]:
    """Return a wizard page's context: the step indicator plus ``extra``."""
    steps = [{"key": key, "title": STEP_TITLES[key], "number": i,
              "url": wizard.step_url(campaign, key)}
             for i, key in enumerate(wizard.STEPS, start=1)]
    return {"campaign": campaign, "step": step, "steps": steps,
            "step_number": wizard.STEPS.index(step) + 1, "step_count": len(wizard.STEPS),
            "step_title": STEP_TITLES[step], **extra}


def review_summary(campaign: Campaign, draft: ClaimDraft) -> dict[str, Any]:
    """Return everything a complete draft holds, readable, for the review step."""
    purchase = draft.data["purchase"]
    products = {p.code: str(p) for p in Product.objects.filter(campaign=campaign)}
    retailer = Retailer.objects.filter(campaign=campaign, code=purchase["retailer"]).first()
    details = wizard.details_open(draft)
    form = DetailsForm(country=purchase["country"])
    return {
        "code": draft.data["code"]["code"],
        "country": country_name(purchase["country"]),
        "retailer": retailer.name if retailer else purchase["retailer"],
        "purchased_on": date.fromisoformat(purchase["purchased_on"]),
        "order_number": purchase.get("order_number", ""),
        "lines": [{"product": products.get(line["product"], line["product"]),
                   "price": line["price"], "quantity": line["quantity"]}
                  for line in purchase.get("lines") or []],
        "quote": wizard.quote_for(campaign, purchase),
        "details": {**details, "phone": phone_display(details.get("phone", ""),
                                                       purchase["country"])},
        "bank": [(form.fields[n].label, _choice_label(form, n, details[n]))
                 for n in form.bank_fields if details.get(n)],
    }


def _choice_label(form: DetailsForm, name: str, value: Any) -> str:
    choices = getattr(form.fields[name], "choices", None)
    return str(dict(choices).get(value, value)) if choices else str(value)


def submit_error(campaign: Campaign, exc: DomainError) -> dict[str, Any]:
    """Say what went wrong on submission and which step to change."""
    fields = exc.fields or {}
    keys = " ".join(str(k) for k in fields)
    step = ("code" if exc.code.startswith("code") or "code" in fields
            else "proof" if "files" in fields
            else "details" if "person." in keys or "bank." in keys or exc.code.startswith(
                ("iban", "bic", "bsb", "aba", "account", "institution", "transit"))
            else "purchase" if "purchase." in keys or exc.code == "not_eligible"
            else "")
    reasons = [r.get("message", "") for r in fields.get("reasons", [])
               if isinstance(r, dict)] if isinstance(fields.get("reasons"), list) else []
    return {"message": str(exc.message), "reasons": reasons, "code": exc.code,
            "step_url": wizard.step_url(campaign, step) if step else "",
            "step_title": STEP_TITLES[step] if step else ""}


def tracker_progress(status: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Return the tracker's submitted → in review → approved → paid marks for a status."""
    if status is None:
        return []
    reached = PROGRESS.index(status["status"]) if status["status"] in PROGRESS else -1
    labels = (_("Submitted"), _("In review"), _("Approved"), _("Paid"))
    return [{"key": key, "label": label, "done": i <= reached, "current": i == reached}
            for i, (key, label) in enumerate(zip(PROGRESS, labels, strict=True))]


def info_reasons(event: ClaimEvent) -> list[str]:
    """Return the labels of the reasons an agent gave for a request for information."""
    return [str(InfoReason(r).label) for r in event.reasons if r in InfoReason.values]
