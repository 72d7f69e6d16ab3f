"""Shape claim data for the consumer pages: the wizard's steps, its summary, the tracker."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rabatt.campaigns.models import Campaign, Product, Retailer
from rabatt.campaigns.selectors import campaign_rules
from rabatt.claims import wizard
from rabatt.claims.forms import DetailsForm
from rabatt.claims.models import ClaimDraft, ClaimEvent, InfoReason
from rabatt.core.errors import DomainError
from rabatt.core.formats import iban_grouped, local_date, money
from rabatt.core.i18n import country_name
from rabatt.core.localformats import phone_display
from rabatt.core.timeutil import utcnow
from rabatt.receipts.models import ReceiptFile

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
        "currency": campaign_rules(campaign=campaign).currencies.get(purchase["country"], ""),
        # IBANs in groups of four, as on bank cards, whatever the consumer typed.
        "bank": [(form.fields[n].label, iban_grouped(details[n]) if n == "iban"
                  else _choice_label(form, n, details[n]))
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


# Where a status stands on the submitted → in review → approved → paid line.
STAGE_OF = {"submitted": 0, "in_review": 1, "info_requested": 1, "approved": 2,
            "payment_failed": 2, "paid": 3}


def tracker_progress(status: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Return the tracker's submitted → in review → approved → paid marks for a status.

    A claim waiting for an answer stands in review; a failed payment stands after approval,
    with the payment step marked as the problem. A closed claim (rejected, lapsed, withdrawn,
    voided) shows the furthest step its history reached.
    """
    if status is None:
        return []
    now = status["status"]
    if now in STAGE_OF:
        reached = STAGE_OF[now]
    else:
        reached = max((STAGE_OF.get(h["status"], -1) for h in status.get("history", [])),
                      default=-1)
    labels = [_("Submitted"), _("In review"), _("Approved"), _("Paid")]
    failed = now == "payment_failed"
    if failed:
        labels[3] = _("Payment failed: new bank details needed")
    return [{"key": key, "label": label, "done": i <= reached,
             "current": (i == reached and not failed) or (failed and i == 3),
             "problem": failed and i == 3}
            for i, (key, label) in enumerate(zip(PROGRESS, labels, strict=True))]


def info_reasons(event: ClaimEvent) -> list[str]:
    """Return the labels of the reasons an agent gave for a request for information."""
    return [str(InfoReason(r).label) for r in event.reasons if r in InfoReason.values]


# A draft file still "being read" after this long was lost with its worker: stop waiting.
READING_GIVEN_UP = timedelta(minutes=2)
MISSING = {
    "retailer": gettext_lazy("We could not find the shop's name on this receipt: is the top of "
                             "the receipt in the picture?"),
    "date": gettext_lazy("We could not find the purchase date on this receipt: is the whole "
                         "receipt in the picture?"),
    "total": gettext_lazy("We could not find the total on this receipt: is the whole receipt "
                          "in the picture?"),
}


def draft_reading_help(campaign: Campaign, draft: ClaimDraft,
                       receipt: ReceiptFile) -> dict[str, Any] | None:
    """Tell what the background reading of a draft's file found, and what it could fill in."""
    reading = receipt.draft_reading if isinstance(receipt.draft_reading, dict) else {}
    status = reading.get("status")
    if not status:
        return None
    if status in ("pending", "reading"):
        if utcnow() - receipt.created_at > READING_GIVEN_UP:
            return None
        return {"pending": True}
    if status != "done":
        return {"pending": False, "unreadable": True}
    found = reading.get("found") or {}
    purchase = draft.data.get("purchase") or {}
    rules = campaign_rules(campaign=campaign)
    currency = found.get("currency") or rules.currencies.get(purchase.get("country", ""))
    items: list[tuple[str, str]] = []
    if found.get("retailer"):
        items.append((_("Shop"), found["retailer"]["name"]))
    if found.get("date"):
        items.append((_("Purchase date"), local_date(date.fromisoformat(found["date"]))))
    if found.get("total"):
        items.append((_("Total"), money(found["total"], currency) if currency
                      else found["total"]))
    proposal = wizard.reading_proposal(campaign, purchase, found)
    return {
        "pending": False, "found": items,
        "missing": [str(MISSING[name]) for name in ("retailer", "date", "total")
                    if not found.get(name)],
        "offer": bool(proposal),
        "apply_url": reverse("claims:draft_file_fill",
                             kwargs={"slug": campaign.slug, "file_id": receipt.pk}),
        "purchase_url": wizard.step_url(campaign, "purchase"),
    }
