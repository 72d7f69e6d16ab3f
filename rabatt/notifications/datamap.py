"""Data map of the notifications app: the outbox and the suppression list (found by address)."""

from rabatt.privacy.classification import Category as C
from rabatt.privacy.classification import Erasure as E
from rabatt.privacy.classification import ModelMap, not_personal, personal

_N = not_personal()

DATAMAP = [
    ModelMap("notifications.OutboundEmail", email="to", fields={
        "id": _N, "kind": _N,
        "dedup_key": not_personal(why="the kind of e-mail and the id of the row it is about"),
        "to": personal(C.CONTACT, ("claim", "codes"), "email_log", erasure=E.PSEUDONYMISE,
                       pseudonym="erased@erased.invalid", sample="ingrid.b@example.no"),
        "template": _N,
        "context": personal(C.CORRESPONDENCE, ("claim", "codes"), "email_log",
                            erasure=E.PSEUDONYMISE, pseudonym={},
                            sample={"first_name": "Ingrid"},
                            note="what the e-mail says: names, references, links"),
        "locale": _N, "marketing": _N,
        "unsubscribe_path": not_personal(why="a signed link naming a row id, not a person"),
        "on_result": _N,
        "hook_args": not_personal(why="ids of the rows the e-mail is about"),
        "status": _N, "attempts": _N,
        "last_error": personal(C.TECHNICAL, ("claim", "codes"), "email_log",
                               erasure=E.PSEUDONYMISE, pseudonym="",
                               sample="550 ingrid.b@example.no unknown",
                               note="an SMTP error may quote the address"),
        "message_id": not_personal(why="random Message-ID header of our own e-mail"),
        "created_at": _N, "next_attempt_at": _N, "lease_until": _N, "sent_at": _N,
    }),
    ModelMap("notifications.Suppression", email="email_normalised", fields={
        "id": _N,
        "email_normalised": personal(C.CONTACT, ("marketing", "rights"), "suppression",
                                     erasure=E.KEEP, sample="ingrid.b@example.no",
                                     note="kept after erasure so that we never e-mail the "
                                          "address again (an objection must stick)"),
        "reason": _N,
        "detail": personal(C.TECHNICAL, ("rights",), "suppression", erasure=E.KEEP),
        "created_at": _N,
    }),
]
