"""Backup and restore as docs/deploy.md tells it: a claim and its sealed receipt come back."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from rabatt.claims.tests.factories import claim_factory
from rabatt.receipts.services import receipt_read

ROOT = Path(__file__).resolve().parents[1]
needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                    reason="pg_dump / pg_restore need PostgreSQL")
pytestmark = [pytest.mark.postgres, needs_postgres, pytest.mark.django_db(transaction=True)]

READ_CLAIM = """
import hashlib, json, django
django.setup()
from rabatt.claims.models import Claim
from rabatt.receipts.services import receipt_read
claim = Claim.objects.get(reference=REFERENCE)
try:
    digest = hashlib.sha256(receipt_read(receipt=claim.files.get())).hexdigest()
except Exception as exc:
    digest = type(exc).__name__
print(json.dumps({"status": claim.status, "first_name": claim.first_name, "file": digest}))
"""


def _url(name: str) -> str:
    db = connection.settings_dict
    return (f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}"
            f":{db['PORT'] or 5432}/{name}")


def _run(args: list[str], **env: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, **env})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _read(reference: str, *, database: str, home: Path) -> dict[str, str]:
    out = _run([sys.executable, "-c", READ_CLAIM.replace("REFERENCE", repr(reference))],
               DATABASE_URL=_url(database), RABATT_HOME=str(home), RABATT_KEYS_DIR="",
               DJANGO_SETTINGS_MODULE="rabatt.settings", SECRET_KEY="")
    return dict(json.loads(out.strip().splitlines()[-1]))


def test_a_restored_backup_reads_the_claim_and_decrypts_its_receipt(campaign, tmp_path):
    claim = claim_factory(campaign, first_name="Kari")
    plain = receipt_read(receipt=claim.files.get())
    home = str(settings.RABATT_HOME)

    stamp = _run(["scripts/backup.sh", str(tmp_path / "data"), str(tmp_path / "keys")],
                 DATABASE_URL=_url(connection.settings_dict["NAME"]), RABATT_HOME=home,
                 RABATT_KEYS_DIR="").strip()
    dump = tmp_path / "data" / f"rabatt-{stamp}.dump"
    files = tmp_path / "data" / f"rabatt-files-{stamp}.tar.gz"
    keys = tmp_path / "keys" / f"rabatt-keys-{stamp}.tar.gz"
    assert [p.is_file() for p in (dump, files, keys)] == [True, True, True]

    fresh = f"rabatt_restore_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    try:
        restored = tmp_path / "restored"
        _run(["scripts/restore.sh", str(dump), str(files), str(keys)],
             DATABASE_URL=_url(fresh), RABATT_HOME=str(restored), RABATT_KEYS_DIR="")
        found = _read(claim.reference, database=fresh, home=restored)
        assert found == {"status": "submitted", "first_name": "Kari",
                         "file": hashlib.sha256(plain).hexdigest()}

        # Without the keys backup the data stays sealed: the keys are what must not be lost.
        keyless = tmp_path / "keyless"
        (keyless / "keys").mkdir(parents=True)
        _run(["tar", "-C", str(keyless), "-xzf", str(files)])
        lost = _read(claim.reference, database=fresh, home=keyless)
        assert lost["first_name"] == "Kari"
        assert lost["file"] != hashlib.sha256(plain).hexdigest()
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
