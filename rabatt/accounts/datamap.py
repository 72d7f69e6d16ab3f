"""Data map of staff accounts (django.contrib.auth's User is mapped in privacy/datamap.py)."""

from rabatt.privacy.classification import ModelMap, not_personal, staff

_N = not_personal()
_SECRET = not_personal(why="a secret or its hash; identifies no one by itself")

DATAMAP = [
    ModelMap("accounts.StaffProfile", fields={
        "id": _N, "user": staff(), "role": _N, "brands": _N, "active": _N, "failed_logins": staff(),
        "locked_until": _N, "created_at": _N}),
    ModelMap("accounts.StaffTotpDevice", fields={
        "id": _N, "user": staff(), "name": not_personal(why="the device's label, e.g. 'phone'"),
        "confirmed": _N, "throttling_failure_timestamp": _N, "throttling_failure_count": _N,
        "created_at": _N, "last_used_at": staff(), "key": _SECRET, "step": _N, "t0": _N,
        "digits": _N, "tolerance": _N, "drift": _N,
        "last_t": not_personal(why="the last accepted time step")}),
    ModelMap("accounts.ApiToken", fields={
        "id": _N, "user": staff(), "name": not_personal(why="the token's label"),
        "prefix": _N, "token_hash": _SECRET, "created_at": _N, "last_used_at": staff(),
        "revoked_at": _N}),
]
