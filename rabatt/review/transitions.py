"""The approval request state machine: a first approval waiting for a second approver."""

from __future__ import annotations

from rabatt.core.transitions import TransitionTable, t
from rabatt.review.models import ApprovalRequest

S = ApprovalRequest.Status

APPROVAL_TRANSITIONS = TransitionTable("approval request", [
    # A second, different approver approves the claim.
    t("complete", {S.PENDING}, S.COMPLETED, {"staff"}),
    # The claim was rejected, sent back for information or otherwise decided before that.
    t("cancel", {S.PENDING}, S.CANCELLED, {"staff"}),
], labels=dict(S.choices))

__all__ = ["APPROVAL_TRANSITIONS"]
