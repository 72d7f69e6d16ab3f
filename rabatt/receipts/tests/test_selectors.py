"""The duplicate lookup: every kind through an index, the near-copy radius exact."""

from __future__ import annotations

from typing import Any

import pytest

from rabatt.receipts.models import ReceiptFile
from rabatt.receipts.reading.fingerprint import hash_bands, to_signed
from rabatt.receipts.selectors import NEAR_DISTANCE, receipt_duplicates
from rabatt.receipts.tests.factories import claim_read, pdf_bytes, spec

pytestmark = pytest.mark.django_db

__all__ = ["claim_read"]

BASE = 0x0123_4567_89AB_CDEF


def flip(value: int, bits: list[int]) -> int:
    for bit in bits:
        value ^= 1 << bit
    return value


def set_hash(receipt: ReceiptFile, value: int, text: str = "") -> ReceiptFile:
    receipt.phash = to_signed(value)
    (receipt.phash_band0, receipt.phash_band1, receipt.phash_band2,
     receipt.phash_band3) = hash_bands(value)
    receipt.text_fingerprint = text
    receipt.save()
    return receipt


@pytest.fixture
def two(claim_read: Any) -> tuple[ReceiptFile, ReceiptFile]:
    first = claim_read(pdf_bytes(spec(number="1-1"))).files.get()
    second = claim_read(pdf_bytes(spec(number="2-2")), email="ola@example.no").files.get()
    return first, second


@pytest.mark.parametrize(("bits", "found"), [
    ([], True),
    ([0, 1], True),
    # Seven differing bits spread so that every band has two but one: still found.
    ([0, 1, 16, 17, 32, 33, 48], True),
    # Eight, two in every band: beyond the radius.
    ([0, 1, 16, 17, 32, 33, 48, 49], False),
    # Seven bits crowded into one band: the other three bands match exactly.
    ([0, 1, 2, 3, 4, 5, 6], True),
])
def test_the_near_copy_radius_is_exact(two: Any, bits: list[int], found: bool) -> None:
    first, second = two
    set_hash(first, BASE)
    set_hash(second, flip(BASE, bits))
    hits = receipt_duplicates(receipt=second)
    assert len(bits) <= NEAR_DISTANCE or not found
    if found:
        assert [(h.kind, h.claim_id, h.distance) for h in hits] == [
            ("near", first.claim_id, len(bits))]
    else:
        assert hits == []


def test_a_close_picture_that_reads_differently_is_another_receipt(two: Any) -> None:
    first, second = two
    set_hash(first, BASE, text="a" * 64)
    set_hash(second, flip(BASE, [3]), text="b" * 64)
    assert receipt_duplicates(receipt=second) == []
    set_hash(second, flip(BASE, [3]), text="")
    assert [h.kind for h in receipt_duplicates(receipt=second)] == ["near"]


def test_the_strongest_kind_wins_per_claim(two: Any) -> None:
    first, second = two
    set_hash(first, BASE, text="a" * 64)
    set_hash(second, flip(BASE, [3]), text="a" * 64)
    assert [h.kind for h in receipt_duplicates(receipt=second)] == ["text"]
    ReceiptFile.objects.filter(pk=second.pk).update(sha256=first.sha256)
    second.refresh_from_db()
    assert [h.kind for h in receipt_duplicates(receipt=second)] == ["exact"]


def test_a_claim_s_own_files_and_drafts_do_not_count(two: Any) -> None:
    first, second = two
    set_hash(first, BASE)
    set_hash(second, BASE)
    ReceiptFile.objects.filter(pk=first.pk).update(claim=second.claim)
    assert receipt_duplicates(receipt=second) == []
    ReceiptFile.objects.filter(pk=first.pk).update(claim=None)
    assert receipt_duplicates(receipt=second) == []
