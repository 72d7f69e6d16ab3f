"""The state machines of codes: a shop redemption, and a recipient of the distribution e-mail."""

from __future__ import annotations

from rabatt.codes.models import RecipientStatus as P
from rabatt.codes.models import RedemptionStatus as R
from rabatt.core.transitions import TransitionTable, t

REDEMPTION_TRANSITIONS = TransitionTable("redemption", [
    # The order was not completed: the code is released for another order.
    t("cancel", {R.REDEEMED}, R.CANCELLED, {"shop", "staff"}),
    # The product was returned: the benefit is void and the code stays used.
    t("void", {R.REDEEMED}, R.VOIDED, {"shop", "staff"}),
], labels=dict(R.choices))

RECIPIENT_TRANSITIONS = TransitionTable("recipient", [
    # The code e-mail is queued in the outbox; a failed one is queued again by the next run.
    t("queue", {P.PENDING, P.FAILED}, P.SENDING, {"system"}),
    # The address bounced or unsubscribed (an e-mail still queued to it is not sent).
    t("suppress", {P.PENDING, P.FAILED, P.SENDING}, P.SUPPRESSED, {"system"}),
    # The outbox sent it; it may have been on its way already when the address was suppressed.
    t("mark_sent", {P.SENDING, P.SUPPRESSED}, P.SENT, {"system"}),
    t("mark_failed", {P.SENDING}, P.FAILED, {"system"}),
], labels=dict(P.choices))

# Recipients the next distribution run e-mails.
RECIPIENTS_TO_SEND = RECIPIENT_TRANSITIONS.sources("queue")

__all__ = ["RECIPIENTS_TO_SEND", "RECIPIENT_TRANSITIONS", "REDEMPTION_TRANSITIONS"]
