"""Data map of the referral programme (rows are found by the canonical e-mail address)."""

from rabatt.privacy.classification import Category as C
from rabatt.privacy.classification import ModelMap, not_personal, personal

_N = not_personal()
_REF = ("codes", "fraud")

DATAMAP = [
    ModelMap("referrals.ReferralOptions", fields={
        "id": _N, "campaign": _N, "enabled": _N,
        "friend_channel": not_personal(why="a channel name"),
        "notice_version": _N, "burst_limit": _N}),
    ModelMap("referrals.Referral", email="email_canonical", fields={
        "id": _N, "campaign": _N, "code": not_personal(why="the referrer's code"),
        "token": not_personal(why="public by design: it is the shared link"),
        "email": personal(C.CONTACT, ("codes",), "code_recipient",
                          sample="ingrid.b@example.no"),
        "email_canonical": personal(C.CONTACT, _REF, "code_recipient",
                                    sample="ingrid.b@example.no"),
        "device_id": personal(C.TECHNICAL, ("fraud",), "code_recipient", sample="dev-42"),
        "ip_prefix": personal(C.TECHNICAL, ("fraud",), "code_recipient", sample="192.0.2.0/24"),
        "created_at": _N}),
    ModelMap("referrals.Friend", email="email_canonical", fields={
        "id": _N, "referral": not_personal(why="a link to the referral"), "campaign": _N,
        "slot": _N, "name": personal(C.IDENTITY, ("codes",), "code_recipient",
                                     sample="Ingrid Bergersen"),
        "email": personal(C.CONTACT, ("codes",), "code_recipient",
                          sample="ingrid.b@example.no"),
        "email_canonical": personal(C.CONTACT, _REF, "code_recipient",
                                    sample="ingrid.b@example.no"),
        "locale": _N, "code": not_personal(why="the friend's code"),
        "consent_version": personal(C.CONSENT, ("rights",), "code_recipient"),
        "consented_at": personal(C.CONSENT, ("rights",), "code_recipient"),
        "device_id": personal(C.TECHNICAL, ("fraud",), "code_recipient", sample="dev-43"),
        "ip_prefix": personal(C.TECHNICAL, ("fraud",), "code_recipient", sample="192.0.2.0/24"),
        "signals": personal(C.IDENTIFIER, ("fraud",), "code_recipient"),
        "code_emailed_at": not_personal(why="a time"),
        "email_attempts": not_personal(why="a count"),
        "email_error": personal(C.TECHNICAL, ("codes",), "code_recipient"),
        "created_at": _N}),
    ModelMap("referrals.ReferralEvent", email="referral__email_canonical", fields={
        "id": _N, "at": _N, "kind": _N, "referral": not_personal(why="a link"),
        "friend": not_personal(why="a link"),
        "data": personal(C.CORRESPONDENCE, ("codes", "fraud"), "with_parent")}),
]
