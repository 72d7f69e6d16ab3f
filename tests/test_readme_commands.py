"""Every command, subcommand and option the README's command table names exists in the CLI."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

README = Path(__file__).resolve().parents[1] / "README.md"
ROW = re.compile(r"^\| (`rabatt .*?) \| ")
TICKED = re.compile(r"`([^`]+)`")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for action in parser._actions for o in action.option_strings}


def named_in_readme() -> list[tuple[str, list[str], list[str]]]:
    """(command, subcommand words, options) for every usage the table shows."""
    commands = get_commands()
    found = []
    for line in README.read_text().splitlines():
        match = ROW.match(line)
        if not match:
            continue
        command = ""
        for usage in TICKED.findall(match.group(1).replace("\\|", "|")):
            words = usage.split()
            if words[0] == "rabatt":
                words = words[1:]
            if words and words[0] in commands:
                command, words = words[0], words[1:]
            subcommand = [w for w in words if re.fullmatch(r"[a-z][a-z0-9_|-]*", w)]
            options = [w.strip("[]") for w in words if w.strip("[]").startswith("--")]
            if subcommand and "|" in subcommand[0]:
                for alternative in " ".join(subcommand).split("|"):
                    found.append((command, alternative.split(), []))
            else:
                found.append((command, subcommand, options))
    return found


USAGES = named_in_readme()


def test_the_table_was_read():
    assert len(USAGES) > 30
    assert ("payouts", ["list"], []) in USAGES
    assert ("brand", ["create"], []) in USAGES


@pytest.mark.parametrize(("command", "words", "options"), USAGES,
                         ids=[" ".join([c, *w]) for c, w, _ in USAGES])
def test_readme_command_exists(command, words, options):
    commands = get_commands()
    assert command in commands, command
    parser = load_command_class(commands[command], command).create_parser("rabatt", command)
    for word in words:
        choices = _subparsers(parser)
        if not choices:
            break  # a positional argument (e.g. an e-mail address), not a subcommand
        assert word in choices, (command, words, sorted(choices))
        parser = choices[word]
    for option in options:
        assert option.split("=")[0] in _options(parser), (command, words, option)
