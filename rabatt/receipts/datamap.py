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
    }),
]
