"""Storage faults: a full or read-only upload disk is a friendly 503, never a 500, and files
left behind by a killed process are removed."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client

from rabatt.claims.models import Claim
from rabatt.claims.tests.factories import code_new, payload, post_claim, receipt_jpeg
from rabatt.claims.tests.test_views import URL, XHR, jpeg, walk
from rabatt.codes.models import Code, CodeStatus
from rabatt.receipts.models import ReceiptFile
from rabatt.receipts.services import receipt_orphans_remove


def _mount(options: str) -> Iterator[Path]:
    """Mount a tiny tmpfs (root only; skipped elsewhere) and unmount it afterwards."""
    where = Path(tempfile.mkdtemp(prefix="rabatt-disk-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)
        where.rmdir()


@pytest.fixture
def full_disk(settings) -> Iterator[Path]:
    # 8 KiB with the receipts folder already made: the next sealed file does not fit.
    for where in _mount("size=8k,mode=0700"):
        (where / "receipts").mkdir()
        (where / "filler").write_bytes(b"x" * 4096)
        settings.MEDIA_ROOT = where
        yield where


@pytest.fixture
def read_only_disk(settings) -> Iterator[Path]:
    for where in _mount("size=1m,ro"):
        settings.MEDIA_ROOT = where
        yield where


def _files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "receipts").rglob("*") if p.is_file())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("during_campaign")
@pytest.mark.parametrize("disk", ["full_disk", "read_only_disk"])
def test_api_claim_on_a_full_or_read_only_disk_is_a_503_and_nothing_is_kept(
        request, disk, client, campaign):
    root = request.getfixturevalue(disk)
    code = code_new(campaign)
    response = post_claim(client, payload(code), files=[
        ("kvittering.jpg", receipt_jpeg(), "image/jpeg")])
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "code": "storage_unavailable",
        # The claim and the purchase are Norwegian: so is the answer.
        "message": "Vi kan ikke lagre filer akkurat nå. Prøv igjen om noen minutter."}
    assert Claim.objects.count() == 0
    assert Code.objects.get(code=code.replace("-", "")).status != CodeStatus.USED
    if disk == "full_disk":
        assert _files(root) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("during_campaign")
def test_wizard_upload_on_a_full_disk_says_so_kindly(full_disk, campaign):
    client = Client()
    walk(client, campaign, "files")
    scripted = client.post(f"{URL}files/", {"file": jpeg("a.jpg")}, headers=XHR)
    assert scripted.status_code == 503
    assert scripted.json() == {
        "ok": False, "code": "storage_unavailable",
        # The claim and the purchase are Norwegian: so is the answer.
        "message": "Vi kan ikke lagre filer akkurat nå. Prøv igjen om noen minutter."}
    # Without a script: the proof page again, with the refusal beside the file field.
    plain = client.post(f"{URL}files/", {"file": jpeg("a.jpg")})
    assert plain.status_code == 503
    assert plain["Retry-After"] == "5"
    shown = plain.content.decode()
    assert "Vi kan ikke lagre filer akkurat nå." in shown
    assert 'type="file"' in shown
    assert ReceiptFile.objects.count() == 0
    assert _files(full_disk) == []


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("during_campaign")
def test_orphan_files_of_a_killed_upload_are_removed_and_stored_ones_kept(
        client, campaign, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # only this test's files
    response = post_claim(client, payload(code_new(campaign)))
    assert response.status_code == 201
    (kept,) = (settings.MEDIA_ROOT / "receipts").rglob("*.sealed")
    folder = settings.MEDIA_ROOT / "receipts" / "ab"
    folder.mkdir()
    orphan = folder / f"{uuid.UUID('ab' + uuid.uuid4().hex[2:])}.sealed"
    half_written = folder / f"{uuid.uuid4()}.tmp"
    young = folder / f"{uuid.UUID('ab' + uuid.uuid4().hex[2:])}.sealed"
    not_ours = folder / "README"
    for path in (orphan, half_written, young, not_ours):
        path.write_bytes(b"sealed bytes")
    for path in (kept, orphan, half_written, not_ours):
        _age(path, 2 * 3600)
    assert receipt_orphans_remove(older_than=timedelta(hours=1)) == 2
    assert kept.exists()
    assert young.exists()
    assert not_ours.exists()
    assert not orphan.exists()
    assert not half_written.exists()
    assert receipt_orphans_remove(older_than=timedelta(hours=1)) == 0
