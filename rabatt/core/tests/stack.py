"""The whole product as an operator runs it, on a throw-away PostgreSQL: `rabatt serve` with
its web server and task workers, e-mail written to files. Used by the fault tests and by
benchmarks/faults/."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rabatt.core.tests.pgserver import ThrowawayPostgres

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "campaigns" / "sonos-summer-2019.yaml"
DROPS = ("DATABASE_URL", "TASKS_BACKEND", "DJANGO_SETTINGS_MODULE", "RABATT_HOME", "EMAIL_URL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Stack:
    """A throw-away PostgreSQL, a RABATT_HOME and `rabatt serve` on a free port."""

    def __init__(self, *, web_workers: int = 1, receipt_workers: int = 1,
                 env: dict[str, str] | None = None) -> None:
        self.pg = ThrowawayPostgres()
        self.pg.start()
        try:
            self._prepare(web_workers, receipt_workers, env)
        except BaseException:
            self.pg.destroy()
            raise

    def _prepare(self, web_workers: int, receipt_workers: int,
                 env: dict[str, str] | None) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="rabatt-stack-"))
        self.mail = self.home / "mail"
        self.port = free_port()
        self.web_workers, self.receipt_workers = web_workers, receipt_workers
        self.env = {k: v for k, v in os.environ.items() if k not in DROPS}
        self.env.update(RABATT_HOME=str(self.home), DATABASE_URL=self.pg.url,
                        EMAIL_URL=f"filemail://{self.mail}", TASKS_BACKEND="database",
                        RATE_LIMITS="false", PYTHONUNBUFFERED="1")
        self.env.update(env or {})
        self.log_path = self.home / "serve.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def rabatt(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "rabatt", *args], env=self.env,
                              capture_output=True, text=True, timeout=600, check=False)
        if check and done.returncode != 0:
            raise RuntimeError(f"rabatt {' '.join(args)} failed: {done.stderr[-2000:]}")
        return done

    def start(self) -> None:
        """Migrate, load the example campaign, start serving and wait for the site."""
        self.rabatt("setup")
        self.rabatt("campaign", "load", str(EXAMPLE))
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child keeps writing to it
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rabatt", "serve", "--no-setup", "--port", str(self.port),
             "--workers", str(self.web_workers),
             "--receipt-workers", str(self.receipt_workers)],
            env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.wait_until_up()

    def wait_until_up(self, *, path: str = "/", timeout: float = 60) -> float:
        """Wait until ``path`` answers 200; return the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            try:
                if self.get(path).status == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{path} did not answer 200 within {timeout} s:\n{self.log()[-3000:]}")

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, timeout: float = 30) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()},
                          resp.read())
        finally:
            conn.close()

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post_json(self, path: str, data: Any, headers: dict[str, str] | None = None) -> Answer:
        return self.request("POST", path, json.dumps(data).encode(),
                            {"Content-Type": "application/json", **(headers or {})})

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def pids(self, child: str) -> list[int]:
        """Every pid `rabatt serve` started for ``child``, oldest first."""
        return [int(p) for p in re.findall(rf"started {re.escape(child)} pid=(\d+)", self.log())]

    def wait_for_pid(self, child: str, count: int, timeout: float = 60) -> int:
        """Wait until ``child`` has been started ``count`` times; return its newest pid."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.pids(child)
            if len(pids) >= count:
                return pids[-1]
            time.sleep(0.1)
        raise TimeoutError(f"{child} was not started {count} times:\n{self.log()[-3000:]}")

    def kill(self, child: str) -> int:
        """``kill -9`` the newest process of ``child``; return its pid."""
        pid = self.pids(child)[-1]
        os.kill(pid, signal.SIGKILL)
        return pid

    def mails(self) -> list[Path]:
        return sorted(self.mail.glob("*.eml")) if self.mail.exists() else []

    def psql(self, sql: str) -> str:
        done = subprocess.run(["psql", self.pg.url, "-At", "-c", sql],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr}")
        return done.stdout.strip()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.pg.destroy()
