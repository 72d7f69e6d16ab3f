"""Run work on untrusted bytes in a child process with a memory and time limit.

A PDF can inflate to gigabytes or ask for a page of billions of pixels. Parsing and
rendering it in the web or task worker would let one upload take the worker down, so the
work runs in a fresh child (``python -m rabatt.core.sandbox``) that lowers its own address
space limit (``RLIMIT_AS``) and CPU time before it reads the input (our code and the
parsing libraries are loaded first: they are trusted, the input is not). A bomb then kills the
child, and the caller gets a ``SandboxError``.

The protocol is data only, never pickle, so a child subverted by a hostile file cannot make
its parent run code: the parent writes one JSON line (the job's name, its parameters) and
the raw input; the child answers one JSON line (a result object and the length of a raw
payload) and the payload. Only jobs named in ``JOBS`` can run.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import subprocess
import sys
from typing import Any

# Job name -> "module:function". Core imports no app: the table names them as data.
JOBS: dict[str, str] = {
    "pdf.inspect": "rabatt.core.pdf:child_inspect",
    "pdf.pages": "rabatt.core.pdf:child_pages",
}
# Libraries a job loads, imported before the limits are set (trusted code, not input).
PRELOAD: dict[str, tuple[str, ...]] = {
    "pdf.inspect": ("pypdfium2", "pypdfium2.raw"),
    "pdf.pages": ("pypdfium2", "pypdfium2.raw", "PIL.Image"),
}

DEFAULT_MEMORY_BYTES = 768 * 1024 * 1024
DEFAULT_TIMEOUT = 30.0
# A child's answer is at most its header plus the pixels of a capped rendering.
MAX_HEADER = 8 * 1024 * 1024
MAX_PAYLOAD = 256 * 1024 * 1024


class SandboxError(Exception):
    """Signal that the child died, ran out of memory or time, or answered nonsense."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def limits() -> tuple[int, float]:
    """Return the configured memory limit (bytes) and timeout (seconds) of a child."""
    memory, timeout = DEFAULT_MEMORY_BYTES, DEFAULT_TIMEOUT
    try:
        from django.conf import settings

        if settings.configured:
            memory = int(getattr(settings, "SANDBOX_MEMORY_MB", memory // 2**20)) * 2**20
            timeout = float(getattr(settings, "SANDBOX_TIMEOUT", timeout))
    except ImportError:  # pragma: no cover - Django is always installed with Rabatt
        pass
    return memory, timeout


def run(job: str, params: dict[str, Any], data: bytes, *, memory_bytes: int | None = None,
        timeout: float | None = None) -> tuple[dict[str, Any], bytes]:
    """Run ``job`` on ``data`` in a limited child; return its result and payload."""
    if job not in JOBS:
        raise ValueError(f"unknown sandbox job: {job!r}")
    default_memory, default_timeout = limits()
    memory = memory_bytes or default_memory
    header = json.dumps({"job": job, "params": params, "memory": memory,
                         "cpu": int(timeout or default_timeout) + 1}).encode()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "rabatt.core.sandbox"],
            input=header + b"\n" + data, capture_output=True, timeout=timeout or default_timeout,
            check=False, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
    except subprocess.TimeoutExpired as exc:
        raise SandboxError("timeout") from exc
    except OSError as exc:
        raise SandboxError("start_failed") from exc
    if done.returncode != 0:
        # Out of memory shows as MemoryError (exit 3), an abort in C++ (SIGABRT) or a kill.
        raise SandboxError("memory" if done.returncode in (3, -6, -9) else "crashed")
    return _parse_answer(done.stdout)


def _parse_answer(out: bytes) -> tuple[dict[str, Any], bytes]:
    line, sep, rest = out.partition(b"\n")
    if not sep or len(line) > MAX_HEADER:
        raise SandboxError("bad_answer")
    try:
        answer = json.loads(line)
        result, length = answer["result"], int(answer["payload"])
    except (ValueError, KeyError, TypeError) as exc:
        raise SandboxError("bad_answer") from exc
    if not isinstance(result, dict) or not 0 <= length <= MAX_PAYLOAD or len(rest) != length:
        raise SandboxError("bad_answer")
    return result, rest


def _child() -> int:
    """Read one job from stdin, limit this process, run the job and write the answer."""
    stdin = sys.stdin.buffer
    request = json.loads(stdin.readline())
    memory, cpu = int(request["memory"]), int(request["cpu"])
    # Our own code is imported before the limits: compiling it under a tight address space
    # fails in odd ways (no bytecode cache here), which would hide the input's real cost.
    module_name, _, function_name = JOBS[request["job"]].partition(":")
    function = getattr(importlib.import_module(module_name), function_name)
    for library in PRELOAD.get(request["job"], ()):
        importlib.import_module(library)
    # Limits next, before the input is read into memory or touched by a parser.
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        data = stdin.read()
        result, payload = function(request["params"], data)
    except MemoryError:
        return 3
    out = sys.stdout.buffer
    out.write(json.dumps({"result": result, "payload": len(payload)}).encode() + b"\n")
    out.write(payload)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_child())
