"""Data map of the privacy app, of core (which sits below privacy) and of django.contrib.auth."""

from rabatt.privacy.classification import Category as C
from rabatt.privacy.classification import Erasure as E
from rabatt.privacy.classification import ModelMap, not_personal, personal, staff

_N = not_personal()

DATAMAP = [
    ModelMap(
        "privacy.Subject",
        subject="",
        fields={
            "id": personal(
                C.IDENTIFIER,
                ("claim", "rights"),
                "transaction",
                erasure=E.KEEP,
                note="random; links the pseudonymised records that must be kept",
            ),
            "email_digest": personal(
                C.IDENTIFIER,
                ("claim", "rights"),
                "transaction",
                erasure=E.PSEUDONYMISE,
                pseudonym="",
                note="keyed hash of the e-mail address",
            ),
            "wrapped_key": personal(
                C.IDENTIFIER,
                ("claim", "payment"),
                "transaction",
                erasure=E.SHRED,
                note="the person's data key, wrapped by a "
                "master key; destroyed on erasure (crypto-shredding)",
            ),
            "restricted_at": personal(C.CONSENT, ("rights",), "transaction", erasure=E.KEEP),
            "erased_at": personal(C.CONSENT, ("rights",), "transaction", erasure=E.KEEP),
            "objected_at": personal(C.CONSENT, ("rights",), "transaction", erasure=E.KEEP),
            "created_at": _N,
        },
    ),
    ModelMap(
        "privacy.PrivacyRequest",
        subject="subject",
        fields={
            "id": _N,
            "subject": personal(C.IDENTIFIER, ("rights",), "privacy_request", erasure=E.KEEP),
            "kind": personal(C.CONSENT, ("rights",), "privacy_request", erasure=E.KEEP),
            "status": _N,
            "token_hash": not_personal(why="hash of the one-time link secret"),
            "locale": _N,
            "created_at": _N,
            "expires_at": _N,
            "confirmed_at": _N,
            "due_at": _N,
            "completed_at": _N,
            "handled_by": staff(("rights",)),
            "outcome": personal(
                C.CONSENT,
                ("rights",),
                "privacy_request",
                erasure=E.KEEP,
                note="what was done: counts and row ids, no contents",
            ),
        },
    ),
    ModelMap(
        "privacy.Consent",
        subject="subject",
        fields={
            "id": _N,
            "subject": personal(C.IDENTIFIER, ("rights",), "consent"),
            "purpose": personal(C.CONSENT, ("rights", "marketing"), "consent"),
            "given": personal(C.CONSENT, ("rights", "marketing"), "consent"),
            "notice_version": personal(C.CONSENT, ("rights",), "consent"),
            "source": personal(C.CONSENT, ("rights",), "consent"),
            "at": personal(C.CONSENT, ("rights",), "consent"),
        },
    ),
    ModelMap(
        "privacy.LegalHold",
        fields={
            "id": _N,
            "claim": not_personal(why="a link to the claim"),
            "reason": not_personal(
                why="the legal ground, e.g. 'dispute 2026-14'; no personal data by policy"
            ),
            "created_by": staff(),
            "created_at": _N,
            "released_at": _N,
        },
    ),
    ModelMap(
        "privacy.RetentionRun",
        fields={
            "id": _N,
            "started_at": _N,
            "finished_at": _N,
            "dry_run": _N,
            "report": not_personal(why="counts per rule"),
        },
    ),
    ModelMap(
        "privacy.AuditEntry",
        subject="subject_id",
        fields={
            "id": _N,
            "at": _N,
            "actor_type": not_personal(why="staff, consumer or system"),
            "actor_id": staff(("security",)),
            "action": _N,
            "subject_id": personal(C.IDENTIFIER, ("security",), "audit", erasure=E.KEEP),
            "claim_id": personal(C.IDENTIFIER, ("security",), "audit", erasure=E.KEEP),
            "what": not_personal(why="a field group name, never a value"),
            "prev_hash": _N,
            "hash": _N,
        },
    ),
    ModelMap(
        "privacy.AuditHead",
        fields={
            "id": _N,
            "last_hash": not_personal(why="a hash of the last audit row"),
            "count": _N,
        },
    ),
    # django.contrib.auth: our staff.
    ModelMap(
        "auth.User",
        fields={
            "id": _N,
            "password": not_personal(why="a one-way hash (Argon2)"),
            "last_login": staff(),
            "is_superuser": _N,
            "username": staff(),
            "first_name": staff(),
            "last_name": staff(),
            "email": staff(("staff", "security"), category=C.CONTACT),
            "is_staff": _N,
            "is_active": _N,
            "date_joined": staff(),
            "groups": _N,
            "user_permissions": not_personal(why="permission links"),
        },
    ),
    ModelMap(
        "auth.Group", fields={"id": _N, "name": not_personal(why="a role name"), "permissions": _N}
    ),
    ModelMap(
        "auth.Permission",
        fields={
            "id": _N,
            "name": not_personal(why="a permission's name"),
            "content_type": _N,
            "codename": not_personal(why="a permission's code"),
        },
    ),
    # core sits below privacy in the layers, so its models are declared here.
    ModelMap("core.IdempotencyRecord", description="API answers kept 2 days so a retried "
             "request gets the same answer; the answer names the claim reference", fields={
        "id": _N, "scope": _N,
        "key": not_personal(why="a random key chosen by the client"),
        "request_hash": not_personal(why="hash of the request body"),
        "status": _N,
        "response": personal(C.IDENTIFIER, ("service",), "idempotency"),
        "created_at": _N,
    }),
    ModelMap("core.WorkerHeartbeat", description="task workers' signs of life (ops)", fields={
        "worker_id": not_personal(why="a random id of a worker process"),
        "host": not_personal(why="the name of a server of ours"),
        "pid": _N, "queues": _N, "started_at": _N, "beat_at": _N,
    }),
    ModelMap("core.ScheduledRun", description="which node ran a scheduled job for which slot",
             fields={
        "id": _N, "job": _N, "slot": _N, "started_at": _N, "finished_at": _N, "outcome": _N,
        "node": not_personal(why="a machine's host name and process id"),
        "detail": not_personal(why="the job's name or its error class, never personal data"),
    }),
]
