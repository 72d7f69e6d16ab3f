"""Readings kept as JSON give back the same documents and the same extraction."""

from __future__ import annotations

import json

from rabatt.receipts.reading.document import documents_dump, documents_load, read_document
from rabatt.receipts.reading.pipeline import extract_readings, reading_settings
from rabatt.receipts.tests.factories import pdf_bytes, spec


def test_kept_readings_round_trip_through_json():
    doc = read_document(pdf_bytes(spec()), content_type="application/pdf")
    kept = json.loads(json.dumps(documents_dump([doc])))
    (again,) = documents_load(kept)
    assert again.pages == doc.pages
    assert (again.source, again.engine, again.sha256, again.rotation) == (
        doc.source, doc.engine, doc.sha256, doc.rotation)
    first = extract_readings([doc], currency_hint="NOK").as_dict()
    assert extract_readings([again], currency_hint="NOK").as_dict() == first
    assert first["total"]["value"] == "4990.00"


def test_the_settings_name_changes_with_the_languages_and_the_engine():
    names = {reading_settings(languages="nor+eng"), reading_settings(languages="swe+eng"),
             reading_settings(languages="nor+eng", engine="tesseract")}
    assert len(names) == 3
