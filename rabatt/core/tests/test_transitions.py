"""The transition-table helper every state machine uses."""

from __future__ import annotations

import pytest

from rabatt.core.errors import Conflict, DomainError
from rabatt.core.transitions import TransitionTable, t

TABLE = TransitionTable("door", [
    t("open", {"closed"}, "open", {"person"}),
    t("close", {"open"}, "closed", {"person", "wind"}),
    t("lock", {"closed"}, "locked", {"person"}),
], labels={"open": "Open", "closed": "Closed", "locked": "Locked"})


def test_check_returns_the_transition_for_an_allowed_actor_and_state():
    assert TABLE.check("close", status="open", actor_type="wind").target == "closed"


def test_a_wrong_actor_is_refused_with_403():
    with pytest.raises(DomainError) as refused:
        TABLE.check("lock", status="closed", actor_type="wind")
    assert (refused.value.code, refused.value.status) == ("permission_denied", 403)


def test_a_wrong_state_is_refused_with_409_naming_the_state():
    with pytest.raises(Conflict) as refused:
        TABLE.check("open", status="locked", actor_type="person")
    assert refused.value.code == "invalid_transition"
    assert str(refused.value.message) == "This cannot be done while the status is Locked."


def test_derived_lists():
    assert TABLE.states() == {"open", "closed", "locked"}
    assert TABLE.sources("open", "lock") == {"closed"}
    assert TABLE.allowed("closed", "person") == ["open", "lock"]
    assert TABLE.leaving("open", ["wind"]) == ["close"]


def test_an_action_declared_twice_is_an_error():
    with pytest.raises(ValueError, match="declared twice"):
        TransitionTable("x", [t("a", {"s"}, "t", {"p"}), t("a", {"t"}, "s", {"p"})])
