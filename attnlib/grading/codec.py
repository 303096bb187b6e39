"""Plain data in and out of the sandbox: tensors as JSON, never pickle.

What crosses the process boundary is JSON text. ``encode`` turns tensors, arrays, numbers,
strings, lists and dicts into JSON-able values; anything else becomes a note of its type, so
an object with a rigged ``__eq__`` arrives as a string and compares equal to nothing.
``decode`` rebuilds tensors from that data and rejects anything malformed; it is the only
thing that reads what a submission's process wrote.

    >>> decode(encode(torch.tensor([1.0, 2.0])))
    tensor([1., 2.])
"""

from __future__ import annotations

import math
import numbers

import torch

TENSOR, OBJECT, DICT = "__tensor__", "__object__", "__dict__"
_DTYPES = {
    "float64": torch.float64,
    "float32": torch.float32,
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "int64": torch.int64,
    "int32": torch.int32,
    "int16": torch.int16,
    "int8": torch.int8,
    "uint8": torch.uint8,
    "bool": torch.bool,
}
MAX_DEPTH = 8
MAX_ELEMENTS = 1_000_000


class DecodeError(ValueError):
    """What the sandbox sent is not well-formed plain data."""


def encode(obj: object, depth: int = 0) -> object:
    """Return ``obj`` as JSON-able plain data (tensors and numpy arrays become tagged lists)."""
    if depth > MAX_DEPTH:
        return {OBJECT: "nested too deep"}
    if obj is None or type(obj) in (bool, int, float, str):
        return obj
    if isinstance(obj, torch.Tensor):
        # Call the base class's methods: a subclass cannot substitute its own data.
        t = torch.Tensor.detach(obj).as_subclass(torch.Tensor).cpu()
        name = str(t.dtype).removeprefix("torch.")
        if name not in _DTYPES:
            return {OBJECT: f"tensor of dtype {t.dtype}"}
        if t.dtype == torch.bfloat16 or t.dtype == torch.float16:
            t = t.float()
            name = "float32"
        return {TENSOR: {"dtype": name, "shape": list(t.shape), "data": t.reshape(-1).tolist()}}
    if type(obj).__module__ == "numpy" and hasattr(obj, "dtype"):
        import numpy as np

        arr = np.asarray(obj)
        if arr.dtype.kind in "fiub":
            return encode(torch.from_numpy(np.ascontiguousarray(arr)), depth)
        return {OBJECT: f"numpy array of dtype {arr.dtype}"}
    if isinstance(obj, (bool, numbers.Integral)) and type(obj).__module__ in ("builtins", "numpy"):
        return bool(obj) if isinstance(obj, bool) else int(obj)
    if isinstance(obj, numbers.Real) and type(obj).__module__ in ("builtins", "numpy"):
        return float(obj)
    if type(obj) is list or type(obj) is tuple:
        return [encode(x, depth + 1) for x in obj]
    if type(obj) is dict and all(type(k) is str for k in obj):
        return {DICT: {k: encode(v, depth + 1) for k, v in obj.items()}}
    return {OBJECT: type(obj).__name__}


def decode(data: object, depth: int = 0) -> object:
    """Rebuild what ``encode`` produced; raise DecodeError on anything else."""
    if depth > MAX_DEPTH + 1:
        raise DecodeError("nested too deep")
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is list:
        return [decode(x, depth + 1) for x in data]
    if type(data) is dict and len(data) == 1:
        ((tag, body),) = data.items()
        if tag == TENSOR:
            return _decode_tensor(body)
        if tag == DICT and type(body) is dict:
            return {str(k): decode(v, depth + 1) for k, v in body.items()}
        if tag == OBJECT and type(body) is str:
            return Opaque(body[:200])
    raise DecodeError(f"unexpected value of type {type(data).__name__}")


class Opaque:
    """Stands for an object the sandbox could not turn into plain data; equal to nothing."""

    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __eq__(self, other: object) -> bool:
        return False

    # Unhashable, as a class that defines __eq__ is; typeshed types object.__hash__ as a
    # method, so mypy rejects the None that the data model prescribes for this.
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{self.kind}>"


def _decode_tensor(body: object) -> torch.Tensor:
    if type(body) is not dict or set(body) != {"dtype", "shape", "data"}:
        raise DecodeError("a tensor needs exactly dtype, shape and data")
    dtype, shape, data = body["dtype"], body["shape"], body["data"]
    if dtype not in _DTYPES:
        raise DecodeError(f"unknown dtype {dtype!r}")
    if type(shape) is not list or not all(type(n) is int and 0 <= n for n in shape):
        raise DecodeError("a tensor's shape must be a list of non-negative ints")
    if len(shape) > 8 or math.prod(shape) > MAX_ELEMENTS:
        raise DecodeError(f"tensor of shape {shape} is too large")
    if type(data) is not list or len(data) != math.prod(shape):
        raise DecodeError(f"tensor data does not match shape {shape}")
    if not all(type(x) in (int, float, bool) for x in data):
        raise DecodeError("tensor data must be numbers")
    return torch.tensor(data, dtype=_DTYPES[dtype]).reshape(shape)
