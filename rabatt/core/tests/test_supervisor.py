"""The supervisor restarts a child that dies, with backoff, and stops them all on request."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from rabatt.core.supervisor import FIRST_DELAY, MAX_DELAY, STABLE_AFTER, Child, Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
CRASHER = [sys.executable, "-c", "raise SystemExit(3)"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _proc(child: Child) -> subprocess.Popen[bytes]:
    assert child.proc is not None
    return child.proc


def _wait_exit(child: Child) -> None:
    _proc(child).wait(timeout=30)


def _restart_in(child: Child, clock: Clock) -> float:
    assert child.restart_at is not None
    return child.restart_at - clock.now


def test_a_killed_child_is_restarted_after_its_delay_and_the_others_stay():
    clock, lines = Clock(), list[str]()
    web, worker = Child("web", SLEEPER), Child("worker", SLEEPER)
    sup = Supervisor([web, worker], say=lines.append, clock=clock)
    sup.start_all()
    try:
        first_web, first_worker = _proc(web).pid, _proc(worker).pid
        os.kill(first_worker, signal.SIGKILL)
        _wait_exit(worker)
        sup.check()
        assert lines[-1] == (f"worker pid={first_worker} exited with signal SIGKILL; "
                             f"restarting in {FIRST_DELAY:.1f} s")
        assert _proc(worker).pid == first_worker  # not before the delay
        clock.now += FIRST_DELAY
        sup.check()
        assert _proc(worker).pid != first_worker
        assert _proc(worker).poll() is None
        assert worker.restarts == 1
        assert lines[-1] == f"started worker pid={_proc(worker).pid}"
        assert _proc(web).pid == first_web
        assert _proc(web).poll() is None
    finally:
        sup.stop(timeout=10)
    assert _proc(web).poll() is not None
    assert _proc(worker).poll() is not None
    assert lines[-1] == "stopped"


def test_a_crash_loop_backs_off_up_to_the_maximum_and_resets_once_stable():
    clock = Clock()
    child = Child("worker", CRASHER)
    sup = Supervisor([child], clock=clock)
    sup.start_all()
    delays = []
    try:
        for _ in range(9):
            _wait_exit(child)
            sup.check()
            delays.append(_restart_in(child, clock))
            clock.now += delays[-1]
            sup.check()
        assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, MAX_DELAY, MAX_DELAY, MAX_DELAY]
        assert child.restarts == 9
        # A run that lasted a minute was not a crash loop: the next delay is short again.
        child.argv = SLEEPER
        _wait_exit(child)
        sup.check()
        clock.now += _restart_in(child, clock)
        sup.check()
        clock.now += STABLE_AFTER
        os.kill(_proc(child).pid, signal.SIGKILL)
        _wait_exit(child)
        sup.check()
        assert _restart_in(child, clock) == FIRST_DELAY
    finally:
        sup.stop(timeout=10)


def test_nothing_is_restarted_while_stopping():
    clock = Clock()
    child = Child("web", SLEEPER)
    sup = Supervisor([child], clock=clock)
    sup.start_all()
    pid = _proc(child).pid
    sup.stop(timeout=10)
    clock.now += 100
    sup.check()
    assert _proc(child).pid == pid
    assert child.history == [pid]
