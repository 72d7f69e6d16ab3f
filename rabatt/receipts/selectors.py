"""Reads of stored receipts: the duplicate lookup across all claims and campaigns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
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


def _near_rows(receipt: ReceiptFile,
               others: QuerySet[ReceiptFile]) -> list[tuple[Any, int, str, int]]:
    """Other claims' files whose picture hash is within NEAR_DISTANCE, via the band indexes."""
    if receipt.phash is None:
        return []
    bands = hash_bands(from_signed(receipt.phash))
    probe = (Q(phash_band0__in=_neighbours(bands[0])) | Q(phash_band1__in=_neighbours(bands[1]))
             | Q(phash_band2__in=_neighbours(bands[2])) | Q(phash_band3__in=_neighbours(bands[3])))
    qs = others.filter(probe)
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


def _strongest_per_claim(hits: Iterable[DuplicateHit]) -> list[DuplicateHit]:
    """Keep one hit per other claim, the strongest kind (then the closest), strongest first."""
    best: dict[int, DuplicateHit] = {}
    for hit in hits:
        known = best.get(hit.claim_id)
        if known is None or _order(hit) < _order(known):
            best[hit.claim_id] = hit
    return sorted(best.values(), key=_order)


def _order(hit: DuplicateHit) -> tuple[int, int, int]:
    return _RANK[hit.kind], hit.distance or 0, hit.claim_id


def receipt_duplicates(*, receipt: ReceiptFile, limit: int = 20) -> list[DuplicateHit]:
    """Return other claims' files that are this file, look like it, or record the same purchase.

    Each kind is one index lookup (content hashes, the text fingerprint, the four hash bands),
    so the cost does not grow with the number of stored receipts. A close picture whose text
    reads differently is a different receipt printed from the same shop's template, not a copy.
    """
    others = (ReceiptFile.objects.filter(claim__isnull=False)
              .exclude(claim_id=receipt.claim_id or 0))
    hashes = {receipt.sha256, receipt.original_sha256}
    hits: list[DuplicateHit] = []
    exact = others.filter(Q(sha256__in=hashes) | Q(original_sha256__in=hashes))
    hits += [DuplicateHit("exact", str(file_id), claim_id)
             for file_id, claim_id in exact.values_list("id", "claim_id")[:_MAX_ROWS]]
    if receipt.text_fingerprint:
        same = others.filter(text_fingerprint=receipt.text_fingerprint)
        hits += [DuplicateHit("text", str(file_id), claim_id)
                 for file_id, claim_id in same.values_list("id", "claim_id")[:_MAX_ROWS]]
    hits += [DuplicateHit("near", str(file_id), claim_id, distance)
             for file_id, claim_id, text, distance in _near_rows(receipt, others)
             if not (text and receipt.text_fingerprint and text != receipt.text_fingerprint)]
    return _strongest_per_claim(hits)[:limit]


def claim_duplicates(*, files: Iterable[ReceiptFile]) -> list[DuplicateHit]:
    """Return the duplicates of a claim's files, one (the strongest) per other claim."""
    return _strongest_per_claim(chain.from_iterable(receipt_duplicates(receipt=f) for f in files))
