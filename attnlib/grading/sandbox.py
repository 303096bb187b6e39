"""Run one submission's code in a separate, unprivileged, resource-limited process.

The process (:mod:`attnlib.grading._launcher`) gets a fresh empty working directory, an
environment with nothing but ``PATH``, ``HOME`` and thread settings, limits on CPU time,
address space and file size, and a wall-clock limit after which its whole process group is
killed. Run as root, it drops to a user id of its own (one per concurrent worker, so two
submissions cannot signal each other) and every process left with that id is killed
afterwards. Its only output is JSON lines, read here as untrusted data.
"""

from __future__ import annotations

import json
import os
import pwd
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

from attnlib.grading.codec import DecodeError, decode

OUTPUT_LIMIT = 16 * 2**20  # bytes a submission's process may write in all


@dataclass(frozen=True)
class Limits:
    """Per-submission limits: wall clock, CPU, address space, and per cell and per call time."""

    wall_s: int = 60
    cpu_s: int = 60
    memory_mb: int = 3072
    cell_s: int = 10
    call_s: int = 10


@dataclass
class Outcome:
    """What came back: a status, the cells' errors, and per call ``("ok", value)`` or
    ``("error", message)``; calls that never answered are missing."""

    status: str
    errors: list[str] = field(default_factory=list)
    answers: dict[int, tuple[str, object]] = field(default_factory=dict)
    seconds: float = 0.0


def sandbox_uid(slot: int) -> int:
    """An unused user id for worker ``slot`` (one per concurrent worker)."""
    uid = 64000 + 17 * slot
    while True:
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid
        uid += 1


def _limits(limits: Limits):
    def preexec() -> None:
        os.setsid()
        memory = limits.memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 5))
        resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_LIMIT, OUTPUT_LIMIT))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return preexec


def _kill_user(uid: int) -> None:
    """Kill every process owned by the sandbox's own user id (root only)."""
    if os.getuid() != 0 or not os.path.isdir("/proc"):
        return
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/status") as f:
                uids = next(line for line in f if line.startswith("Uid:")).split()[1:]
        except (OSError, StopIteration):
            continue
        if str(uid) in uids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass


def run(cells: list[str], calls: list[dict], limits: Limits = Limits(), slot: int = 0) -> Outcome:
    """Execute ``cells`` then each call of ``calls`` in a sandbox; return what came back.

    Args:
        cells: the submission's code cells, in order.
        calls: ``{"target", "is_call", "args", "kwargs"}`` with arguments already encoded.
        limits: time and memory limits.
        slot: the worker's index; concurrent workers must use different slots.
    """
    uid = sandbox_uid(slot)
    request = json.dumps({"cells": cells, "calls": calls, "cell_timeout": limits.cell_s,
                          "call_timeout": limits.call_s})
    workdir = tempfile.mkdtemp(prefix="attnlib-grade-")
    env = {"PATH": "/usr/bin:/bin", "HOME": workdir, "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1", "LC_ALL": "C.UTF-8"}
    start = time.perf_counter()
    try:
        if os.getuid() == 0:
            os.chown(workdir, uid, uid)
        with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
            proc = subprocess.Popen(
                [sys.executable, "-I", "-m", "attnlib.grading._launcher", str(uid), str(uid)],
                stdin=subprocess.PIPE, stdout=stdout, stderr=stderr, cwd=workdir, env=env,
                preexec_fn=_limits(limits), close_fds=True,
            )
            timed_out = False
            try:
                proc.communicate(request.encode(), timeout=limits.wall_s)
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    pass
                proc.wait()
                _kill_user(uid)
            stdout.seek(0)
            text = stdout.read(OUTPUT_LIMIT + 1).decode("utf-8", errors="replace")
            stderr.seek(0)
            tail = stderr.read()[-2000:].decode("utf-8", errors="replace")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    outcome = _parse(text, len(calls))
    outcome.seconds = time.perf_counter() - start
    if timed_out:
        outcome.status = f"timeout: killed after the {limits.wall_s} s wall-clock limit"
    elif proc.returncode < 0:
        name = signal.Signals(-proc.returncode).name
        reason = {"SIGXCPU": "CPU time limit ", "SIGXFSZ": "output limit ",
                  "SIGKILL": "killed at a resource limit "}.get(name, "")
        outcome.status = f"crashed: {reason}({name})"
    elif outcome.status == "ok" and proc.returncode != 0:
        outcome.status = f"crashed: exit status {proc.returncode}"
    if outcome.status.startswith("crashed") and "MemoryError" in tail:
        outcome.status += ", out of memory"
    return outcome


def _parse(text: str, n_calls: int) -> Outcome:
    """Read the launcher's JSON lines; anything malformed is ignored, never trusted."""
    outcome = Outcome(status="no output")
    done = False
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if type(record) is not dict:
            continue
        if "cells" in record and type(record.get("errors")) is list and outcome.status == "no output":
            outcome.status = "ok"
            outcome.errors = [str(e)[:500] for e in record["errors"][:20]]
        elif record.get("done") is True and outcome.status == "ok":
            done = True
        elif type(record.get("call")) is int and 0 <= record["call"] < n_calls:
            i = record["call"]
            if i in outcome.answers:
                continue  # the first answer counts; a submission cannot overwrite it
            if "error" in record:
                outcome.answers[i] = ("error", str(record["error"])[:500])
            elif "value" in record:
                try:
                    outcome.answers[i] = ("ok", decode(record["value"]))
                except (DecodeError, RecursionError, TypeError, ValueError, RuntimeError) as exc:
                    outcome.answers[i] = ("error", f"malformed output: {exc}"[:500])
    if outcome.status == "ok" and not done:
        outcome.status = "stopped early"
    return outcome
