"""Data map of the codes app: codes, shop redemptions and distribution lists."""

from rabatt.privacy.classification import Category as C
from rabatt.privacy.classification import Erasure as E
from rabatt.privacy.classification import ModelMap, not_personal, personal

_N = not_personal()

DATAMAP = [
    ModelMap("codes.CodeBatch", fields={
        "id": _N, "campaign": _N, "channel": _N, "count": _N,
        "note": not_personal(why="staff's note about a batch of codes"), "created_at": _N}),
    ModelMap("codes.Code", fields={
        "id": _N, "campaign": _N, "batch": _N, "channel": _N,
        "code": not_personal(why="a random code; whoever holds it is recorded elsewhere"),
        "status": _N, "used_at": _N, "created_at": _N}),
    ModelMap("codes.ApiKey", fields={
        "id": _N, "name": not_personal(why="name of a shop integration, not a person"),
        "prefix": _N, "key_hash": not_personal(why="hash of an integration's secret key"),
        "created_at": _N, "revoked_at": _N, "campaigns": _N}),
    ModelMap("codes.Redemption", description="web-shop orders that used a discount code: we "
             "hold the shop's order id, the shop holds the customer", fields={
        "id": _N, "campaign": _N, "code": _N, "api_key": not_personal(why="the shop's key"),
        "order_id": personal(C.PURCHASE, ("bookkeeping",), "transaction", erasure=E.KEEP,
                             note="identifies the customer only together with the shop"),
        "status": _N, "country": _N, "currency": _N, "discount": _N,
        "lines": not_personal(why="products and prices of the order"),
        "created_at": _N, "updated_at": _N}),
    ModelMap("codes.CodeEvent", email="recipient__email_normalised", fields={
        "id": _N, "at": _N, "kind": _N, "code": _N, "redemption": _N,
        "recipient": not_personal(why="a link to the recipient row"),
        "api_key": not_personal(why="the shop's key"),
        "data": personal(C.CORRESPONDENCE, ("codes",), "with_parent",
                         note="event details, e.g. a delivery error quoting the address"),
    }),
    ModelMap("codes.Recipient", email="email_normalised", fields={
        "id": _N, "campaign": _N,
        "email": personal(C.CONTACT, ("codes",), "code_recipient",
                          sample="ingrid.b@example.no"),
        "email_normalised": personal(C.CONTACT, ("codes",), "code_recipient",
                                     sample="ingrid.b@example.no"),
        "name": personal(C.IDENTITY, ("codes",), "code_recipient", sample="Ingrid Bergersen"),
        "locale": not_personal(), "code": not_personal(why="the code sent to this person"),
        "status": _N, "attempts": _N,
        "last_error": personal(C.TECHNICAL, ("codes",), "code_recipient",
                               sample="550 mailbox ingrid unavailable"),
        "sent_at": _N, "created_at": _N,
    }),
]
