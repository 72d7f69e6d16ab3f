"""Data map of the review desk: staff activity, notes and automatic decisions about claims."""

from rabatt.privacy.classification import Category as C
from rabatt.privacy.classification import Erasure as E
from rabatt.privacy.classification import ModelMap, not_personal, personal, staff

_N = not_personal()
_CLAIM = not_personal(why="a link to the claim")

DATAMAP = [
    ModelMap("review.Assignment", fields={
        "id": _N, "claim": _CLAIM, "agent": staff(), "taken_at": _N, "touched_at": _N}),
    ModelMap("review.Note", subject="claim__subject", fields={
        "id": _N, "claim": _CLAIM, "author": staff(),
        "body": personal(C.CORRESPONDENCE, ("claim", "fraud"), "with_parent",
                         sample="Called Ingrid, receipt is genuine"),
        "created_at": _N}),
    ModelMap("review.ApprovalRequest", subject="claim__subject", fields={
        "id": _N, "claim": _CLAIM, "status": _N, "requested_by": staff(), "requested_at": _N,
        "why": not_personal(why="reason codes (amount, risk)"),
        "message": personal(C.CORRESPONDENCE, ("claim",), "with_parent",
                            sample="Ingrid's amount is high"),
        "decided_by": staff(), "decided_at": _N}),
    ModelMap("review.AccessLog", fields={
        "id": _N, "actor": staff(("security",)), "claim": _CLAIM,
        "what": not_personal(why="what was viewed (a field group name)"),
        "via": _N, "at": _N}),
    ModelMap("review.BulkJob", fields={
        "id": _N, "actor": staff(), "action": _N,
        "params": not_personal(why="the decision and reason codes applied"),
        "claim_ids": not_personal(why="claim ids"), "status": _N, "created_at": _N,
        "finished_at": _N}),
    ModelMap("review.BulkResult", fields={
        "id": _N, "job": _N, "claim_id": _N,
        "reference": not_personal(why="a claim reference (mapped with the claim)"),
        "ok": _N, "outcome": _N,
        "message": not_personal(why="an error code's translated message")}),
    ModelMap("review.AutomaticDecision", subject="claim__subject", fields={
        "id": _N,
        "claim": personal(C.IDENTIFIER, ("claim",), "with_parent", erasure=E.KEEP,
                          note="whose claim was decided automatically: shown in the access "
                               "export (GDPR Art. 15(1)(h)); the decision goes with the claim"),
        "outcome": not_personal(why="approved, sampled, not eligible or off"),
        "reasons": not_personal(why="reason codes (amount, risk, duplicates)"),
        "at": _N}),
]
