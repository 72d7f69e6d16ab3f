"""The claim state machine: one table of who may move a claim from where to where."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from rabatt.claims.models import ClaimStatus as S
from rabatt.core.transitions import Transition, TransitionTable, t

TRANSITIONS = TransitionTable("claim", [
    t("start_review", {S.SUBMITTED}, S.IN_REVIEW, {"staff", "system"}),
    t("request_info", {S.SUBMITTED, S.IN_REVIEW}, S.INFO_REQUESTED, {"staff"}),
    t("answer_info", {S.INFO_REQUESTED}, S.IN_REVIEW, {"consumer"}),
    t("lapse", {S.INFO_REQUESTED}, S.LAPSED, {"system"}),
    t("approve", {S.SUBMITTED, S.IN_REVIEW}, S.APPROVED, {"staff", "system"}),
    t("reject", {S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED}, S.REJECTED, {"staff"}),
    t("withdraw", {S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED}, S.WITHDRAWN, {"consumer"}),
    t("void", {S.APPROVED, S.PAYMENT_FAILED, S.PAID}, S.VOIDED, {"staff"}),
    t("reopen", {S.REJECTED, S.LAPSED, S.APPROVED}, S.IN_REVIEW, {"staff"}),
    t("mark_paid", {S.APPROVED}, S.PAID, {"staff", "system"}),
    t("mark_payment_failed", {S.APPROVED, S.PAID}, S.PAYMENT_FAILED, {"staff", "system"}),
    t("retry_payment", {S.PAYMENT_FAILED}, S.APPROVED, {"consumer", "staff", "system"}),
    # New bank details after approval but before payment need a fresh review.
    t("reopen_for_bank_change", {S.APPROVED}, S.IN_REVIEW, {"consumer", "staff"}),
    # Rectification of bank details by the person (GDPR Art. 16) always gets a fresh review.
    t("rectify_bank", {S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED, S.APPROVED,
                       S.PAYMENT_FAILED}, S.IN_REVIEW, {"consumer"}),
], labels=dict(S.choices), refusal=_("This cannot be done while the claim is %(status)s."))

# Bank details may still be corrected (before the money has left).
BANK_EDITABLE = TRANSITIONS.sources("rectify_bank")
# Approved, and the money not yet confirmed paid: a payment may be under way.
PAYMENT_PENDING = TRANSITIONS.sources("mark_paid", "retry_payment")
# States in which the consumer can still withdraw the claim.
WITHDRAWABLE = TRANSITIONS.sources("withdraw")


def allowed_actions(status: str, actor_type: str) -> list[str]:
    """The actions ``actor_type`` may take on a claim in ``status``."""
    return TRANSITIONS.allowed(status, actor_type)


__all__ = ["BANK_EDITABLE", "PAYMENT_PENDING", "TRANSITIONS", "WITHDRAWABLE", "Transition",
           "allowed_actions"]
