"""The catalogue tool: every language complete, no fuzzy entry, committed files current."""

from __future__ import annotations

import subprocess
import sys

import polib

from tests.i18n.tools import SCRIPTS, load

build = load("build")


def _po(*entries: polib.POEntry) -> polib.POFile:
    po = polib.POFile()
    for entry in entries:
        po.append(entry)
    return po


def test_committed_catalogues_are_complete_and_current() -> None:
    # The CI gate: regenerate all ten catalogues in a temporary copy and compare.
    result = subprocess.run([sys.executable, str(SCRIPTS / "build.py"), "--check"],
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "nb 0 missing, 0 broken" in result.stderr
    assert "pl 0 missing, 0 broken" in result.stderr


def test_every_catalogue_is_compiled_without_fuzzy_or_empty_entries() -> None:
    for language in build.LANGUAGES:
        po = polib.pofile(str(build.LOCALE / language / "LC_MESSAGES" / "django.po"))
        assert po.percent_translated() == 100, language
        assert po.fuzzy_entries() == [], language
        assert po.metadata["Language"] == language
        mo = build.LOCALE / language / "LC_MESSAGES" / "django.mo"
        assert mo.exists(), language


def test_fill_reports_missing_and_drops_fuzzy_guesses() -> None:
    guessed = polib.POEntry(msgid="Claim sent", msgstr="Krav sendt", flags=["fuzzy"])
    known = polib.POEntry(msgid="Hello %(name)s", msgstr="")
    po = _po(guessed, known)

    report = build.fill(po, "nb", {"Hello %(name)s": "Hei %(name)s"})

    assert report.missing == ["Claim sent"]
    assert report.broken == []
    assert guessed.msgstr == ""
    assert "fuzzy" not in guessed.flags
    assert known.msgstr == "Hei %(name)s"


def test_fill_rejects_wrong_placeholders_and_plural_counts() -> None:
    po = _po(polib.POEntry(msgid="Hello %(name)s", msgstr=""),
             polib.POEntry(msgid="%(n)s file", msgid_plural="%(n)s files", msgstr_plural={}))

    report = build.fill(po, "pl", {"Hello %(name)s": "Cześć %(nazwa)s",
                                   "%(n)s file||%(n)s files": "%(n)s plik||%(n)s pliki"})

    assert report.missing == []
    assert report.broken == [
        "Hello %(name)s: unknown placeholder(s) ['nazwa']",
        "%(n)s file||%(n)s files: 2 plural forms, pl needs 3",
    ]


def test_tsv_escapes_newlines_and_later_lines_win(tmp_path) -> None:
    tsv = tmp_path / "xx.tsv"
    tsv.write_text("Line one\\nLine two\tRad en\\nRad to\nYes\tJa\nYes\tJo\n", encoding="utf-8")

    assert build.read_tsv(tsv) == {"Line one\nLine two": "Rad en\nRad to", "Yes": "Jo"}
