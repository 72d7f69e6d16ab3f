"""State machines as data: one table per machine says who may move a row from where to where.

Each app declares its table (``claims/transitions.py``, ``payouts/transitions.py``, ...) and
changes status through one function of its own that locks the row, calls :meth:`check`, saves the
changed fields with :func:`apply` and writes its event row. Lists such as "states in which bank
details may still change" are derived from the table, never written out again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from rabatt.core.errors import Conflict, DomainError


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]  # who may act: e.g. consumer, staff, system


def t(action: str, sources: Iterable[str], target: str, actors: Iterable[str]) -> Transition:
    """Build one row of a transition table."""
    return Transition(action, frozenset(str(s) for s in sources), str(target),
                      frozenset(actors))


class TransitionTable:
    """The transitions of one state machine, keyed by action."""

    def __init__(self, name: str, transitions: Iterable[Transition],
                 labels: Mapping[str, Any] | None = None, refusal: Any = None) -> None:
        self.name = name
        self.transitions: dict[str, Transition] = {}
        for row in transitions:
            if row.action in self.transitions:
                raise ValueError(f"{name}: action {row.action!r} declared twice")
            self.transitions[row.action] = row
        # Human names of the states, for the refusal message (a TextChoices' labels).
        self.labels = dict(labels or {})
        # The message of a refusal in a wrong state, with a ``%(status)s`` placeholder.
        self.refusal = refusal or _("This cannot be done while the status is %(status)s.")

    def __getitem__(self, action: str) -> Transition:
        return self.transitions[action]

    def __contains__(self, action: object) -> bool:
        return action in self.transitions

    def __iter__(self) -> Any:
        return iter(self.transitions.values())

    def values(self) -> list[Transition]:
        """Every transition, in the order declared."""
        return list(self.transitions.values())

    def states(self) -> frozenset[str]:
        """Every state the table names."""
        found: set[str] = set()
        for row in self.transitions.values():
            found |= row.sources | {row.target}
        return frozenset(found)

    def sources(self, *actions: str) -> frozenset[str]:
        """The states from which any of ``actions`` may be taken."""
        found: set[str] = set()
        for action in actions:
            found |= self.transitions[action].sources
        return frozenset(found)

    def allowed(self, status: str, actor_type: str) -> list[str]:
        """The actions ``actor_type`` may take from ``status``."""
        return [row.action for row in self.transitions.values()
                if status in row.sources and actor_type in row.actors]

    def leaving(self, status: str, actor_types: Iterable[str]) -> list[str]:
        """The actions that leave ``status`` for any of ``actor_types``."""
        wanted = set(actor_types)
        return [row.action for row in self.transitions.values()
                if status in row.sources and row.actors & wanted]

    def check(self, action: str, *, status: str, actor_type: str) -> Transition:
        """Return the transition, or refuse: 403 for a wrong actor, 409 for a wrong state."""
        row = self.transitions.get(action)
        if row is None:
            raise DomainError(_("Unknown action."), code="invalid_action")
        if actor_type not in row.actors:
            raise DomainError(_("You may not do this."), code="permission_denied", status=403)
        if status not in row.sources:
            raise Conflict(
                self.refusal % {"status": self.labels.get(status, status)},
                code="invalid_transition",
            )
        return row


def apply(row: models.Model, transition: Transition, *, field: str = "status",
          changes: Mapping[str, Any] | None = None) -> str:
    """Set the target state and ``changes`` on a locked row, save only those; return the old state.

    The caller holds the row's lock (``select_for_update``) and writes the event row.
    """
    previous = str(getattr(row, field))
    setattr(row, field, transition.target)
    fields = [field]
    for name, value in (changes or {}).items():
        setattr(row, name, value)
        fields.append(name)
    if any(f.name == "updated_at" for f in row._meta.concrete_fields):
        fields.append("updated_at")
    row.save(update_fields=fields)
    return previous
