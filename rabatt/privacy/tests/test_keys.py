"""`rabatt keys rotate`: a new master key re-wraps every data key (people, drafts, payout
batches); old data stays readable, and then without the old master key too."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command

from rabatt.claims.models import ClaimDraft
from rabatt.claims.tests.factories import claim_factory
from rabatt.core import crypto
from rabatt.privacy.export import subject_export
from rabatt.privacy.keys import wrapped_key_models
from rabatt.privacy.models import AuditEntry
from rabatt.privacy.subjects import subject_for_email
from rabatt.privacy.tests.factories import EMAIL, FACTORIES, IBAN


def _forget() -> None:
    """Drop what the crypto module remembers about the key directory."""
    crypto._cache.clear()
    getattr(crypto, "_listing", {}).clear()


@pytest.fixture
def keys(tmp_path, monkeypatch):
    directory = tmp_path / "keys"
    monkeypatch.setenv("RABATT_KEYS_DIR", str(directory))
    _forget()
    yield directory
    _forget()


def _readable(subject) -> None:
    subject.refresh_from_db()
    document, files = subject_export(subject=subject)
    assert document["bank_details"][0]["iban"] == IBAN
    assert document["payments"][0]["creditor"]["account"]["iban"] == IBAN
    assert files
    assert files[0][1][:2] == b"\xff\xd8"


def _wrapped(model) -> list[bytes]:
    return [bytes(k) for k in model._default_manager.exclude(wrapped_key=None)
            .values_list("wrapped_key", flat=True)]


def test_rotate_rewraps_everything(keys, campaign, capsys):
    subject = subject_for_email(email=EMAIL)
    claim = claim_factory(campaign, status="paid", email=EMAIL)
    FACTORIES["payouts.Payment"](subject, claim, {})
    ClaimDraft.objects.create(token_hash="k" * 64, campaign=campaign,
                              wrapped_key=crypto.data_key_new())
    labels = {f"{m._meta.app_label}.{m.__name__}" for m in wrapped_key_models()}
    assert labels == {"privacy.Subject", "claims.ClaimDraft", "payouts.PaymentBatch"}
    old = keys / "master-0001.key"
    assert sorted(p.name for p in keys.glob("master-*")) == [old.name]
    _readable(subject)

    call_command("keys", "rotate")

    out = capsys.readouterr().out
    assert "master-0002.key" in out
    assert "payouts.PaymentBatch" in out
    new = Fernet((keys / "master-0002.key").read_bytes().strip())
    previous = Fernet(old.read_bytes().strip())
    for model in wrapped_key_models():
        for wrapped in _wrapped(model):
            new.decrypt(wrapped)  # the new master key alone unwraps every data key
            with pytest.raises(InvalidToken):
                previous.decrypt(wrapped)
    _readable(subject)
    assert AuditEntry.objects.filter(action="keys_rotated", what="master-0002.key").exists()

    # The old master key goes offline (with the backups it protects): nothing is lost.
    old.rename(keys.parent / old.name)
    _forget()
    _readable(subject)
    # New data is wrapped with the new key.
    fresh = subject_for_email(email="new@example.no").wrapped_key
    assert fresh
    assert new.decrypt(bytes(fresh))
