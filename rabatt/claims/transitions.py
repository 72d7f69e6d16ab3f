"""The claim state machine: one table of who may move a claim from where to where."""

from __future__ import annotations

from dataclasses import dataclass

from rabatt.claims.models import ClaimStatus as S


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]  # consumer, staff, system


def _t(action: str, sources: set[str], target: str, actors: set[str]) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(actors))


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("start_review", {S.SUBMITTED}, S.IN_REVIEW, {"staff", "system"}),
        _t("request_info", {S.SUBMITTED, S.IN_REVIEW}, S.INFO_REQUESTED, {"staff"}),
        _t("answer_info", {S.INFO_REQUESTED}, S.IN_REVIEW, {"consumer"}),
        _t("lapse", {S.INFO_REQUESTED}, S.LAPSED, {"system"}),
        _t("approve", {S.SUBMITTED, S.IN_REVIEW}, S.APPROVED, {"staff", "system"}),
        _t("reject", {S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED}, S.REJECTED, {"staff"}),
        _t("withdraw", {S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED}, S.WITHDRAWN, {"consumer"}),
        _t("void", {S.APPROVED, S.PAYMENT_FAILED, S.PAID}, S.VOIDED, {"staff"}),
        _t("reopen", {S.REJECTED, S.LAPSED, S.APPROVED}, S.IN_REVIEW, {"staff"}),
        _t("mark_paid", {S.APPROVED}, S.PAID, {"staff", "system"}),
        _t("mark_payment_failed", {S.APPROVED, S.PAID}, S.PAYMENT_FAILED, {"staff", "system"}),
        _t("retry_payment", {S.PAYMENT_FAILED}, S.APPROVED, {"consumer", "staff", "system"}),
        # New bank details after approval but before payment need a fresh review.
        _t("reopen_for_bank_change", {S.APPROVED}, S.IN_REVIEW, {"consumer", "staff"}),
        # Rectification of bank details by the person (GDPR Art. 16) always gets a fresh review.
        _t("rectify_bank", {S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED, S.APPROVED,
                            S.PAYMENT_FAILED}, S.IN_REVIEW, {"consumer"}),
    )
}

# States in which nothing more happens unless staff reopen the claim.
FINAL_STATES = frozenset({S.REJECTED, S.LAPSED, S.WITHDRAWN, S.VOIDED, S.PAID})


def allowed_actions(status: str, actor_type: str) -> list[str]:
    return [t.action for t in TRANSITIONS.values()
            if status in t.sources and actor_type in t.actors]
