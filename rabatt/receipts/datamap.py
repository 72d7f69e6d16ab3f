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
    }),
]
