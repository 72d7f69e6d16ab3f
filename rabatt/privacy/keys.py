"""Master key rotation: every data key (people, drafts, payout batches) re-wrapped in batches."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models, transaction

from rabatt.core import crypto
from rabatt.privacy.audit import audit_record


def wrapped_key_models() -> list[type[models.Model]]:
    """Return every model that stores a data key wrapped by a master key (``wrapped_key``)."""
    # Found by field, so that a model added later is rotated too.
    return [m for m in apps.get_models()
            if m.__module__.startswith("rabatt.")
            and any(f.name == "wrapped_key" and isinstance(f, models.BinaryField)
                    for f in m._meta.concrete_fields)]


def keys_rotate(*, batch: int = 500) -> dict[str, Any]:
    """Add a master key and re-wrap every data key with it; return the counts per model."""
    # Old master keys keep unwrapping, so this needs no downtime; once it has run, an old key
    # can be moved out of the key directory (kept with the backups it protects).
    path = crypto.master_key_create()
    counts: dict[str, Any] = {"master_key": path.name, "rewrapped": {}}
    for model in wrapped_key_models():
        label = f"{model._meta.app_label}.{model.__name__}"
        done = 0
        last: Any = None
        while True:
            qs = model._default_manager.exclude(wrapped_key=None).order_by("pk")
            if last is not None:
                qs = qs.filter(pk__gt=last)
            ids: list[Any] = list(qs.values_list("pk", flat=True)[:batch])
            if not ids:
                break
            with transaction.atomic():
                for row in model._default_manager.select_for_update().filter(pk__in=ids):
                    wrapped = row.wrapped_key  # type: ignore[attr-defined]
                    if wrapped:
                        row.wrapped_key = crypto.data_key_rewrap(  # type: ignore[attr-defined]
                            bytes(wrapped))
                        row.save(update_fields=["wrapped_key"])
                        done += 1
            last = ids[-1]
        counts["rewrapped"][label] = done
    audit_record(actor="system", action="keys_rotated", what=path.name)
    return counts
