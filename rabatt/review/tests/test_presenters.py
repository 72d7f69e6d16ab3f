"""The receipt checks on the desk's claim page: reading progress, the fields and their evidence
on the receipt, duplicates, the automatic outcome, and the polled fragment. The checks are set
directly, as the typed rows the background reading writes (see docs/review-desk.md)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from rabatt.claims.models import Claim, ClaimStatus
from rabatt.claims.services import claim_event_record
from rabatt.claims.tests.factories import claim_factory
from rabatt.review.models import AccessLog, Assignment
from rabatt.review.presenters import claim_history
from rabatt.review.tests.factories import (
    receipt_pdf,
    staff_user,
    verified_client,
    with_checks,
)

pytestmark = pytest.mark.django_db


def with_signals(claim: Claim, signals: Any) -> Claim:
    """Replace the claim's checks wholesale (whatever the submission's own checks wrote)."""
    return with_checks(claim, signals)


def page_of(client: Client, claim: Claim, **headers: str) -> str:
    response = client.get(f"/staff/claims/{claim.reference}/", headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str) -> str:
    """The checks section alone (the rest of the page says other things with the same words)."""
    match = re.search(r'<section aria-labelledby="signals-h".*?</section>', html, re.S)
    assert match is not None
    return match.group(0)


def figure(html: str, file_id: str, page: int) -> str:
    found = re.search(rf'<figure class="page" data-file="{file_id}" data-page="{page}">.*?'
                      r"</figure>", html)
    assert found is not None, (file_id, page)
    return found.group(0)


def squash(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def field(entered: str, read: str | None, status: str, confidence: float = 0.9,
          file: str | None = None, box: list[float] | None = None, page: int = 0,
          text: str = "") -> dict[str, Any]:
    evidence = ({"page": page, "box": box, "text": text, "page_width": 1200.0,
                 "page_height": 3000.0} if box is not None else None)
    return {"entered": entered, "read": read, "status": status, "confidence": confidence,
            "file": file, "evidence": evidence}


# -- reading progress ----------------------------------------------------------------------------


def test_while_reading_the_page_shows_progress_and_polls_the_fragment(campaign, agent):
    claim = with_signals(claim_factory(campaign), {
        "receipts": {"status": "reading", "files": 2, "read": 1, "checked_at": None}})
    html = section(page_of(verified_client(agent), claim))
    assert f'data-poll="/staff/claims/{claim.reference}/signals/"' in html
    assert 'data-state="reading"' in html
    assert '<p id="reading-text" data-announce>Reading receipts… 1 of 2 read</p>' in html
    assert '<progress max="2" value="1" aria-labelledby="reading-text"></progress>' in html


def test_when_done_the_page_says_so_and_stops_polling(campaign, agent):
    claim = with_signals(claim_factory(campaign), {"receipts": {
        "status": "done", "files": 2, "read": 2, "checked_at": "2019-08-01T10:05:00+00:00"}})
    html = squash(section(page_of(verified_client(agent), claim)))
    assert "data-poll" not in html
    assert 'data-state="done"' in html
    assert ('<p data-announce>Receipts read: 2 of 2. <span class="muted">Checked '
            '<time datetime="2019-08-01T10:05:00+00:00">2019-08-01 10:05</time></span></p>'
            in html)


def test_a_failed_reading_asks_for_a_check_by_eye(campaign, agent):
    claim = with_signals(claim_factory(campaign), {
        "receipts": {"status": "failed", "files": 2, "read": 1, "checked_at": None}})
    claim.files.update(reading_status="failed")
    page = page_of(verified_client(agent), claim)
    assert ('<span class="tag warn" data-reading-status="failed">Could not be read</span></h3>'
            in page)
    html = section(page)
    assert "data-poll" not in html
    assert ('<p class="notice" data-announce>The receipts could not be read automatically '
            '(1 of 2 read); check them by eye.</p>') in html


def test_an_old_claim_without_reading_shows_no_progress(campaign, agent):
    claim = with_signals(claim_factory(campaign), {"bank_holder_match": 1.0})
    html = section(page_of(verified_client(agent), claim))
    assert 'data-state="none"' in html
    assert "data-poll" not in html
    assert "data-reading" not in html
    assert "Account holder matches the applicant: 100 %" in html
    assert "<p class=\"muted\">No risk flags.</p>" in html


# -- fields and evidence -------------------------------------------------------------------------


def test_the_field_table_shows_each_status_in_words_and_signs(campaign, agent):
    claim = claim_factory(campaign)
    receipt = str(claim.files.get().pk)
    with_signals(claim, {"fields": {
        "total": field("4990.00", "4990.00", "verified", 0.934, receipt,
                       [0, 120, 300, 480, 360], text="TOTALT 4990,00"),
        "retailer": field("Elkjøp", "Power", "mismatch", 0.71),
        "date": field("2019-07-25", None, "unreadable", 0.0),
        "currency": field("NOK", "NOK", "verified", 1),
    }})
    html = squash(section(page_of(verified_client(agent), claim)))
    rows = re.findall(r'<tr data-field-row="(\w+)"', html)
    assert rows == ["retailer", "date", "total", "currency"]  # always in this order
    assert ('<tr data-field-row="retailer" class="field-row check-row-mismatch"> '
            '<th scope="row" id="field-h-1">Retailer</th> <td>Elkjøp</td> <td>Power</td> '
            '<td class="check check-mismatch"><span aria-hidden="true" class="mark">✗</span> '
            'Differs</td> <td>71 %</td> </tr>') in html
    assert ('<th scope="row" id="field-h-2">Purchase date</th> <td>2019-07-25</td> '
            '<td><span class="muted">—</span></td> <td class="check check-unreadable">'
            '<span aria-hidden="true" class="mark">?</span> Not readable</td> <td>0 %</td>'
            ) in html
    assert ('<th scope="row" id="field-h-3">Total</th> <td>4990.00</td> <td>4990.00<br>'
            '<q class="evidence-text">TOTALT 4990,00</q><br><button type="button" '
            'class="button link show-evidence" data-show-field="total" '
            'aria-describedby="field-h-3">Show on the receipt</button></td> '
            '<td class="check check-verified"><span aria-hidden="true" class="mark">✓</span> '
            'Matches</td> <td>93 %</td> </tr>') in html
    # "Verified" with nothing on the receipt to show for it is no match.
    assert ('<th scope="row" id="field-h-4">Currency</th> <td>NOK</td> <td>NOK</td> '
            '<td class="check check-not_found"><span aria-hidden="true" class="mark">–</span> '
            'Not found</td> <td>0 %</td>') in html


def test_evidence_boxes_are_drawn_on_the_right_page_in_percent(campaign, agent):
    claim = claim_factory(campaign, files=[receipt_pdf(pages=2)])
    receipt = str(claim.files.get().pk)
    with_signals(claim, {"fields": {
        # 1200 × 3000 page: x 120-480 and y 300-360 are 10 %, 10 %, 30 % wide, 2 % high.
        "total": field("4990.00", "4990.00", "verified", 0.9, receipt, [0, 120, 300, 480, 360]),
        "date": field("2019-07-25", "2019-07-24", "mismatch", 0.8, receipt,
                      [1, 600, 1500, 900, 1530], page=1),
        # Another claim's file, a zero-size box and a box past the edge: nothing, or clipped.
        "retailer": field("Elkjøp", "Elkjøp", "verified", 0.9,
                          "00000000-0000-0000-0000-000000000000", [0, 1, 1, 10, 10]),
        "currency": field("NOK", "NOK", "verified", 0.9, receipt, [0, 50, 50, 50, 90]),
        "receipt_number": field("EK-1", "EK-1", "verified", 0.9, receipt,
                                [1, 1100, 2900, 1500, 3300], page=1),
    }})
    html = squash(page_of(verified_client(agent), claim))
    first, second = (figure(html, receipt, n) for n in (1, 2))
    assert re.findall(r'data-field="(\w+)"', first) == ["total"]
    assert ('<g class="evidence-box box-verified" data-field="total"> <rect x="10.00%" '
            'y="10.00%" width="30.00%" height="2.00%"></rect> <text x="10.00%" y="10.00%" '
            'dy="-0.35em">Total ✓</text> </g>') in first
    assert ('<figcaption class="evidence-caption" data-swap="caption-' + receipt + '-1">'
            'Marked on this page: Total (Matches)</figcaption>') in first
    assert re.findall(r'data-field="(\w+)"', second) == ["date", "receipt_number"]
    assert ('<g class="evidence-box box-mismatch" data-field="date"> <rect x="50.00%" '
            'y="50.00%" width="25.00%" height="1.00%"></rect>') in second
    assert ('<rect x="91.67%" y="96.67%" width="33.33%" height="13.33%"></rect>') in second
    assert ("Marked on this page: Purchase date (Differs), receipt_number (Matches)"
            in second)
    # Only fields with a drawn box get the button that points to it.
    assert re.findall(r'data-show-field="(\w+)"', html) == [
        "date", "total", "receipt_number"]


def test_a_page_without_evidence_has_an_empty_overlay_and_a_hidden_caption(campaign, agent):
    claim = claim_factory(campaign)
    receipt = str(claim.files.get().pk)
    html = squash(page_of(verified_client(agent), claim))
    assert (f'<svg class="evidence" data-swap="boxes-{receipt}-1" aria-hidden="true" '
            'focusable="false"> </svg>') in html
    assert (f'<figcaption class="evidence-caption" data-swap="caption-{receipt}-1" hidden>'
            '</figcaption>') in html


# -- duplicates and risk flags -------------------------------------------------------------------


def test_duplicates_link_to_the_other_claims_with_kind_and_distance(campaign, agent):
    other = claim_factory(campaign, email="ola@example.no")
    Claim.objects.filter(pk=other.pk).update(status=ClaimStatus.APPROVED)
    claim = with_signals(claim_factory(campaign), {
        "risk_flags": ["duplicate_receipt", "near_duplicate_receipt", "same_purchase_elsewhere"],
        "duplicates": [
            {"kind": "exact", "claim": other.reference, "file": "x", "distance": None,
             "status": "approved"},
            {"kind": "near", "claim": "RB-AAAA-BBBB", "file": "y", "distance": 3,
             "status": "submitted"},
            {"kind": "text", "claim": "RB-CCCC-DDDD", "file": "z", "distance": None,
             "status": "paid"},
            {"kind": "near", "claim": "../../admin", "file": "w", "distance": 5,
             "status": "what"},
        ]})
    html = squash(section(page_of(verified_client(agent), claim)))
    # Each flag with its evidence and links to the other claims (never to a made-up one).
    assert ('<li data-flag="duplicate_receipt"><span class="tag warn"><span aria-hidden="true">'
            '⚠</span> The same receipt is on another claim</span> <span class="evidence">Found '
            'on 1 other claims.</span><br><span class="muted">Other claims:</span> '
            f'<a href="/staff/claims/{other.reference}/">{other.reference}</a></li>') in html
    assert ('<li data-flag="near_duplicate_receipt"><span class="tag warn"><span '
            'aria-hidden="true">⚠</span> A nearly identical receipt picture is on another '
            'claim</span> <span class="evidence">Found on 1 other claims.</span><br><span '
            'class="muted">Other claims:</span> <a href="/staff/claims/RB-AAAA-BBBB/">'
            'RB-AAAA-BBBB</a></li>') in html
    assert 'data-flag="same_purchase_elsewhere"' in html
    items = re.findall(r"<li data-duplicate=.*?</li>", html)
    assert items == [
        f'<li data-duplicate="exact"><a href="/staff/claims/{other.reference}/">'
        f'{other.reference}</a> (Approved): the same receipt file</li>',
        '<li data-duplicate="near"><a href="/staff/claims/RB-AAAA-BBBB/">RB-AAAA-BBBB</a> '
        '(Submitted): a nearly identical picture · picture distance 3 (0 = identical)</li>',
        '<li data-duplicate="text"><a href="/staff/claims/RB-CCCC-DDDD/">RB-CCCC-DDDD</a> '
        '(Paid): the same purchase read from the receipt</li>',
        # Not a reference a claim can have: shown, never turned into a link.
        '<li data-duplicate="near">../../admin (what): a nearly identical picture · '
        'picture distance 5 (0 = identical)</li>',
    ]
    # The link leads to the other claim's desk page.
    assert verified_client(agent).get(f"/staff/claims/{other.reference}/").status_code == 200


# -- automatic outcome ---------------------------------------------------------------------------


@pytest.mark.parametrize(("automatic", "expected"), [
    ({"outcome": "approved", "reasons": []},
     "<p><strong>Approved automatically.</strong> Every check passed, so the claim was approved "
     "without an agent.</p>"),
    ({"outcome": "sampled", "reasons": []},
     "<p><strong>Picked for a supervisor&#x27;s check.</strong> Every check passed, but the "
     "claim was picked at random for a person to look at before it is approved.</p>"),
    ({"outcome": "not_eligible", "reasons": ["field_not_verified", "risk_flags", "over_limit",
                                             "four_eyes", "reading_failed", "not_enabled",
                                             "new_reason"]},
     "<p><strong>Not eligible for automatic approval.</strong> An agent decides, because:</p> "
     "<ul><li>a field on the receipt could not be confirmed</li><li>the claim has risk flags</li>"
     "<li>the amount is above the limit for automatic approval</li><li>the approval needs a "
     "second approver</li><li>the receipts could not be read</li><li>automatic approval is not "
     "switched on for this campaign</li><li>new_reason</li></ul>"),
    ({"outcome": "off", "reasons": ["not_enabled"]},
     "<p><strong>Automatic approval is off.</strong> Automatic approval is not switched on for "
     "this campaign; an agent decides.</p>"),
])
def test_the_automatic_outcome_in_plain_words(campaign, agent, automatic, expected):
    claim = with_signals(claim_factory(campaign), {"automatic": automatic})
    html = squash(section(page_of(verified_client(agent), claim)))
    block = re.search(r'<div class="automatic automatic-(\w+)" data-automatic="\w+">(.*?)</div>',
                      html)
    assert block is not None
    assert block.group(1) == automatic["outcome"]
    assert block.group(2).strip() == expected


# -- Bokmål --------------------------------------------------------------------------------------


def test_the_checks_in_bokmal(campaign, agent):
    claim = claim_factory(campaign)
    receipt = str(claim.files.get().pk)
    with_signals(claim, {
        "receipts": {"status": "reading", "files": 2, "read": 1, "checked_at": None},
        "fields": {"total": field("4990.00", "4990.00", "mismatch", 0.5, receipt,
                                  [0, 120, 300, 480, 360])},
        "duplicates": [{"kind": "text", "claim": "RB-AAAA-BBBB", "file": receipt,
                        "distance": None, "status": "submitted"}],
        "automatic": {"outcome": "not_eligible", "reasons": ["risk_flags"]}})
    html = squash(page_of(verified_client(agent), claim, **{"Accept-Language": "nb"}))
    assert "Leser kvitteringer … 1 av 2 lest" in html
    assert "Det samme kjøpet er krevd i en annen søknad" in html
    assert "<strong>Ikke aktuell for automatisk godkjenning.</strong>" in html
    assert "<li>søknaden har risikoflagg</li>" in html
    assert '<span aria-hidden="true" class="mark">✗</span> Avviker</td>' in html
    assert ">Vis på kvitteringen</button>" in html
    assert "Markert på denne siden: Sum (Avviker)" in html


# -- malformed signals ---------------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "duplicates", "reasons"), [
    ("x", {"a": 1}, "all"),
    ({"total": "4990", "date": None, "retailer": {"status": 3, "evidence": "here"}},
     [None, "RB-X", {"kind": "exact"}, {"claim": {"ref": 1}, "distance": "3"}], ["x"]),
    ({"total": {"entered": {"a": 1}, "read": ["x"], "status": "verified",
                "confidence": "high", "file": 12, "evidence": {
                    "page": "0", "box": [0, "a", 1, 2, 3], "page_width": 0}},
      "date": {"status": "verified", "confidence": -5, "evidence": {
          "page": True, "box": [0, 1, 2, 3], "page_width": 10, "page_height": 10}}},
     [{"kind": "other", "claim": "RB-AAAA-BBBB", "file": "f"}], None),
])
def test_checks_outside_the_schema_render_without_error(campaign, agent, fields, duplicates,
                                                        reasons):
    """A hand-edited row (the check itself writes only what its schema allows)."""
    claim = claim_factory(campaign)
    for f in fields.values() if isinstance(fields, dict) else []:
        if isinstance(f, dict) and "evidence" in f and f.get("file") is None:
            f["file"] = str(claim.files.get().pk)  # point the evidence at the claim's real file
    with_signals(claim, {"receipts": {"status": "done", "files": 1, "read": 1,
                                      "checked_at": "2019-08-01T10:05:00+00:00"},
                         "fields": fields, "duplicates": duplicates,
                         "automatic": {"outcome": "not_eligible", "reasons": reasons}})
    client = verified_client(agent)
    html = page_of(client, claim)
    assert "<svg class=\"evidence\"" in html
    assert "<rect" not in html  # no box could be drawn from any of these
    assert client.get(f"/staff/claims/{claim.reference}/signals/").status_code == 200
    assert client.get("/staff/").status_code == 200
    assert client.get("/staff/?risk=on").status_code == 200


# -- the polled fragment -------------------------------------------------------------------------


def test_the_fragment_answers_the_section_and_the_boxes_without_holding_the_claim(campaign,
                                                                                   agent):
    claim = claim_factory(campaign)
    receipt = str(claim.files.get().pk)
    with_signals(claim, {
        "receipts": {"status": "done", "files": 1, "read": 1, "checked_at": None},
        "fields": {"total": field("4990.00", "4990.00", "verified", 0.9, receipt,
                                  [0, 120, 300, 480, 360])}})
    response = verified_client(agent).get(f"/staff/claims/{claim.reference}/signals/")
    assert response.status_code == 200
    html = squash(response.content.decode()).strip()
    assert html.startswith('<section aria-labelledby="signals-h" class="signals" id="signals" '
                           'data-state="done">')
    assert "<html" not in html  # a fragment, not a page
    assert '<template id="evidence-update">' in html
    assert (f'<svg class="evidence" data-swap="boxes-{receipt}-1" aria-hidden="true" '
            'focusable="false"> <g class="evidence-box box-verified" data-field="total"> '
            '<rect x="10.00%" y="10.00%" width="30.00%" height="2.00%"></rect>') in html
    assert response["Cache-Control"] == "private, no-store"
    # Looking at the progress neither holds nor moves the claim; it is audited like a view.
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert not Assignment.objects.filter(claim=claim).exists()
    assert list(AccessLog.objects.filter(claim=claim).values_list("actor", "what")) == [
        (agent.pk, "signals")]


def test_the_fragment_is_for_staff_who_may_see_claims(campaign, agent):
    claim = claim_factory(campaign)
    url = f"/staff/claims/{claim.reference}/signals/"
    half = Client()
    half.force_login(agent)  # password only, no second factor
    for client in (Client(), half):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    manager = verified_client(staff_user("campaign_manager"))
    refused = manager.get(url)
    assert refused.status_code == 403
    assert "Your role does not allow this." in refused.content.decode()
    assert verified_client(agent).get("/staff/claims/RB-NONE-XXXX/signals/").status_code == 404
    assert verified_client(agent).post(url).status_code == 405
    assert not AccessLog.objects.filter(what="signals").exists()


def test_the_history_names_only_real_status_changes(campaign, agent):
    claim = claim_factory(campaign, status="approved")
    # An entry that records something without moving the claim (as receipt checking does).
    claim_event_record(claim=claim, kind="receipts_checked", actor_type="system",
                       from_status="approved", to_status="approved", notify=False)
    entries = claim_history(events=list(claim.events.select_related("actor")))
    changes = {e.label: e.change for e in entries}
    assert changes == {"Submitted": "", "Approved": "Submitted → Approved",
                       "Receipts checked": ""}
    html = verified_client(agent).get(f"/staff/claims/{claim.reference}/").content.decode()
    assert "Submitted → Approved" in html
    assert "Approved → Approved" not in html
