"""Data map of the notifications app."""

from rabatt.privacy.classification import Category as C
from rabatt.privacy.classification import Erasure as E
from rabatt.privacy.classification import ModelMap, not_personal, personal

DATAMAP = [
    ModelMap("notifications.OutboundEmail", subject="event__claim__subject", fields={
        "id": not_personal(), "event": not_personal(why="a link to the claim event"),
        "kind": not_personal(),
        "to": personal(C.CONTACT, ("claim",), "email_log", erasure=E.PSEUDONYMISE,
                       pseudonym="erased@erased.invalid", sample="ingrid.b@example.no"),
        "status": not_personal(), "attempts": not_personal(),
        "last_error": personal(C.TECHNICAL, ("claim",), "email_log", erasure=E.PSEUDONYMISE,
                               pseudonym="", sample="550 ingrid.b@example.no unknown",
                               note="an SMTP error may quote the address"),
        "message_id": not_personal(why="random Message-ID header of our own e-mail"),
        "created_at": not_personal(), "sent_at": not_personal(),
    }),
]
