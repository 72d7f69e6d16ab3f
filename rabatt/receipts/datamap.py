"""Data map of the receipts app (the files themselves are sealed with the person's key)."""

from rabatt.privacy.classification import Category as C
from rabatt.privacy.classification import Erasure as E
from rabatt.privacy.classification import ModelMap, not_personal, personal

DATAMAP = [
    ModelMap("receipts.ReceiptFile", subject="claim__subject",
             extra={"files": "the uploaded file, sealed on disk with the person's data key"},
             fields={
        "id": not_personal(why="random file id"),
        "claim": not_personal(why="a link to the claim"),
        "draft": not_personal(why="a link to the draft"),
        "subject": personal(C.IDENTIFIER, ("claim",), "receipt_paid", erasure=E.SHRED,
                            note="whose key seals the file; the key is destroyed on erasure"),
        "content_type": not_personal(), "page_count": not_personal(), "width": not_personal(),
        "height": not_personal(), "size": not_personal(),
        "sha256": personal(C.IDENTIFIER, ("fraud",), "receipt_paid", sample="a" * 64,
                           note="finds the same receipt in another claim"),
        "original_sha256": personal(C.IDENTIFIER, ("fraud",), "receipt_paid", sample="b" * 64),
        "display_name": personal(C.PURCHASE, ("claim",), "receipt_paid",
                                 sample="kvittering-ingrid.jpg"),
        "added_during": not_personal(), "created_at": not_personal(),
        "readability": not_personal(why="sharpness and contrast numbers of the picture"),
        "reading_status": not_personal(), "read_at": not_personal(),
        "reading_seconds": not_personal(), "reading_error": not_personal(why="an error code"),
        "extraction": personal(C.PURCHASE, ("claim", "fraud"), "receipt_paid",
                               sample={"receipt_number": {"value": "KV-4471-IN"}},
                               note="what was read from the receipt: shop, date, total, lines "
                                    "and where on the page, which can include a card holder's "
                                    "name"),
        "verification": personal(C.PURCHASE, ("claim", "fraud"), "receipt_paid",
                                 sample={"total": {"read": "4990.00", "text": "TOTALT 4990,00"}},
                                 note="the file checked against the claim, with the lines read"),
        "phash": personal(C.IDENTIFIER, ("fraud",), "receipt_paid", sample=1234567,
                          note="picture fingerprint: finds the same receipt in another claim"),
        "phash_band0": personal(C.IDENTIFIER, ("fraud",), "receipt_paid", sample=101),
        "phash_band1": personal(C.IDENTIFIER, ("fraud",), "receipt_paid", sample=102),
        "phash_band2": personal(C.IDENTIFIER, ("fraud",), "receipt_paid", sample=103),
        "phash_band3": personal(C.IDENTIFIER, ("fraud",), "receipt_paid", sample=104),
        "text_fingerprint": personal(C.IDENTIFIER, ("fraud",), "receipt_paid", sample="c" * 64,
                                     note="hash of shop, date, total and receipt number read"),
        "draft_reading": personal(C.PURCHASE, ("claim", "fraud"), "receipt_paid",
                                  sample={"found": {"total": "4990.00"}},
                                  note="the text read from a receipt while the claim was "
                                       "being filled in (every line, which can include a card "
                                       "holder's name) and what was found in it, shown to "
                                       "the consumer and reused when the claim is checked"),
    }),
    ModelMap("receipts.ReceiptCheck", subject="claim__subject", fields={
        "id": not_personal(), "claim": not_personal(why="a link to the claim"),
        "status": not_personal(), "files": not_personal(), "read": not_personal(),
        "checked_at": not_personal(),
        "fields": personal(C.PURCHASE, ("claim", "fraud"), "with_parent",
                           sample={"total": {"entered": "4990.00", "read": "4990.00",
                                             "status": "verified", "confidence": 0.97,
                                             "file": None, "evidence": {
                                                 "page": 0, "box": [0, 0.1, 0.8, 0.6, 0.84],
                                                 "text": "TOTALT 4990,00 Ingrid B",
                                                 "page_width": 1000, "page_height": 1400}}},
                           note="what was read from the receipts per field (retailer, date, "
                                "total), with the text where it was read"),
        "duplicates": personal(C.PURCHASE, ("claim", "fraud"), "with_parent",
                               sample=[{"kind": "exact", "claim": "RB-ABCD-EFGH",
                                        "file": "0b0c5e1e-6f5d-4d4e-9a51-5d5c3f0a1b2c",
                                        "distance": 0, "status": "paid"}],
                               note="other claims holding the same receipt, picture or "
                                    "purchase"),
        "duplicate_count": not_personal(why="how many duplicates were found"),
        "updated_at": not_personal(),
    }),
]
