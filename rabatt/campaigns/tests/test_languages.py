"""A live campaign speaks every language of its countries; the loader names any gap."""

from __future__ import annotations

import pytest

from rabatt.campaigns.campaign_file import (
    CampaignFileError,
    campaign_languages,
    dump_yaml,
    language_gaps,
    load_text,
)
from rabatt.campaigns.tests.factories import EXAMPLE, example_data
from rabatt.core.timeutil import utcnow


def _live_shift(data) -> int:
    """Days to move the example so that today falls inside its purchase window."""
    starts = load_text(dump_yaml(data)).purchase_starts_at
    return (utcnow() - starts).days - 1


def test_the_example_speaks_all_eleven_languages_when_live() -> None:
    data = example_data()
    assert campaign_languages(data) == ["da", "de", "en", "es", "fi", "fr", "it", "nb", "nl",
                                        "pl", "sv"]
    assert language_gaps(data) == []
    live = load_text(EXAMPLE.read_text(), shift_days=_live_shift(data))
    assert live.claims_end_before > utcnow()


def test_a_live_campaign_lacking_a_language_is_refused_naming_it() -> None:
    data = example_data()
    del data["content"]["intro"]["de"]
    del data["content"]["faq"][0]["answer"]["pl"]
    data["content"]["faq"][0]["answer"]["fr"] = "  "

    with pytest.raises(CampaignFileError) as info:
        load_text(dump_yaml(data), shift_days=_live_shift(data))

    assert info.value.problems == [
        "a live campaign needs every text in da, de, en, es, fi, fr, it, nb, nl, pl, sv "
        "(the default language and those of its countries)",
        "content/intro: no text in de",
        "content/faq/who/answer: no text in fr, pl",
    ]


def test_the_languages_needed_follow_the_countries() -> None:
    data = example_data()
    data["countries"] = {"NO": {"currency": "NOK"}, "CH": {"currency": "CHF"}}
    assert campaign_languages(data) == ["de", "en", "fr", "it", "nb"]


def test_a_finished_campaign_may_lack_languages() -> None:
    data = example_data()
    del data["content"]["intro"]["de"]
    assert load_text(dump_yaml(data)).claims_end_before < utcnow()  # 2019: over
