"""The payout tables: the lists derived from them, and the constraint that spells one out."""

from __future__ import annotations

from rabatt.payouts import models
from rabatt.payouts.transitions import BATCH_TRANSITIONS, IN_FLIGHT, LIVE_STATES


def test_the_live_payment_constraint_names_the_states_the_table_derives():
    assert frozenset(models.LIVE_STATES) == LIVE_STATES == {"pending", "sent", "paid"}
    assert {"sent"} == IN_FLIGHT


def test_every_batch_status_is_in_the_table():
    assert BATCH_TRANSITIONS.states() == set(models.BatchStatus.values)
