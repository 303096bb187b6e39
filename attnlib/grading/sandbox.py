"""Run one submission in a bubblewrap sandbox and ask it for one answer at a time.

The sandbox (https://github.com/containers/bubblewrap, Debian package ``bubblewrap``) gives
the submission's process (:mod:`attnlib.grading._runner`)

- its own pid namespace, killed with everything in it when the grader kills it or dies
  (``--die-with-parent``), and its own session, IPC, UTS and network namespaces (no network);
- a read-only view of exactly the interpreter and its packages: the virtual environment, the
  Python installation it links to, the ``attnlib`` package, and the system's shared libraries
  (``/usr/lib``); an empty private ``/tmp`` of at most 64 MiB, fresh ``/proc`` and ``/dev``.
  The checkout, the exercise files (reference solutions and hidden tests), ``OUT`` and the
  other submissions are not in its view at all;
- an empty environment, a user id of its own (one per concurrent worker) when the grader
  runs as root, and limits on CPU time, address space, file size, processes and output.

The harness writes the cells, then each call with a fresh random nonce, one at a time, and
reads the answer whose nonce matches, within the call's deadline. A call that does not answer
in time costs that call; the sandbox is killed and restarted for the calls after it (at most
:data:`RESTARTS` times). Nothing the sandbox runs survives it.
"""

from __future__ import annotations

import json
import os
import pwd
import resource
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import attnlib
from attnlib.grading.codec import DecodeError, decode

OUTPUT_LIMIT = 16 * 2**20  # bytes a submission's process may write to the harness in all
TMP_SIZE = 64 * 2**20
RESTARTS = 2


class SandboxUnavailable(RuntimeError):
    """No bubblewrap sandbox can start here; the grader refuses rather than grade with less."""


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
    """An unused user id for worker ``slot`` of this grader process.

    Derived from the grader's process id, so that two graders on one machine (two batches,
    or tests run in parallel) never share a user id, whose processes each sweeps after a run.
    """
    uid = 200_000 + (os.getpid() % 100_000) * 64 + slot
    while True:
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid
        uid += 1


def _readonly_paths() -> list[str]:
    """What the sandbox may read: the interpreter, its packages, attnlib, shared libraries."""
    paths = {sys.prefix, sys.base_prefix, os.path.dirname(attnlib.__file__)}
    real = os.path.realpath(sys.executable)
    paths.add(os.path.dirname(os.path.dirname(real)))
    for lib in ("/usr/lib", "/usr/lib64", "/usr/lib32"):
        if os.path.isdir(lib) and not os.path.islink(lib):
            paths.add(lib)
    # Nothing that holds a path above another is needed twice.
    keep = sorted(paths, key=len)
    result: list[str] = []
    for p in keep:
        if not any(p == q or p.startswith(q.rstrip("/") + "/") for q in result):
            result.append(p)
    return result


def bwrap_command(uid: int) -> list[str]:
    """The bubblewrap command line that starts the runner."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed")
    root = os.getuid() == 0
    cmd = [
        bwrap,
        "--die-with-parent",
        "--new-session",
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
    ]
    if root:
        # Privileged mode: the runner drops to ``uid`` itself once torch is imported.
        cmd += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        cmd += ["--unshare-user", "--uid", "65534", "--gid", "65534"]
    made: set[str] = set()
    for path in _readonly_paths():
        # Parents made here are readable by the runner once it has dropped root.
        for parent in reversed(Path(path).parents[:-1]):
            if str(parent) not in made:
                made.add(str(parent))
                cmd += ["--perms", "0755", "--dir", str(parent)]
        cmd += ["--ro-bind", path, path]
    for name in ("lib", "lib64", "lib32", "bin"):
        target = f"/{name}"
        if os.path.islink(target):
            cmd += ["--symlink", os.readlink(target), target]
    cmd += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--perms",
        "1777",
        "--size",
        str(TMP_SIZE),
        "--tmpfs",
        "/tmp",
        "--chdir",
        "/tmp",
        "--clearenv",
    ]
    for key, value in _env().items():
        cmd += ["--setenv", key, value]
    return [
        *cmd,
        "--",
        sys.executable,
        "-I",
        "-m",
        "attnlib.grading._runner",
        str(uid),
        str(_nproc(root)),
    ]


def _env() -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": "/tmp",
        "TMPDIR": "/tmp",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "LC_ALL": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp",
    }


def _nproc(root: bool) -> int:
    # As root every sandbox has a user id of its own; otherwise the limit counts all of this
    # user's processes, so it is set above what the user runs now.
    if root:
        return 1
    mine = 0
    for pid in filter(str.isdigit, os.listdir("/proc")) if os.path.isdir("/proc") else ():
        try:
            if os.stat(f"/proc/{pid}").st_uid == os.getuid():
                mine += 1
        except OSError:
            pass
    return mine + 16


@cache
def probe() -> str | None:
    """None when a sandbox starts here, else why not (cached)."""
    try:
        cmd = bwrap_command(sandbox_uid(0))
    except SandboxUnavailable as exc:
        return str(exc)
    if sys.platform != "linux":
        return f"bubblewrap needs Linux, this is {sys.platform}"
    probe_cmd = cmd[: cmd.index("--") + 1] + [sys.executable, "-I", "-c", "import attnlib"]
    try:
        done = subprocess.run(probe_cmd, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap did not start: {exc}"
    if done.returncode != 0:
        return "bubblewrap did not start: " + done.stderr.decode(errors="replace").strip()[:300]
    return None


def require_sandbox() -> None:
    """Raise :class:`SandboxUnavailable` with what to do, where no sandbox can start."""
    reason = probe()
    if reason:
        raise SandboxUnavailable(
            f"cannot grade: no sandbox ({reason}). Install bubblewrap (Debian/Ubuntu: "
            "apt-get install bubblewrap) on Linux with user namespaces, or pass "
            "--insecure-no-sandbox to grade with resource limits only, which do NOT stop a "
            "submission from reading files (other submissions, hidden tests) or the network."
        )


def _preexec(limits: Limits, uid: int, insecure: bool):
    def preexec() -> None:
        os.setsid()
        memory = limits.memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 5))
        resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_LIMIT, OUTPUT_LIMIT))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return preexec


def _kill_user(uid: int) -> int:
    """Kill every process owned by the sandbox's own user id (root only); return how many."""
    if os.getuid() != 0 or not os.path.isdir("/proc"):
        return 0
    killed = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.stat(f"/proc/{pid}").st_uid == uid:
                os.kill(int(pid), signal.SIGKILL)
                killed += 1
        except OSError:
            pass
    return killed


class _Session:
    """One sandboxed runner process and the harness's end of its pipes."""

    def __init__(self, limits: Limits, uid: int, insecure: bool) -> None:
        self.workdir: str | None = None  # the runner's home without bubblewrap, removed by close
        if insecure:
            cmd = [
                sys.executable,
                "-I",
                "-m",
                "attnlib.grading._runner",
                str(uid),
                str(_nproc(os.getuid() == 0)),
            ]
            self.workdir = workdir = tempfile.mkdtemp(prefix="attnlib-grade-")
            if os.getuid() == 0:
                os.chown(workdir, uid, uid)
            env, cwd = (
                {**_env(), "HOME": workdir, "TMPDIR": workdir, "MPLCONFIGDIR": workdir},
                workdir,
            )
        else:
            cmd, env, cwd = bwrap_command(uid), {}, "/"
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            cwd=cwd,
            env=env,
            close_fds=True,
            preexec_fn=_preexec(limits, uid, insecure),
        )
        self.uid = uid
        self.buffer = b""
        self.received = 0
        # Both are pipes (PIPE above); Popen types them as optional.
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        os.set_blocking(self.stdout.fileno(), False)
        os.set_blocking(self.stdin.fileno(), False)

    def send(self, record: dict, deadline: float) -> bool:
        """Write one request line before ``deadline``; False if the sandbox stops reading.

        The pipe is non-blocking and every write waits for room with a timeout: a submission
        that shrinks the pipe and stops reading (F_SETPIPE_SZ, then sleep) costs its own
        submission a timeout, never the batch a hang.
        """
        view = memoryview((json.dumps(record) + "\n").encode())
        fd = self.stdin.fileno()
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                _, writable, _ = select.select([], [fd], [], min(left, 1.0))
                if writable:
                    view = view[os.write(fd, view) :]
            except BlockingIOError:
                continue
            except (OSError, ValueError):
                return False
        return True

    def receive(self, nonce: str, deadline: float) -> dict | None:
        """The first line that parses as a dict with this nonce, before ``deadline``."""
        fd = self.stdout.fileno()
        while True:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                record = _parse_line(line)
                if record is not None and record.get("nonce") == nonce:
                    return record
            left = deadline - time.monotonic()
            if left <= 0 or self.received > OUTPUT_LIMIT:
                return None
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                continue
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                continue
            except OSError:
                return None
            if not chunk:
                return None
            self.received += len(chunk)
            self.buffer += chunk
            if len(self.buffer) > OUTPUT_LIMIT:
                return None

    def close(self) -> tuple[int | None, str]:
        """Kill the sandbox and everything in it; return the exit status and stderr's tail."""
        for stream in (self.stdin, self.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        self.proc.wait()
        # Until none is left: a process being killed stays listed for a moment.
        deadline = time.monotonic() + 5
        while _kill_user(self.uid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        self.stderr.seek(0, os.SEEK_END)
        size = self.stderr.tell()
        self.stderr.seek(max(0, size - 2000))
        tail = self.stderr.read().decode("utf-8", errors="replace")
        self.stderr.close()
        return self.proc.returncode, tail


# The status when a hidden call stops the process; fixed text, so that it carries no bit of
# the hidden input (a function could otherwise exit with a status computed from it).
HIDDEN_STOP = "stopped during the hidden tests"


def _parse_line(line: bytes) -> dict | None:
    try:
        record = json.loads(line)
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None
    return record if type(record) is dict and type(record.get("nonce")) is str else None


def run(
    cells: list[str],
    calls: list[dict],
    limits: Limits = Limits(),
    slot: int = 0,
    *,
    wrap: tuple[str, ...] = (),
    order: list[int] | None = None,
    hidden: frozenset[int] = frozenset(),
    insecure: bool = False,
) -> Outcome:
    """Execute ``cells`` then each call of ``calls`` in a sandbox; return what came back.

    Args:
        cells: the submission's code cells, in order.
        calls: ``{"target", "is_call", "args", "kwargs", "forbid"}``, arguments encoded.
        limits: time and memory limits.
        slot: the worker's index; concurrent workers must use different slots.
        wrap: the library functions to wrap (every name some call may ``forbid``).
        order: the order in which to make the calls (indices into ``calls``); by default theirs.
        hidden: the indices of hidden calls; when one of them stops the process, the status
            says only that (no test number, exit status or error), since a learner function
            could pick those from the hidden input.
        insecure: run without bubblewrap (rlimits only); only when the instructor asked.
    """
    if not insecure:
        require_sandbox()
    uid = sandbox_uid(slot)
    start = time.monotonic()
    wall_deadline = start + limits.wall_s
    outcome = Outcome(status="ok")
    statuses: list[str] = []
    pending = list(range(len(calls))) if order is None else list(order)
    for attempt in range(RESTARTS + 1):
        session = _Session(limits, uid, insecure)
        problem, cells_failed = None, False
        try:
            problem, cells_failed = _converse(
                session,
                cells,
                calls,
                pending,
                outcome,
                limits,
                wall_deadline,
                wrap,
                first=attempt == 0,
                hidden=hidden,
            )
        finally:
            code, tail = session.close()
        if problem == HIDDEN_STOP:
            statuses.append(problem)
        elif problem:
            if code:
                problem += f" ({_exit_reason(code)})"
            if "MemoryError" in tail:
                problem += ", out of memory"
            statuses.append(problem)
        if not problem or cells_failed or not pending or time.monotonic() >= wall_deadline:
            break
    if time.monotonic() >= wall_deadline and pending:
        statuses.append(f"timeout: the {limits.wall_s} s wall-clock limit")
    if statuses:
        outcome.status = "; ".join(statuses[:4])
    outcome.seconds = time.monotonic() - start
    if insecure:
        outcome.status += " [INSECURE: graded without a sandbox]"
    return outcome


def _converse(
    session: _Session,
    cells: list[str],
    calls: list[dict],
    pending: list[int],
    outcome: Outcome,
    limits: Limits,
    wall_deadline: float,
    wrap: tuple[str, ...],
    first: bool,
    hidden: frozenset[int] = frozenset(),
) -> tuple[str | None, bool]:
    """Send the cells, then the pending calls one by one; return (what went wrong, in cells?).

    A call that does not answer in time also costs the later calls of the same function, so
    that one endless loop costs one restart, not one per test.
    """
    nonce = secrets.token_hex(16)
    cells_deadline = min(wall_deadline, time.monotonic() + 20 + limits.cell_s * len(cells))
    sent = session.send(
        {
            "nonce": nonce,
            "cells": cells,
            "wrap": list(wrap),
            "cell_timeout": limits.cell_s,
            "call_timeout": limits.call_s,
        },
        cells_deadline,
    )
    ready = session.receive(nonce, cells_deadline) if sent else None
    if ready is None:
        what = "timeout" if time.monotonic() >= cells_deadline else "crashed"
        return f"{what} while running its cells", True
    if first and type(ready.get("errors")) is list:
        outcome.errors = [str(e)[:500] for e in ready["errors"][:20]]
    while pending:
        i = pending.pop(0)
        nonce = secrets.token_hex(16)
        deadline = min(wall_deadline, time.monotonic() + limits.call_s + 2)
        sent = session.send({**calls[i], "nonce": nonce}, deadline)
        record = session.receive(nonce, deadline) if sent else None
        if record is not None:
            outcome.answers[i] = _answer(record)
            continue
        what = "timeout" if time.monotonic() >= deadline else "crashed"
        target = calls[i]["target"]
        later = [j for j in pending if calls[j]["target"] == target]
        if i in hidden:
            # Nothing the learner's function could choose: not which test, nor how it stopped.
            for j in [i, *later]:
                outcome.answers[j] = ("error", "no answer (the process stopped in a hidden test)")
            for j in later:
                pending.remove(j)
            return HIDDEN_STOP, False
        if not sent:
            outcome.answers[i] = ("error", f"no answer (the process had stopped reading: {what})")
            return f"{what} before test {i + 1}", False
        outcome.answers[i] = ("error", f"no answer ({what})")
        for j in later:
            pending.remove(j)
            outcome.answers[j] = (
                "error",
                f"not run: an earlier test of {target} ended in a {what}",
            )
        return f"{what} at test {i + 1}", False
    return None, False


def _exit_reason(code: int) -> str:
    """What an exit status says: bwrap exits 128 + N when its command died of signal N."""
    number = -code if code < 0 else code - 128 if code > 128 else None
    try:
        name = signal.Signals(number).name if number else f"exit status {code}"
    except ValueError:
        name = f"exit status {code}"
    reason = {
        "SIGXCPU": "CPU time limit, ",
        "SIGXFSZ": "file size limit, ",
        "SIGKILL": "killed, ",
    }.get(name, "")
    return reason + name


def _answer(record: dict) -> tuple[str, object]:
    if "forbidden" in record:
        return ("forbidden", str(record["forbidden"])[:100])
    if "error" in record:
        return ("error", str(record["error"])[:500])
    if "value" in record:
        try:
            return ("ok", decode(record["value"]))
        except (
            DecodeError,
            RecursionError,
            TypeError,
            ValueError,
            RuntimeError,
            OverflowError,
        ) as exc:
            return ("error", f"malformed output: {exc}"[:500])
    return ("error", "malformed answer")
