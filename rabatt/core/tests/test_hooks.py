"""The hook registry: every topic declared once, every subscriber importable, every publisher
naming a declared topic (read from the code, so a new hook cannot bypass the table)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from rabatt.core import hooks

PACKAGE = Path(__file__).resolve().parents[2]


def published_topics() -> dict[str, list[str]]:
    """Every topic named by ``hooks.publish("...")`` or ``on_result="..."`` in the code."""
    found: dict[str, list[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            candidates = []
            if name == "publish" and node.args:
                candidates.append(node.args[0])
            candidates += [kw.value for kw in node.keywords if kw.arg == "on_result"]
            for topic in (t for arg in candidates for t in _strings(arg)):
                found.setdefault(topic, []).append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def _strings(node: ast.expr) -> list[str]:
    """The topic strings an argument may take: a constant, or either branch of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if node.value else []
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


@pytest.mark.parametrize("topic", sorted(hooks.SUBSCRIBERS))
def test_every_subscriber_is_a_keyword_only_function(topic):
    for subscriber in hooks.subscribers(topic):
        parameters = inspect.signature(subscriber).parameters.values()
        assert all(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in parameters), subscriber


def test_every_published_topic_is_declared_and_every_declared_one_is_published():
    found = published_topics()
    undeclared = {t: where for t, where in found.items() if t not in hooks.SUBSCRIBERS}
    assert undeclared == {}
    assert sorted(set(hooks.SUBSCRIBERS) - set(found)) == []


def test_publish_calls_the_subscribers_in_order_with_the_payload(monkeypatch):
    calls: list[tuple[str, dict[str, object]]] = []

    def subscriber_at(path: str) -> object:
        def subscriber(**payload: object) -> str:
            calls.append((path, payload))
            return path
        return subscriber

    monkeypatch.setitem(hooks.SUBSCRIBERS, "test.topic", ("a", "b"))
    monkeypatch.setattr(hooks, "import_string", subscriber_at)
    hooks.subscribers.cache_clear()
    try:
        assert hooks.publish("test.topic", claim_id=7) == ["a", "b"]
    finally:
        hooks.subscribers.cache_clear()
    assert calls == [("a", {"claim_id": 7}), ("b", {"claim_id": 7})]


def test_an_undeclared_topic_is_refused():
    with pytest.raises(hooks.UnknownTopic):
        hooks.publish("no.such.topic")
