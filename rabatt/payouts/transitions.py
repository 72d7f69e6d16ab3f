"""The payout state machines: a batch (built, approved, exported) and each payment in it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from rabatt.core.transitions import TransitionTable, t
from rabatt.payouts.models import BatchStatus as B
from rabatt.payouts.models import PaymentStatus as P

BATCH_TRANSITIONS = TransitionTable("payout batch", [
    # A second finance user approves (four eyes: the service refuses the builder).
    t("approve", {B.BUILT}, B.APPROVED, {"staff"}),
    t("export", {B.APPROVED}, B.EXPORTED, {"staff", "system"}),
    # By finance before the bank file exists, or by the export when no payment is left.
    t("cancel", {B.BUILT, B.APPROVED}, B.CANCELLED, {"staff", "system"}),
], labels=dict(B.choices), refusal=_("This cannot be done while the batch is %(status)s."))

PAYMENT_TRANSITIONS = TransitionTable("payment", [
    # Written into the bank file.
    t("send", {P.PENDING}, P.SENT, {"staff", "system"}),
    # Its batch was cancelled, or its claim changed before the bank file was written.
    t("cancel", {P.PENDING}, P.CANCELLED, {"staff", "system"}),
    # The bank's answers (status reports and statements); money can come back after "paid".
    t("pay", {P.SENT}, P.PAID, {"staff", "system"}),
    t("fail", {P.SENT, P.PAID}, P.FAILED, {"staff", "system"}),
])

# A payment that may still be cancelled or fail holds its claim: at most one such payment per
# claim. ``models.LIVE_STATES`` spells the same set out for the database constraint, which is
# built with the model class (a test keeps the two equal).
LIVE_STATES = PAYMENT_TRANSITIONS.sources("cancel", "fail")
# The money is on its way to the bank: the bank's answer settles it.
IN_FLIGHT = PAYMENT_TRANSITIONS.sources("pay")

__all__ = ["BATCH_TRANSITIONS", "IN_FLIGHT", "LIVE_STATES", "PAYMENT_TRANSITIONS"]
