"""`rabatt privacy register`: the Art. 30 register from the data map, as CSV and HTML."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command

from rabatt.privacy.classification import PURPOSES, personal_field_rows
from rabatt.privacy.register import COLUMNS


def test_csv_has_one_row_per_personal_field(capsys):
    call_command("privacy", "register", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == COLUMNS
    assert len(rows) == len(personal_field_rows())
    email = next(r for r in rows if (r["model"], r["field"]) == ("claims.Claim", "email"))
    assert email["data_subjects"] == "claimants and code recipients"
    assert email["legal_bases"] == "Contract (GDPR Art. 6(1)(b))"
    assert email["retention"].startswith("Paid claims (transaction records): 10 years")
    staff = next(r for r in rows if (r["model"], r["field"]) == ("auth.User", "email"))
    assert staff["data_subjects"] == "staff"
    assert all(r["purposes"] and r["legal_bases"] and r["retention"] for r in rows)


def test_html_lists_every_activity(tmp_path):
    out = tmp_path / "register.html"
    call_command("privacy", "register", "--format", "html", "--out", str(out))
    html = out.read_text()
    assert html.startswith("<!doctype html>")
    assert "Register of processing activities (GDPR Art. 30)" in html
    for purpose in PURPOSES.values():
        assert f"<h3>{purpose.label}</h3>" in html
    assert "<td>claims.BankDetails</td><td>sealed</td>" in html


@pytest.mark.django_db
def test_check_passes(capsys):
    call_command("privacy", "check")
    assert "covers every field" in capsys.readouterr().out
