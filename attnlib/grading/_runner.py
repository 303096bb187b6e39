"""The sandboxed side of grading: run a submission's cells, then answer one call at a time.

Started by :mod:`attnlib.grading.sandbox` as ``python -I -m attnlib.grading._runner UID NPROC``
inside bubblewrap (or, only with ``--insecure-no-sandbox``, without it). It holds nothing
secret: no reference solution, no expected output, no test but the one being made. In order:

1. imports what answers commonly use (torch, numpy, attnlib, matplotlib with the Agg backend),
   and wraps the library functions that some "implement" exercise forbids (``forbid`` in its
   ``set.toml``), so that calling one while that exercise's tests run is reported; during
   such a call, :class:`KernelWatch` also reports reaching the same aten kernel by any other
   route;
2. reads the first message (the cells, the names to wrap, a nonce) from its stdin;
3. drops to ``UID`` when started as root (and keeps at most ``NPROC`` processes for it);
4. runs the cells in one namespace, as a notebook would, and answers with the cells' errors;
5. reads one call at a time (its target, its inputs, a fresh nonce), makes it in a fresh
   frame that holds nothing but that call's inputs, and writes one JSON line: the nonce and
   the output as plain data (see codec) or the error. The harness sends the next call only
   after it has read this answer, so no answer can be written before its call is made.

Nothing is compared here: the harness compares, in its own process, with reference outputs
that never enter this one.
"""

from __future__ import annotations

import io
import json
import os
import resource
import shutil
import signal
import sys
import tempfile
import traceback

import numpy  # noqa: F401  (pre-imported: answers use it)
import torch
import torch.distributions  # noqa: F401
import torch.nn.functional  # noqa: F401
from torch.utils._python_dispatch import TorchDispatchMode

import attnlib  # noqa: F401
import attnlib.data.speech_features  # noqa: F401  (speech exercises)
import attnlib.models.seq2seq  # noqa: F401  (language exercises)
from attnlib.grading.codec import decode, encode

# torch.broadcast_shapes (used by attnlib's argument checks) imports this module lazily.
import torch.fx.experimental.symbolic_shapes  # noqa: F401  isort: skip

MAX_LINE = 64 * 2**20


class CellTimeout(BaseException):
    """Raised by the alarm when a cell or a call runs past its time limit."""


def _alarm(signum, frame):
    raise CellTimeout()


def _error(exc: BaseException, limit: int) -> str:
    if isinstance(exc, CellTimeout):
        return f"time limit ({limit} s) exceeded"
    try:
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    except BaseException:  # noqa: BLE001  (a rigged __str__ may raise anything)
        text = type(exc).__name__
    return text[:500]


class Tripwires:
    """Wrap library functions so that calling one while it is forbidden is recorded."""

    def __init__(self, names: list[str]) -> None:
        self.active: frozenset[str] = frozenset()
        self.tripped: list[str] = []
        for name in names:
            self._wrap(name)

    def _wrap(self, dotted: str) -> None:
        parts = dotted.split(".")
        # The longest loaded module named by a prefix, then attributes (a class, a function).
        k = next((k for k in range(len(parts) - 1, 0, -1) if ".".join(parts[:k]) in sys.modules), 0)
        if k == 0:
            return
        owner: object = sys.modules[".".join(parts[:k])]
        try:
            for part in parts[k:-1]:
                owner = getattr(owner, part)
            original = getattr(owner, parts[-1])
        except AttributeError:
            return  # not in this version of the library: nothing to wrap
        wires = self

        def tripwire(*args, **kwargs):
            if dotted in wires.active:
                wires.tripped.append(dotted)
            return original(*args, **kwargs)

        tripwire.__name__ = getattr(original, "__name__", parts[-1])
        tripwire.__doc__ = getattr(original, "__doc__", None)
        try:
            setattr(owner, parts[-1], tripwire)
        except (AttributeError, TypeError):
            pass


# The aten kernels behind the library functions an exercise may forbid. A call reaches its
# kernel whatever Python name it went through (torch.softmax, F.softmax, Tensor.softmax, and
# also torch._softmax, torch.ops.aten._softmax, torch.special.log_softmax(x).exp(), ...), so
# the dispatcher sees what the name wrappers above cannot. Only torch's names are here: an
# exercise that forbids attnlib.softmax (its temperature and mask) may still call torch's.
_SOFTMAX_KERNELS = ("aten::_softmax", "aten::_log_softmax", "aten::_safe_softmax")
# Under a dispatch mode SDPA runs its math path, whose one kernel of its own is _safe_softmax.
_SDPA_KERNELS = (
    "aten::_safe_softmax",
    "aten::_scaled_dot_product_attention_math",
    "aten::_scaled_dot_product_flash_attention_for_cpu",
    "aten::_scaled_dot_product_efficient_attention",
    "aten::_scaled_dot_product_flash_attention",
)
KERNELS = (
    {
        name: _SOFTMAX_KERNELS
        for name in (
            "torch.softmax",
            "torch.log_softmax",
            "torch.nn.functional.softmax",
            "torch.nn.functional.log_softmax",
            "torch.special.softmax",
            "torch.special.log_softmax",
            "torch.Tensor.softmax",
            "torch.Tensor.log_softmax",
        )
    }
    | {name: _SDPA_KERNELS for name in ("torch.nn.functional.scaled_dot_product_attention",)}
    | {"torch.logsumexp": ("aten::logsumexp",)}
)


class KernelWatch(TorchDispatchMode):
    """Records the first forbidden aten kernel a call reaches, by the name its exercise forbids."""

    def __init__(self, forbid: frozenset[str]) -> None:
        super().__init__()
        self.watched = {kernel: name for name in sorted(forbid) for kernel in KERNELS.get(name, ())}
        self.seen: str | None = None

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = self.watched.get(func._schema.name)
        if name is not None and self.seen is None:
            self.seen = f"{name} (reached as {func._schema.name})"
        return func(*args, **(kwargs or {}))


def _warm_up_kernel_watch() -> None:
    """Pay the first dispatch mode's cost here, not in the learner's first timed call.

    Entering a ``TorchDispatchMode`` the first time imports part of torch's compiler stack
    (about 0.6 s), makes a cache folder in the temporary directory and names it in the
    environment; both are removed, so that a submission finds its private /tmp empty and the
    environment the sandbox set.
    """
    tmp = tempfile.gettempdir()
    before, environment = set(os.listdir(tmp)), set(os.environ)
    with KernelWatch(frozenset({"torch.softmax"})):
        torch.softmax(torch.zeros(2), 0)
    for name in set(os.listdir(tmp)) - before:
        shutil.rmtree(os.path.join(tmp, name), ignore_errors=True)
    for name in set(os.environ) - environment:
        del os.environ[name]


def _drop_privileges(uid: int, nproc: int) -> None:
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        if 0 in (os.getuid(), os.geteuid(), os.getgid(), os.getegid()):
            raise SystemExit("could not drop root privileges")
    if nproc > 0:
        threads = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else 8
        limit = max(nproc, threads + 1)
        resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))


def _make_call(target, args, kwargs):
    """The learner's function is called from here: this frame holds only this call's inputs."""
    return target(*args, **kwargs)


def main() -> None:
    uid, nproc = int(sys.argv[1]), int(sys.argv[2])
    torch.set_num_threads(1)
    _warm_up_kernel_watch()
    # Descriptors the runner did not open itself (bubblewrap's own) are closed: a submission
    # writing on every descriptor must not reach them.
    os.closerange(3, 1024)
    # The channel to the harness moves to descriptors of its own; 0, 1 and 2 become /dev/null
    # and the submission's prints go to a buffer that is thrown away.
    channel_in = os.fdopen(os.dup(0), "rb", buffering=0)
    channel_out = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)

    def receive() -> dict | None:
        line = channel_in.readline(MAX_LINE)
        return json.loads(line) if line else None

    def send(record: dict) -> None:
        data = (json.dumps(record) + "\n").encode()
        while data:
            data = data[os.write(channel_out, data) :]

    first = receive()
    if first is None:
        raise SystemExit("the harness closed the channel before sending the cells")
    wires = Tripwires(list(first.get("wrap", [])))
    cell_limit, call_limit = int(first["cell_timeout"]), int(first["call_timeout"])
    cells, nonce = first["cells"], first["nonce"]
    del first
    _drop_privileges(uid, nproc)
    signal.signal(signal.SIGALRM, _alarm)
    namespace: dict = {"__name__": "__main__", "display": lambda *a, **k: None}
    errors = []
    for i, source in enumerate(cells):
        sys.stdout = sys.stderr = io.StringIO()
        try:
            signal.alarm(cell_limit)
            exec(compile(source, f"<cell {i + 1}>", "exec"), namespace)  # noqa: S102
        except BaseException as exc:  # noqa: BLE001  (a submission may raise anything)
            errors.append(f"cell {i + 1}: {_error(exc, cell_limit)}")
        finally:
            signal.alarm(0)
    del cells
    sys.stdout = sys.stderr = io.StringIO()
    send({"nonce": nonce, "errors": errors[:20]})
    while True:
        request = receive()
        if not request or "nonce" not in request:
            return
        nonce = request["nonce"]
        record: dict = {"nonce": nonce}
        try:
            signal.alarm(call_limit)
            name = request["target"]
            if name not in namespace:
                raise NameError(f"name {name!r} is not defined")
            target = namespace[name]
            if request["is_call"]:
                args = [decode(a) for a in request["args"]]
                kwargs = {k: decode(v) for k, v in request["kwargs"].items()}
                forbid = frozenset(request.get("forbid", ()))
                del request
                wires.tripped.clear()
                wires.active = forbid
                watch = KernelWatch(forbid)
                if watch.watched:
                    with watch:
                        result = _make_call(target, args, kwargs)
                    if watch.seen is not None:
                        wires.tripped.append(watch.seen)
                else:
                    result = _make_call(target, args, kwargs)
            else:
                del request
                result = target
            record["value"] = encode(result)
            json.dumps(record)  # fail here, inside the try, if it is not JSON-able
        except BaseException as exc:  # noqa: BLE001
            record = {"nonce": nonce, "error": _error(exc, call_limit)}
        finally:
            signal.alarm(0)
        if wires.tripped:
            record = {"nonce": nonce, "forbidden": wires.tripped[0]}
        wires.active = frozenset()
        sys.stdout = sys.stderr = io.StringIO()
        send(record)


if __name__ == "__main__":
    main()
