"""What each claim e-mail says, per event kind (translated; rendered in the claim's language)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CLAIM_MESSAGES = {
    "submitted": (
        _("We have received your claim %(reference)s"),
        _("Thank you. We have received your claim and will check it. You will get an e-mail "
          "at every change of its status."),
    ),
    "start_review": (
        _("We are checking your claim %(reference)s"),
        _("An agent has started checking your claim."),
    ),
    "request_info": (
        _("We need more information for your claim %(reference)s"),
        _("We cannot finish checking your claim yet. Please answer within 7 calendar days of "
          "this e-mail, or the claim becomes invalid."),
    ),
    "answer_info": (
        _("Thank you for your answer on claim %(reference)s"),
        _("We have received your answer and will continue checking your claim."),
    ),
    "lapse": (
        _("Your claim %(reference)s has lapsed"),
        _("We asked for more information but did not receive an answer within 7 calendar days, "
          "so the claim is no longer valid."),
    ),
    "approve": (
        _("Your claim %(reference)s is approved"),
        _("Good news: your claim is approved. We will transfer the money to your bank account "
          "within 30 days."),
    ),
    "reject": (
        _("Your claim %(reference)s was not approved"),
        _("We are sorry: your claim does not meet the terms of the campaign."),
    ),
    "withdraw": (
        _("Your claim %(reference)s is withdrawn"),
        _("You have withdrawn your claim. Nothing more will happen with it."),
    ),
    "void": (
        _("Your claim %(reference)s is cancelled"),
        _("The product was returned, so the cashback no longer applies."),
    ),
    "reopen": (
        _("We are looking at your claim %(reference)s again"),
        _("Your claim is being checked again."),
    ),
    "mark_paid": (
        _("We have paid your claim %(reference)s"),
        _("The money is on its way to your bank account."),
    ),
    "mark_payment_failed": (
        _("We could not pay your claim %(reference)s"),
        _("The bank could not complete the transfer. Please check your bank details."),
    ),
    "bank_details_changed": (
        _("The bank details of your claim %(reference)s were changed"),
        _("The bank details of your claim were changed. If you did not do this, contact us at "
          "once."),
    ),
    "retry_payment": (
        _("We will pay your claim %(reference)s again"),
        _("Your claim is back in the payment queue."),
    ),
}
