"""The privacy request state machine: one table of who may move a request from where to where.

Following the e-mailed link proves the request (``confirmed_at``); what the person asked for is
then done at once, or, for an erasure while a payment is in flight, waits for the privacy
officer.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from rabatt.core.transitions import TransitionTable, t
from rabatt.privacy.models import RequestStatus as S

TRANSITIONS = TransitionTable("privacy_request", [
    # The person followed the link and what they asked for is done.
    t("complete", {S.AWAITING_CONFIRMATION}, S.DONE, {"consumer"}),
    # An erasure while a payment is in flight: the privacy officer decides before the deadline.
    t("queue", {S.AWAITING_CONFIRMATION}, S.QUEUED, {"consumer"}),
    t("erase", {S.QUEUED}, S.DONE, {"staff"}),
    t("refuse", {S.QUEUED}, S.REFUSED, {"staff"}),
], labels=dict(S.choices), refusal=_("This cannot be done while the request is %(status)s."))

# Requests waiting for the privacy officer's decision.
DECIDABLE = TRANSITIONS.sources("erase", "refuse")
# Statuses nothing leaves: the request is answered (the answer's date is recorded).
ANSWERED = frozenset(s for s in TRANSITIONS.states()
                     if not any(s in row.sources for row in TRANSITIONS.values()))

__all__ = ["ANSWERED", "DECIDABLE", "TRANSITIONS"]
