"""Data map of payouts: which fields hold personal data, why, and for how long."""

from rabatt.privacy.classification import Category as C
from rabatt.privacy.classification import Erasure as E
from rabatt.privacy.classification import ModelMap, not_personal, personal, staff

_N = not_personal()
_LINK = "a link to another mapped row"
_PAY = ("payment", "bookkeeping")

DATAMAP = [
    ModelMap("payouts.PayerAccount", description="our own paying accounts (a company's)",
             fields={
        "id": _N, "name": not_personal(why="the paying company's account name"),
        "iban": not_personal(why="the paying company's own account"),
        "bic": _N, "country": _N, "currencies": _N,
        "initiating_party_id": not_personal(why="the company's agreement id with its bank"),
        "file_version": _N, "active": _N, "created_at": _N}),
    ModelMap("payouts.PaymentBatch", fields={
        "id": _N, "message_id": not_personal(why="the bank file's message id"),
        "currency": _N, "payer": _N, "campaign": _N, "status": _N,
        "count": _N, "total": _N,
        "built_by": staff(("payment", "security"), note="who built the batch"),
        "built_at": _N,
        "approved_by": staff(("payment", "security"), note="who approved it (four eyes)"),
        "approved_at": _N, "exported_at": _N, "cancelled_at": _N,
        "wrapped_key": not_personal(why="the batch's data key, wrapped by a master key"),
        "sealed_file_key": not_personal(why="the batch file key, sealed with the data key; "
                                            "the bank file itself is on disk, see docs/payouts.md"),
        "file_version": _N, "file_sha256": _N, "file_size": _N, "execution_date": _N}),
    ModelMap("payouts.Payment", subject="claim__subject", fields={
        "id": _N, "batch": _N, "claim": not_personal(why=_LINK),
        "amount": personal(C.PURCHASE, _PAY, "transaction", erasure=E.KEEP),
        "currency": _N,
        "end_to_end_id": personal(C.IDENTIFIER, _PAY, "transaction", erasure=E.KEEP,
                                  note="claim reference and batch id; matches bank statements"),
        "status": _N,
        "creditor_sealed": personal(C.FINANCIAL, ("payment",), "with_parent",
                                    erasure=E.PSEUDONYMISE, pseudonym=b"",
                                    note="account holder and account as approved, sealed; "
                                         "emptied once the bank file is written"),
        "masked": personal(C.FINANCIAL, ("payment",), "receipt_paid", erasure=E.PSEUDONYMISE,
                           pseudonym="", sample="NO93 **** ***7947"),
        "fingerprint": personal(C.IDENTIFIER, ("payment", "fraud"), "receipt_paid",
                                erasure=E.PSEUDONYMISE, pseudonym=""),
        "payment_due_at": _N, "bank_status": not_personal(why="a status code"), "reason_code": _N,
        "reason_text": not_personal(why="the bank's reason, e.g. 'Closed account number'"),
        "settled_at": _N, "updated_at": _N}),
    ModelMap("payouts.PayoutEvent", fields={
        "id": _N, "batch": _N, "at": _N,
        "actor": staff(("payment", "security"), note="the finance user who acted"),
        "kind": _N,
        "data": not_personal(why="counts, totals, claim references and end-to-end ids only")}),
    ModelMap("payouts.ImportLog", description="bank files imported by finance; unmatched entries "
             "are the bank's references and amounts", fields={
        "id": _N, "sha256": _N, "kind": _N, "version": _N,
        "message_id": not_personal(why="the bank file's message id (GrpHdr/MsgId), not a person's"),
        "filename": not_personal(why="the uploaded file's name, chosen by finance"),
        "size": _N, "status": _N,
        "imported_by": staff(("payment", "security"), note="who imported the file"),
        "imported_at": _N, "finished_at": _N, "paid": _N, "failed": _N, "pending": _N,
        "unchanged": _N, "unmatched_count": _N, "problem_count": _N,
        "unmatched": personal(C.FINANCIAL, ("bookkeeping",), "transaction", erasure=E.KEEP,
                              note="bank references, amounts, end-to-end ids of entries that "
                                   "name none of our payments"),
        "problems": not_personal(why="end-to-end ids and what could not be applied")}),
    ModelMap("payouts.DueAlert", subject="claim__subject", fields={
        "id": _N, "claim": not_personal(why=_LINK), "due_at": _N, "created_at": _N,
        "notified_at": _N}),
]
