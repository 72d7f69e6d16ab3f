"""The template linter: every word a person reads is marked for translation."""

from __future__ import annotations

from pathlib import Path

from tests.i18n.tools import load

lint_templates = load("lint_templates")


def _texts(source: str, name: str = "page.html") -> list[str]:
    return [f.text for f in lint_templates.lint_source(source, Path(name))]


def test_every_project_template_is_marked() -> None:
    findings = lint_templates.lint()
    assert [str(f) for f in findings] == []
    assert len(lint_templates.templates()) > 50


def test_finds_text_between_tags_and_in_read_attributes() -> None:
    source = ('{% load i18n %}<h1>{% translate "Your claim" %}</h1>\n'
              '<p>Thank you</p>\n<img src="/x.png" alt="Receipt">\n'
              '<input type="submit" value="Send">\n<input name="q" value="abc">')
    assert _texts(source) == ["Thank you", "Receipt", "Send"]


def test_translated_blocks_scripts_names_and_links_pass() -> None:
    source = ('{% load i18n %}<title>{% block title %}Rabatt{% endblock %}</title>'
              '<p>{% blocktranslate with n=count %}{{ n }} claims{% endblocktranslate %}</p>'
              '<script>const label = "not prose";</script>{# a comment #}'
              '<a href="/c/{{ slug }}/?step=2">IBAN</a> &middot; {{ value }}')
    assert _texts(source) == []


def test_plain_text_email_templates_are_all_prose() -> None:
    source = "{% load i18n %}{% translate 'Hello' %} {{ name }},\nYour code is {{ code }}.\n"
    assert _texts(source, "email/code.txt") == [", Your code is"]


def test_english_only_templates_need_a_reason() -> None:
    assert _texts("{# i18n: english-only: read by administrators #}Locked") == []
    assert _texts("{# i18n: english-only: #}Locked", "mail.txt") == ["Locked"]


def test_reports_the_line_of_the_text() -> None:
    source = "{% load i18n %}\n{% blocktranslate %}a\nb\nc{% endblocktranslate %}\n<p>Oops</p>"
    assert [f.line for f in lint_templates.lint_source(source, Path("p.html"))] == [5]
