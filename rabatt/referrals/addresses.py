"""E-mail addresses as providers read them, to find one person behind several spellings.

The rule table (see docs/referrals.md): every address is trimmed and lower-cased; some
providers also ignore dots in the local part, and many deliver ``name+anything`` to ``name``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

# Domains that are another name of the same mailbox provider.
DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}
# Providers that ignore dots in the local part.
IGNORE_DOTS = frozenset({"gmail.com"})
# Providers that deliver ``name+tag`` to ``name`` (sub-addressing).
PLUS_TAGS = frozenset({
    "gmail.com",
    "outlook.com", "hotmail.com", "live.com", "msn.com",
    "icloud.com", "me.com", "mac.com",
    "fastmail.com", "fastmail.fm",
    "proton.me", "protonmail.com", "pm.me",
    "yahoo.com",  # Yahoo uses "-" for its own aliases, but also accepts "+"
    "zoho.com",
    "online.no",
})

DISPOSABLE_FILE = Path(__file__).resolve().parent / "data" / "disposable_domains.txt"


def email_canonical(email: str) -> str:
    """Return the mailbox an address reaches: ``J.Doe+x@GoogleMail.com`` is ``jdoe@gmail.com``."""
    address = email.strip().lower()
    local, sep, domain = address.rpartition("@")
    if not sep or not local:
        return address
    domain = DOMAIN_ALIASES.get(domain, domain)
    if domain in PLUS_TAGS:
        local = local.split("+", 1)[0]
    if domain in IGNORE_DOTS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


@cache
def disposable_domains() -> frozenset[str]:
    lines = DISPOSABLE_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def email_is_disposable(email: str) -> bool:
    """True if the address is at a throw-away domain (or a subdomain of one)."""
    domain = email.strip().lower().rpartition("@")[2]
    listed = disposable_domains()
    parts = domain.split(".")
    return any(".".join(parts[i:]) in listed for i in range(len(parts) - 1))
