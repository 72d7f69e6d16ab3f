"""Exports: streamed CSV and XLSX of the claims and of every dashboard table, brand-scoped."""

from __future__ import annotations

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from openpyxl import load_workbook

from rabatt.accounts.models import StaffTotpDevice
from rabatt.accounts.services import staff_create
from rabatt.campaigns.services import brand_create
from rabatt.campaigns.tests.factories import campaign_factory
from rabatt.claims.tests.factories import claim_factory
from rabatt.reports.exports import csv_lines, xlsx_file
from rabatt.review.tests.factories import staff_user, verified_client

pytestmark = pytest.mark.django_db
BASE = "/staff/reports/export"


def _csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[arg-type]
    return list(csv.reader(io.StringIO(text)))


def _xlsx(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(book.active.iter_rows(values_only=True))


def test_claims_csv_and_xlsx(campaign):
    paid = claim_factory(campaign, status="paid")
    rejected = claim_factory(campaign, status="rejected", email="b@example.no")
    client = verified_client(staff_user("campaign_manager", "manager@rabatt.test"))
    rows = _csv(client.get(f"{BASE}/claims.csv"))
    assert rows[0][:6] == ["reference", "campaign", "status", "purchase_country", "currency",
                           "amount"]
    assert [r[:6] for r in rows[1:]] == [
        [paid.reference, campaign.slug, "paid", "NO", "NOK", "748.50"],
        [rejected.reference, campaign.slug, "rejected", "NO", "NOK", "748.50"]]
    assert rows[1][6] == "2019-08-01T10:00:00+00:00"
    only = _xlsx(client.get(f"{BASE}/claims.xlsx", {"status": "rejected"}))
    assert [r[:3] for r in only] == [("reference", "campaign", "status"),
                                     (rejected.reference, campaign.slug, "rejected")]
    assert _csv(client.get(f"{BASE}/claims.csv", {"country": "SE"}))[1:] == []


def test_every_dashboard_table_exports(campaign):
    claim_factory(campaign, status="paid")
    client = verified_client(staff_user("campaign_manager", "manager@rabatt.test"))
    assert _csv(client.get(f"{BASE}/liability.csv")) == [
        ["currency", "quoted", "approved_unpaid", "paid"], ["NOK", "0.00", "0.00", "748.50"]]
    assert _xlsx(client.get(f"{BASE}/per_day.xlsx"))[1][1:] == ("paid", 1)
    for what in ("reasons", "signals", "funnel"):
        assert client.get(f"{BASE}/{what}.csv").status_code == 200
    assert client.get(f"{BASE}/nothing.csv").status_code == 404
    assert client.get(f"{BASE}/claims.pdf").status_code == 404
    agent = verified_client(staff_user("agent", "agent@rabatt.test"))
    assert agent.get(f"{BASE}/claims.csv").status_code == 403


def test_exports_are_brand_scoped(campaign):
    brand_create(slug="alpha", name="Alpha")
    brand_create(slug="beta", name="Beta")
    mine = claim_factory(campaign_factory(slug="alpha-summer", brand="alpha"), status="paid")
    claim_factory(campaign_factory(slug="beta-summer", brand="beta"), status="paid",
                  email="b@example.no")
    manager = staff_create(email="a@rabatt.test", role="campaign_manager", password="x" * 20,
                           brands=["alpha"])
    StaffTotpDevice.objects.create(user=manager, name="app", confirmed=True)
    client = verified_client(manager)
    assert [r[0] for r in _csv(client.get(f"{BASE}/claims.csv"))[1:]] == [mine.reference]
    assert [r[0] for r in _xlsx(client.get(f"{BASE}/claims.xlsx"))[1:]] == [mine.reference]
    assert _csv(client.get(f"{BASE}/per_day.csv"))[1:] == [["2019-08-01", "paid", "1"]]


def test_csv_cells_never_run_as_formulas():
    lines = list(csv_lines(["a", "b"], [["=HYPERLINK(1)", "-2"], [None, "ok"]]))
    assert lines[1:] == ["'=HYPERLINK(1),'-2\r\n", ",ok\r\n"]


def test_xlsx_goes_on_to_a_further_sheet_at_the_row_limit():
    rows = [(f"R{i}", i) for i in range(5)]
    book = load_workbook(xlsx_file("claims", ("reference", "n"), rows, rows_per_sheet=2))
    assert book.sheetnames == ["claims", "claims 2", "claims 3"]
    assert [list(s.iter_rows(values_only=True)) for s in book.worksheets] == [
        [("reference", "n"), ("R0", 0), ("R1", 1)],
        [("reference", "n"), ("R2", 2), ("R3", 3)],
        [("reference", "n"), ("R4", 4)]]
    empty = load_workbook(xlsx_file("claims", ("reference", "n"), []))
    assert [list(s.iter_rows(values_only=True)) for s in empty.worksheets] == [
        [("reference", "n")]]
