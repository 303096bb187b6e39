"""The sandboxed side of grading: run a submission's code, call its answers, print plain data.

Started by :mod:`attnlib.grading.sandbox` as ``python -I -m attnlib.grading._launcher UID GID``
with its resource limits already set. In order, it

1. imports what answers may use (torch, numpy, attnlib, the standard modules below), since
   nothing can be opened once the submission runs;
2. reads the request (code cells and calls, JSON) from stdin;
3. drops root privileges to ``UID:GID`` when it has them, and lowers the open-file limit to
   the descriptors already open, so the submission can open no file: it cannot read the
   hidden tests, write a results file or import anything new;
4. runs the cells in one namespace, as a notebook would (a cell that raises or loops past its
   time limit is recorded and the next cell runs);
5. makes each call on the inputs it was given and writes one JSON line per call to the result
   descriptor: the output as plain data (see codec) or the error. Nothing is compared here:
   the grader compares in its own process, so patching anything in this one changes nothing.
"""

from __future__ import annotations

import collections  # noqa: F401  (pre-imported for answers)
import functools  # noqa: F401
import io
import itertools  # noqa: F401
import json
import math  # noqa: F401
import os
import random  # noqa: F401
import resource
import signal
import sys
import traceback

import numpy  # noqa: F401
import torch
import torch.distributions  # noqa: F401
import torch.nn.functional  # noqa: F401

import attnlib  # noqa: F401
# torch.broadcast_shapes (used by attnlib's argument checks) imports this module lazily, on
# first use; import it now, before the sandbox forbids opening files.
import torch.fx.experimental.symbolic_shapes  # noqa: F401
import attnlib.grading.feedback  # noqa: F401  (check() in a notebook; the exercise files stay unreadable)
from attnlib.grading.codec import decode, encode


class CellTimeout(BaseException):
    """Raised by the alarm when a cell or a call runs past its time limit."""


def _alarm(signum, frame):  # noqa: ARG001
    raise CellTimeout()


def _error(exc: BaseException, limit: int) -> str:
    if isinstance(exc, CellTimeout):
        return f"time limit ({limit} s) exceeded"
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return text[:500]


def _lock_down(uid: int, gid: int) -> None:
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        if os.getuid() == 0 or os.geteuid() == 0:
            raise SystemExit("could not drop root privileges")
        # Limit this user's processes and threads to the ones running now (no fork bombs).
        threads = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else 8
        resource.setrlimit(resource.RLIMIT_NPROC, (threads + 1, threads + 1))
    # The lowest free descriptor is the next one open() would return: forbid it and above.
    fd = 0
    while True:
        try:
            os.fstat(fd)
        except OSError:
            break
        fd += 1
    resource.setrlimit(resource.RLIMIT_NOFILE, (fd, fd))


def main() -> None:
    uid, gid = int(sys.argv[1]), int(sys.argv[2])
    torch.set_num_threads(1)
    request = json.loads(sys.stdin.read())
    out = os.dup(1)  # the result channel; the submission's prints go nowhere
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    sys.stdout = sys.stderr = io.StringIO()
    cell_limit, call_limit = int(request["cell_timeout"]), int(request["call_timeout"])
    calls = request["calls"]

    def emit(record: dict) -> None:
        os.write(out, (json.dumps(record) + "\n").encode())

    _lock_down(uid, gid)
    signal.signal(signal.SIGALRM, _alarm)
    namespace: dict = {"__name__": "__main__"}
    errors = []
    for i, source in enumerate(request["cells"]):
        try:
            signal.alarm(cell_limit)
            exec(compile(source, f"<cell {i + 1}>", "exec"), namespace)  # noqa: S102
        except BaseException as exc:  # noqa: BLE001  (a submission may raise anything)
            errors.append(f"cell {i + 1}: {_error(exc, cell_limit)}")
        finally:
            signal.alarm(0)
        sys.stdout = sys.stderr = io.StringIO()
    emit({"cells": len(request["cells"]), "errors": errors[:20]})
    for i, spec in enumerate(calls):
        record: dict = {"call": i}
        try:
            signal.alarm(call_limit)
            if spec["target"] not in namespace:
                raise NameError(f"name {spec['target']!r} is not defined")
            target = namespace[spec["target"]]
            if spec["is_call"]:
                args = [decode(a) for a in spec["args"]]
                kwargs = {k: decode(v) for k, v in spec["kwargs"].items()}
                result = target(*args, **kwargs)
            else:
                result = target
            record["value"] = encode(result)
            json.dumps(record)  # fail here, inside the try, if it is not JSON-able
        except BaseException as exc:  # noqa: BLE001
            record = {"call": i, "error": _error(exc, call_limit)}
        finally:
            signal.alarm(0)
        emit(record)
    emit({"done": True})


if __name__ == "__main__":
    main()
