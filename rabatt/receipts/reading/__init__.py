"""Receipt reading and verification as a library: no models, no database.

Typical use after an upload::

    doc = read_document(data, content_type="image/jpeg", languages="nor+eng")
    found = extract(doc, retailers=campaign_retailers, products=campaign_products,
                    currency_hint="NOK")
    result = verify(found, retailer=claim_retailer, date=claim_date, total=claim_total)
    result.auto_approvable, result.as_dict()
"""

from .document import (
    DEFAULT_ENGINE,
    DEFAULT_LANGUAGES,
    ENGINES,
    Box,
    Document,
    DocumentError,
    Line,
    Page,
    UnsupportedDocument,
    Word,
    read_document,
)
from .extract import Extraction, Field, ProductMatch, ProductRef, RetailerRef, extract
from .fingerprint import (
    Fingerprint,
    content_hash,
    fingerprint,
    hamming,
    hash_bands,
    is_duplicate,
    perceptual_hash,
    text_fingerprint,
)
from .quality import Readability, readability
from .verify import FieldCheck, Thresholds, Verification, verify

__all__ = [
    "DEFAULT_ENGINE",
    "DEFAULT_LANGUAGES",
    "ENGINES",
    "Box",
    "Document",
    "DocumentError",
    "Extraction",
    "Field",
    "FieldCheck",
    "Fingerprint",
    "Line",
    "Page",
    "ProductMatch",
    "ProductRef",
    "Readability",
    "RetailerRef",
    "Thresholds",
    "UnsupportedDocument",
    "Verification",
    "Word",
    "content_hash",
    "extract",
    "fingerprint",
    "hamming",
    "hash_bands",
    "is_duplicate",
    "perceptual_hash",
    "read_document",
    "readability",
    "text_fingerprint",
    "verify",
]
