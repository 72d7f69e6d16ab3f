"""Build campaigns for tests from the example file, with overrides."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

from rabatt.campaigns.campaign_file import dump_yaml, load_text, parse_yaml
from rabatt.campaigns.models import Campaign
from rabatt.campaigns.services import campaign_load

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "campaigns" / "sonos-summer-2019.yaml"


@cache
def _example_text() -> str:
    return EXAMPLE.read_text()


def example_data() -> dict[str, Any]:
    """Return the example campaign file as a fresh dict to modify."""
    return copy.deepcopy(parse_yaml(_example_text()))


def campaign_factory(
    data: dict[str, Any] | None = None, *, shift_days: int = 0, **overrides: Any
) -> Campaign:
    """Load a campaign (the example by default) into the database and return it."""
    raw = data if data is not None else example_data()
    raw.update(overrides)
    campaign, _ = campaign_load(data=load_text(dump_yaml(raw), shift_days=shift_days))
    return campaign
