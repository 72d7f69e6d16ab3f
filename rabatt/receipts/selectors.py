"""Reads of stored receipts: the duplicate lookup across all claims and campaigns."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Any

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from rabatt.receipts.models import ReceiptFile
from rabatt.receipts.reading.fingerprint import from_signed, hamming, hash_bands

# Searched exactly through the band indexes: two 64-bit hashes within distance 7 have, in one of
# their four 16-bit bands, at most one differing bit (four bands with two or more would make 8),
# so probing each band's value and its 16 one-bit neighbours finds every such pair.
NEAR_DISTANCE = 7
_BAND_BITS = 16
_MAX_ROWS = 50
_RANK = {"exact": 0, "text": 1, "near": 2}


@dataclass(frozen=True, slots=True)
class DuplicateHit:
    """Another claim's file that shows the same receipt or the same purchase."""

    kind: str  # "exact", "near", "text"
    file_id: str
    claim_id: int
    distance: int | None = None


def _neighbours(band: int) -> list[int]:
    return [band, *(band ^ (1 << bit) for bit in range(_BAND_BITS))]


def _near_rows(receipt: ReceiptFile) -> list[tuple[Any, int, str, int]]:
    """Other claims' files whose picture hash is within NEAR_DISTANCE, via the band indexes."""
    if receipt.phash is None:
        return []
    bands = hash_bands(from_signed(receipt.phash))
    probe = (Q(phash_band0__in=_neighbours(bands[0])) | Q(phash_band1__in=_neighbours(bands[1]))
             | Q(phash_band2__in=_neighbours(bands[2])) | Q(phash_band3__in=_neighbours(bands[3])))
    qs = (ReceiptFile.objects.filter(probe, claim__isnull=False)
          .exclude(claim_id=receipt.claim_id or 0))
    if connection.vendor == "postgresql":
        # Receipts from one shop's template crowd the same bands; PostgreSQL counts the
        # differing bits itself, so only the real neighbours leave the database.
        qs = qs.annotate(distance=RawSQL("bit_count((phash # %s)::bit(64))", (receipt.phash,)))
        qs = qs.filter(distance__lte=NEAR_DISTANCE).order_by("distance")
        return list(qs.values_list("id", "claim_id", "text_fingerprint", "distance")[:_MAX_ROWS])
    rows = []
    for file_id, claim_id, text, phash in qs.values_list(
            "id", "claim_id", "text_fingerprint", "phash").iterator():
        if phash is None:
            continue
        distance = hamming(from_signed(phash), from_signed(receipt.phash))
        if distance <= NEAR_DISTANCE:
            rows.append((file_id, claim_id, text, distance))
    rows.sort(key=lambda r: r[3])
    return rows[:_MAX_ROWS]


def receipt_duplicates(*, receipt: ReceiptFile, limit: int = 20) -> list[DuplicateHit]:
    """Return other claims' files that are this file, look like it, or record the same purchase.

    Each kind is one index lookup (content hashes, the text fingerprint, the four hash bands),
    so the cost does not grow with the number of stored receipts. A close picture whose text
    reads differently is a different receipt printed from the same shop's template, not a copy.
    """
    others = (ReceiptFile.objects.filter(claim__isnull=False)
              .exclude(claim_id=receipt.claim_id or 0))
    hashes = {receipt.sha256, receipt.original_sha256}
    hits: dict[int, DuplicateHit] = {}

    def add(hit: DuplicateHit) -> None:
        known = hits.get(hit.claim_id)
        if known is None or _RANK[hit.kind] < _RANK[known.kind]:
            hits[hit.claim_id] = hit

    exact = others.filter(Q(sha256__in=hashes) | Q(original_sha256__in=hashes))
    for file_id, claim_id in exact.values_list("id", "claim_id")[:_MAX_ROWS]:
        add(DuplicateHit("exact", str(file_id), claim_id))
    if receipt.text_fingerprint:
        same = others.filter(text_fingerprint=receipt.text_fingerprint)
        for file_id, claim_id in same.values_list("id", "claim_id")[:_MAX_ROWS]:
            add(DuplicateHit("text", str(file_id), claim_id))
    for file_id, claim_id, text, distance in _near_rows(receipt):
        if not (text and receipt.text_fingerprint and text != receipt.text_fingerprint):
            add(DuplicateHit("near", str(file_id), claim_id, distance))
    ordered = sorted(hits.values(), key=lambda h: (_RANK[h.kind], h.distance or 0, h.claim_id))
    return ordered[:limit]


def claim_duplicates(*, claim_id: int) -> list[DuplicateHit]:
    """Return the duplicates of every read file of a claim, one (the strongest) per other claim."""
    files = ReceiptFile.objects.filter(claim_id=claim_id)
    found: dict[int, DuplicateHit] = {}
    for hit in chain.from_iterable(receipt_duplicates(receipt=f) for f in files):
        known = found.get(hit.claim_id)
        if known is None or _RANK[hit.kind] < _RANK[known.kind]:
            found[hit.claim_id] = hit
    return sorted(found.values(), key=lambda h: (_RANK[h.kind], h.distance or 0, h.claim_id))
