"""The vocabulary of the data map, and the checks that keep it exhaustive.

Every app declares its models' fields in its own ``datamap.py`` as a list ``DATAMAP`` of
:class:`ModelMap`. A field is either :func:`personal` (category, purposes, retention, what
erasure does to it) or :func:`not_personal`. :func:`datamap_problems` lists every model field
that is not declared, every declaration that names no field, and every "not personal" field
whose name looks personal but carries no justification.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Basis(models.TextChoices):
    CONTRACT = "contract", _("Contract (GDPR Art. 6(1)(b))")
    CONSENT = "consent", _("Consent (GDPR Art. 6(1)(a))")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (GDPR Art. 6(1)(c))")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest (GDPR Art. 6(1)(f))")


class Category(models.TextChoices):
    IDENTITY = "identity", _("Name")
    CONTACT = "contact", _("Contact details (e-mail, phone, address)")
    FINANCIAL = "financial", _("Bank details")
    PURCHASE = "purchase", _("Purchase and proof of purchase")
    CORRESPONDENCE = "correspondence", _("Messages and case history")
    IDENTIFIER = "identifier", _("Pseudonymous identifiers (keyed hashes, tokens)")
    CONSENT = "consent", _("Consents and privacy choices")
    ACCOUNT = "account", _("Staff account and login")
    TECHNICAL = "technical", _("Technical data (IP address, device)")


class Erasure(models.TextChoices):
    DELETE = "delete", _("deleted")
    # Kept for a legal obligation (paid transactions), but the value is replaced.
    PSEUDONYMISE = "pseudonymise", _("deleted, or pseudonymised where a legal hold applies")
    # Encrypted with the person's data key: destroying the key destroys every copy.
    SHRED = "shred", _("destroyed by destroying the person's key (crypto-shredding)")
    # Kept without direct identifiers where the law requires it (paid claims, proof that a
    # request was answered); otherwise deleted with its row.
    KEEP = "keep", _("kept without identifying data where the law requires, else deleted")


@dataclass(frozen=True)
class Purpose:
    code: str
    label: str | Promise
    basis: str
    description: str | Promise


PURPOSES: dict[str, Purpose] = {p.code: p for p in (
    Purpose("claim", _("Handling cashback claims"), Basis.CONTRACT,
            _("Checking a claim against the campaign terms, asking for missing information and "
              "telling the claimant about its status.")),
    Purpose("payment", _("Paying cashback"), Basis.CONTRACT,
            _("Transferring the cashback to the claimant's bank account.")),
    Purpose("bookkeeping", _("Bookkeeping"), Basis.LEGAL_OBLIGATION,
            _("Keeping the records of paid cashback for the period accounting law requires.")),
    Purpose("fraud", _("Preventing fraud and duplicate claims"), Basis.LEGITIMATE_INTEREST,
            _("Finding claims paid to the same account or with the same receipt.")),
    Purpose("marketing", _("Marketing e-mails"), Basis.CONSENT,
            _("News and offers by e-mail, only with consent; withdraw at any time.")),
    Purpose("partner_advertising", _("Advertising with partners"), Basis.CONSENT,
            _("Sharing a keyed hash of the e-mail address (never the address) with an "
              "advertising partner, only with consent.")),
    Purpose("rights", _("Answering privacy requests and proving consent"),
            Basis.LEGAL_OBLIGATION,
            _("Recording privacy requests, their answers and consents given or withdrawn.")),
    Purpose("security", _("Security and access audit"), Basis.LEGITIMATE_INTEREST,
            _("Recording who looked at or changed personal data, and keeping the service "
              "secure.")),
    Purpose("codes", _("Sending discount and cashback codes"), Basis.LEGITIMATE_INTEREST,
            _("E-mailing a campaign's codes to the people on its distribution list.")),
    Purpose("staff", _("Staff accounts"), Basis.CONTRACT,
            _("Letting staff sign in to review claims and pay them.")),
    Purpose("service", _("Running the website"), Basis.LEGITIMATE_INTEREST,
            _("Keeping a claim form's progress and answering repeated requests once.")),
)}


@dataclass(frozen=True)
class Retention:
    code: str
    label: str | Promise
    days: int | None
    # "task": rabatt.privacy.retention applies it; "parent": goes with the row it belongs
    # to; "never": no automatic deletion (staff accounts, suppression list).
    applied_by: str = "task"


DAY = 1
RETENTION: dict[str, Retention] = {r.code: r for r in (
    Retention("draft", _("Claim drafts: 7 days after the last change"), 7),
    Retention("claim_closed", _("Rejected, lapsed, withdrawn or voided claims: 12 months after "
                                "the decision (the dispute period)"), 365),
    Retention("receipt_paid", _("Proofs of purchase and bank details of paid claims: 6 months "
                                "after payment"), 183),
    Retention("transaction", _("Paid claims (transaction records): 10 years after the end of "
                               "the accounting year"), 3653),
    Retention("email_log", _("Log of sent e-mails: 12 months"), 365),
    Retention("idempotency", _("Stored API answers: 2 days"), 2),
    Retention("privacy_request", _("Privacy requests: 3 years after the answer"), 1096),
    Retention("consent", _("Consent records: 3 years after withdrawal or erasure"), 1096),
    Retention("audit", _("Access audit: 10 years (holds identifiers only)"), 3653),
    Retention("code_recipient", _("Code recipients: 12 months after the code was sent"), 365),
    Retention("suppression", _("Unsubscribed or bounced addresses: kept so that we never "
                               "e-mail them again"), None, "never"),
    Retention("staff", _("Staff accounts: until the account is closed"), None, "never"),
    Retention("with_parent", _("Together with the record it belongs to"), None, "parent"),
)}


@dataclass(frozen=True)
class Personal:
    category: str
    purposes: tuple[str, ...]
    retention: str
    erasure: str = Erasure.DELETE
    # What a pseudonymised value becomes (Erasure.PSEUDONYMISE).
    pseudonym: Any = None
    # A value that generated tests store in the field (and then look for in the export).
    sample: Any = None
    note: str = ""
    # Whose data: "subject" (a consumer, reached through ModelMap.subject or .email) or
    # "staff" (our own staff; their rights are handled by the accounts administrator).
    of: str = "subject"

    @property
    def personal(self) -> bool:
        return True


@dataclass(frozen=True)
class NotPersonal:
    why: str = ""

    @property
    def personal(self) -> bool:
        return False


def personal(category: str, purposes: tuple[str, ...] | list[str], retention: str, *,
             erasure: str = Erasure.DELETE, pseudonym: Any = None, sample: Any = None,
             note: str = "", of: str = "subject") -> Personal:
    return Personal(category=category, purposes=tuple(purposes), retention=retention,
                    erasure=erasure, pseudonym=pseudonym, sample=sample, note=note, of=of)


def staff(purposes: tuple[str, ...] = ("staff", "security"), *, category: str = "account",
          note: str = "") -> Personal:
    """A field about a staff member (not a consumer)."""
    return personal(category, purposes, "staff", erasure=Erasure.KEEP, note=note, of="staff")


def not_personal(why: str = "") -> NotPersonal:
    return NotPersonal(why=why)


@dataclass(frozen=True)
class ModelMap:
    model: str  # "app_label.ModelName"
    fields: dict[str, Personal | NotPersonal]
    # ORM path from this model to privacy.Subject ("" = the Subject itself); None = the rows
    # are not about consumers (e.g. staff accounts) or hold no personal data.
    subject: str | None = None
    # Or: ORM path to a normalised e-mail address, for rows kept by address (code recipients).
    email: str | None = None
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def personal_fields(self) -> dict[str, Personal]:
        return {n: d for n, d in self.fields.items() if isinstance(d, Personal)}


# Names that usually hold personal data: a "not personal" field named like this needs a reason.
_SUSPECT_PARTS = {
    "email", "mail", "name", "phone", "mobile", "address", "iban", "account", "ip", "token",
    "birth", "birthday", "dob", "age", "postcode", "zip", "city", "street", "holder", "bank",
    "ssn", "passport", "password", "user", "username", "to", "recipient",
    "friend", "referrer", "referee", "message", "note", "sealed", "masked", "fingerprint",
    "digest", "key", "line1", "line2", "person", "customer", "data", "signals", "actor",
}
_SUSPECT_SUBSTRINGS = ("email", "phone", "address", "iban", "birth", "password", "token",
                       "holder", "account", "name", "postcode")


def name_looks_personal(name: str) -> bool:
    lowered = name.lower()
    return bool(set(re.split(r"[_\d]+", lowered)) & _SUSPECT_PARTS) or any(
        s in lowered for s in _SUSPECT_SUBSTRINGS)


def covered_models() -> list[type[models.Model]]:
    """Every concrete model of the rabatt.* apps and of django.contrib.auth."""
    out = []
    for config in apps.get_app_configs():
        if not (config.name.startswith("rabatt.") or config.name == "django.contrib.auth"):
            continue
        for model in config.get_models(include_auto_created=False):
            if not model._meta.abstract and not model._meta.proxy:
                out.append(model)
    return out


def model_fields(model: type[models.Model]) -> list[str]:
    names = [f.name for f in model._meta.concrete_fields]
    names += [f.name for f in model._meta.local_many_to_many]
    return names


def _datamap_modules() -> list[str]:
    names = []
    for config in apps.get_app_configs():
        if config.name.startswith("rabatt."):
            names.append(f"{config.name}.datamap")
    return names


@cache
def datamap() -> dict[str, ModelMap]:
    """Every model declaration, keyed by "app_label.ModelName"."""
    found: dict[str, ModelMap] = {}
    for module_name in _datamap_modules():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        for entry in getattr(module, "DATAMAP", []):
            if entry.model in found:
                raise ValueError(f"{entry.model} is declared twice ({module_name})")
            found[entry.model] = entry
    return found


def model_label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def datamap_problems() -> list[str]:
    """Everything that keeps the data map from being complete and consistent."""
    problems: list[str] = []
    declared = datamap()
    seen: set[str] = set()
    for model in covered_models():
        label = model_label(model)
        seen.add(label)
        entry = declared.get(label)
        config = model._meta.app_config
        module = config.name.replace(".", "/") if config else "?"
        if entry is None:
            problems.append(f"{label}: not in the data map; declare it in {module}/datamap.py "
                            "(DATAMAP)")
            continue
        actual = model_fields(model)
        for name in actual:
            if name not in entry.fields:
                problems.append(f"{label}.{name}: undeclared field; classify it as personal(...) "
                                f"or not_personal(...) in "
                                f"{module}/datamap.py")
        for name, decl in entry.fields.items():
            where = f"{label}.{name}"
            if name not in actual:
                problems.append(f"{where}: declared but the model has no such field")
                continue
            if isinstance(decl, NotPersonal):
                if name_looks_personal(name) and not decl.why.strip():
                    problems.append(f"{where}: named like personal data but declared not "
                                    "personal without a justification (not_personal(why=...))")
                continue
            if not decl.purposes:
                problems.append(f"{where}: a personal field needs at least one purpose")
            for code in decl.purposes:
                if code not in PURPOSES:
                    problems.append(f"{where}: unknown purpose {code!r}")
            if decl.retention not in RETENTION:
                problems.append(f"{where}: unknown retention rule {decl.retention!r}")
            if decl.category not in Category.values:
                problems.append(f"{where}: unknown category {decl.category!r}")
            if decl.erasure not in Erasure.values:
                problems.append(f"{where}: unknown erasure {decl.erasure!r}")
        consumer = [n for n, d in entry.personal_fields().items() if d.of == "subject"]
        if consumer and entry.subject is None and entry.email is None \
                and not entry.description:
            problems.append(f"{label}: holds personal data but names no path to the person "
                            "(subject=...) and no description of whose data it is")
    for label in declared:
        if label not in seen:
            problems.append(f"{label}: declared in the data map but no such model")
    return problems


def personal_field_rows() -> list[tuple[ModelMap, str, Personal]]:
    """Every declared personal field, in a stable order."""
    rows = []
    for label in sorted(datamap()):
        entry = datamap()[label]
        for name, decl in entry.personal_fields().items():
            rows.append((entry, name, decl))
    return rows
