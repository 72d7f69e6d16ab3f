"""Keep child processes running: restart a crashed one with backoff, log it, never give up.

``rabatt serve`` hands its web server and task workers to :class:`Supervisor`. A child that
exits while the supervisor is not stopping is started again after a delay that doubles with
each quick crash (0.5 s up to 30 s) and resets once the child has stayed up for a minute, so a
crash loop neither spins the CPU nor takes the other children down.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

log = logging.getLogger("rabatt.serve")

FIRST_DELAY = 0.5
MAX_DELAY = 30.0
STABLE_AFTER = 60.0


@dataclass
class Child:
    """One supervised command and what is known of its current process."""

    name: str
    argv: Sequence[str]
    env: dict[str, str] | None = None
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    delay: float = FIRST_DELAY
    restart_at: float | None = None
    history: list[int] = field(default_factory=list)


class Supervisor:
    """Start children, restart each one that dies, stop them all on request."""

    def __init__(self, children: Sequence[Child], *,
                 say: Callable[[str], None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.children = list(children)
        self.stopping = False
        self._say = say
        self._clock = clock

    def _note(self, line: str, *, level: int = logging.INFO) -> None:
        if self._say is not None:
            self._say(line)
        else:
            log.log(level, line)

    def start(self, child: Child) -> None:
        """Start one child in its own process group (so its own children can be stopped too)."""
        child.proc = subprocess.Popen(  # noqa: S603 - argv built by rabatt serve
            list(child.argv), env=child.env, start_new_session=True)
        child.started_at = self._clock()
        child.restart_at = None
        child.history.append(child.proc.pid)
        self._note(f"started {child.name} pid={child.proc.pid}")

    def start_all(self) -> None:
        for child in self.children:
            self.start(child)

    def check(self) -> None:
        """Restart every child that has exited and whose backoff delay has passed."""
        now = self._clock()
        for child in self.children:
            proc = child.proc
            if proc is None or self.stopping:
                continue
            if child.restart_at is None:
                code = proc.poll()
                if code is None:
                    continue
                # Whatever the child left behind in its group (gunicorn's workers when its
                # master was killed) would hold the port: ask it to finish and go.
                _signal_group(proc.pid, signal.SIGTERM)
                if now - child.started_at >= STABLE_AFTER:
                    child.delay = FIRST_DELAY
                child.restart_at = now + child.delay
                self._note(f"{child.name} pid={proc.pid} exited with {_describe(code)}; "
                           f"restarting in {child.delay:.1f} s", level=logging.WARNING)
                child.delay = min(MAX_DELAY, child.delay * 2)
            elif now >= child.restart_at:
                child.restarts += 1
                self.start(child)

    def run(self, *, poll: float = 0.2) -> None:
        """Supervise until :meth:`stop` is called (a signal handler calls it)."""
        while not self.stopping:
            self.check()
            time.sleep(poll)

    def stop(self, *, timeout: float = 15.0) -> None:
        """Ask every child to stop, wait up to ``timeout`` seconds, then kill what is left."""
        self.stopping = True
        for child in self.children:
            if child.proc is not None and child.proc.poll() is None:
                child.proc.terminate()
        deadline = self._clock() + timeout
        for child in self.children:
            if child.proc is None:
                continue
            try:
                child.proc.wait(timeout=max(0.1, deadline - self._clock()))
            except subprocess.TimeoutExpired:
                _signal_group(child.proc.pid, signal.SIGKILL)
                child.proc.wait()
            _signal_group(child.proc.pid, signal.SIGTERM)
        self._note("stopped")


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _describe(code: int) -> str:
    if code < 0:
        return f"signal {signal.Signals(-code).name}"
    return f"code {code}"
