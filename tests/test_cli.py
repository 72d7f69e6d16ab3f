"""The `rabatt` command as an operator runs it: separate processes, a fresh RABATT_HOME."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "campaigns" / "sonos-summer-2019.yaml"
# The child runs as an operator would: production settings, SQLite in its own RABATT_HOME.
CHILD_DROPS = ("DATABASE_URL", "TASKS_BACKEND", "DJANGO_SETTINGS_MODULE")


def rabatt(home: Path, *args: str, **kw) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in CHILD_DROPS}
    env["RABATT_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "rabatt", *args], env=env, capture_output=True, text=True,
        timeout=120, check=False, **kw,
    )


def test_setup_is_idempotent_and_keeps_its_secret_key(tmp_path):
    first = rabatt(tmp_path, "setup")
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "keys" / "secret_key").read_text()
    second = rabatt(tmp_path, "setup")
    assert second.returncode == 0, second.stderr
    assert (tmp_path / "keys" / "secret_key").read_text() == key
    assert (tmp_path / "rabatt.sqlite3").exists()
    assert oct((tmp_path / "keys" / "secret_key").stat().st_mode)[-3:] == "600"


def test_campaign_load_export_and_a_refused_file(tmp_path):
    assert rabatt(tmp_path, "setup").returncode == 0
    loaded = rabatt(tmp_path, "campaign", "load", str(EXAMPLE))
    assert loaded.returncode == 0, loaded.stderr
    exported = rabatt(tmp_path, "campaign", "export", "sonos-summer-2019")
    assert exported.returncode == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text().replace("DKK: 1125, NOK", "DKK: 11251, NOK", 1))
    refused = rabatt(tmp_path, "campaign", "load", str(bad))
    assert refused.returncode != 0
    assert "DKK" in refused.stderr
    assert "Traceback" not in refused.stderr
    again = rabatt(tmp_path, "campaign", "export", "sonos-summer-2019")
    assert again.stdout == exported.stdout


def test_demo_prepares_a_live_campaign_and_a_staff_login(tmp_path):
    result = rabatt(tmp_path, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    assert "sonos-summer-live" in result.stdout
    assert "demo@rabatt.invalid" in result.stdout
    assert "4 demo claims" in result.stdout
    # Codes to try in the wizard, and claims to look up in the tracker.
    codes = re.search(r"Codes to try: ([A-Z0-9-]+), ([A-Z0-9-]+), ([A-Z0-9-]+) ", result.stdout)
    assert codes is not None
    assert len(re.findall(r"Track: +RB-\w{4}-\w{4} with \S+@example\.no", result.stdout)) == 4
    # A worker, as `serve` starts one, reads the receipts and checks the claims.
    worker = rabatt(tmp_path, "worker", "--batch")
    assert worker.returncode == 0, worker.stderr
    script = (
        "import django; django.setup()\n"
        "from rabatt.claims.models import Claim\n"
        "from rabatt.review.presenters import claim_signals\n"
        "for c in Claim.objects.order_by('pk'):\n"
        "    s = claim_signals(claim=c)\n"
        "    print(s['receipts']['status'], s['fields']['total']['status'], "
        "sorted(s['risk_flags']), sorted(d['kind'] for d in s['duplicates']))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in CHILD_DROPS}
    env.update(RABATT_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="rabatt.settings")
    shown = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                           text=True, timeout=60, check=False, cwd=ROOT)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    # The first and third share one receipt photo: each is flagged with the other.
    assert lines[0] == "done verified ['duplicate_receipt'] ['exact']"
    assert lines[1] == "done mismatch [] []"
    assert lines[2] == "done verified ['duplicate_receipt'] ['exact']"
    again = rabatt(tmp_path, "demo", "--no-serve")
    assert again.returncode == 0, again.stderr
    assert "demo claims" not in again.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_migrates_and_serves_site_and_api(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in CHILD_DROPS}
    env["RABATT_HOME"] = str(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "rabatt", "serve", "--port", str(port), "--workers", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 180  # a fresh database is migrated first
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
                    body = resp.read().decode()
                    break
            except OSError:
                time.sleep(0.3)
        assert "Current campaigns" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json") as resp:
            assert resp.status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/core/site.css") as resp:
            assert resp.status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert proc.returncode == 0


@pytest.mark.parametrize("url", ["ftp://nope", "filemail://relative"])
def test_bad_email_url_is_a_clear_error(tmp_path, url):
    env_home = tmp_path
    result = subprocess.run(
        [sys.executable, "-m", "rabatt", "check"],
        env={**{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
             "RABATT_HOME": str(env_home), "EMAIL_URL": url},
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode != 0
    assert "EMAIL_URL" in result.stderr
