"""Compare a learner's output with the reference output, both plain data (see codec).

``compare`` returns ``None`` when they match and otherwise a message that says what was
expected and what came, in the words a learner can act on:

    >>> compare(torch.tensor([0.5, 0.5]), torch.tensor([1.0, 0.0]), rtol=1e-4, atol=1e-5)
    'values differ: largest difference 0.5 at index (0,): expected 0.5, got 1'
"""

from __future__ import annotations

import math
import numbers
from typing import TypeGuard

import torch

from attnlib.grading.codec import Opaque


def describe(x: object) -> str:
    """A short, bounded description of a plain value for feedback."""
    if isinstance(x, torch.Tensor):
        if x.numel() <= 8:
            return f"tensor {_fmt_list(x)} of shape {tuple(x.shape)}"
        return f"a tensor of shape {tuple(x.shape)}"
    if isinstance(x, Opaque):
        return f"an object of type {x.kind}"
    if isinstance(x, (list, tuple)):
        return f"a list of length {len(x)}"
    if isinstance(x, dict):
        return f"a dict with keys {sorted(x)[:8]}"
    text = repr(x)
    return text if len(text) <= 80 else text[:77] + "..."


def _fmt_list(t: torch.Tensor) -> str:
    return str([_fmt(v) for v in t.reshape(-1).tolist()]).replace("'", "")


def _fmt(v: object) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _is_number(x: object) -> TypeGuard[numbers.Real]:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def compare(expected: object, got: object, *, rtol: float, atol: float) -> str | None:
    """Return None if ``got`` matches ``expected``, else what differs."""
    if isinstance(expected, Opaque):
        raise TypeError(f"the reference produced an unsupported object: {expected!r}")
    if isinstance(expected, torch.Tensor):
        return _compare_tensor(expected, got, rtol=rtol, atol=atol)
    if isinstance(expected, bool):
        if isinstance(got, bool) and got == expected:
            return None
        return f"expected {expected}, got {describe(got)}"
    if _is_number(expected):
        if isinstance(got, torch.Tensor) and got.numel() == 1 and not got.dtype == torch.bool:
            got = got.item()
        if isinstance(got, list) and len(got) == 1:
            got = got[0]
        if not _is_number(got):
            return f"expected the number {_fmt(expected)}, got {describe(got)}"
        if math.isclose(got, expected, rel_tol=rtol, abs_tol=atol):
            return None
        return f"expected {_fmt(float(expected))}, got {_fmt(float(got))}"
    if isinstance(expected, str):
        if isinstance(got, str) and got.strip().lower() == expected.strip().lower():
            return None
        return f"expected {expected!r}, got {describe(got)}"
    if isinstance(expected, list):
        if isinstance(got, torch.Tensor):  # a tensor where a list is expected: its items
            got = got.tolist()
        if not isinstance(got, list) or len(got) != len(expected):
            return f"expected {describe(expected)}, got {describe(got)}"
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            message = compare(e, g, rtol=rtol, atol=atol)
            if message:
                return f"item {i}: {message}"
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"expected {describe(expected)}, got {describe(got)}"
        for key in expected:
            message = compare(expected[key], got[key], rtol=rtol, atol=atol)
            if message:
                return f"key {key!r}: {message}"
        return None
    if expected is None:
        return None if got is None else f"expected None, got {describe(got)}"
    raise TypeError(f"cannot compare a reference of type {type(expected).__name__}")


def _compare_tensor(expected: torch.Tensor, got: object, *, rtol: float, atol: float) -> str | None:
    if _is_number(got) and expected.numel() == 1:
        got = torch.tensor(float(got)).reshape(expected.shape)
    if isinstance(got, list):  # a list where a tensor is expected: the tensor it spells
        try:
            got = torch.tensor(got, dtype=expected.dtype if expected.dtype == torch.bool else None)
        except (TypeError, ValueError, RuntimeError, OverflowError):
            return f"expected {describe(expected)}, got {describe(got)}"
    if not isinstance(got, torch.Tensor):
        return f"expected {describe(expected)}, got {describe(got)}"
    if tuple(got.shape) != tuple(expected.shape):
        return f"expected shape {tuple(expected.shape)}, got shape {tuple(got.shape)}"
    if expected.dtype == torch.bool or got.dtype == torch.bool:
        if got.dtype != expected.dtype:
            return f"expected dtype {expected.dtype}, got {got.dtype}"
        if torch.equal(got, expected):
            return None
        index = tuple(torch.nonzero(got != expected)[0].tolist())
        return (
            f"values differ at index {index}: expected {expected[index].item()}, "
            f"got {got[index].item()}"
        )
    e, g = expected.double(), got.double()
    if torch.isnan(g).any() and not torch.isnan(e).any():
        index = tuple(torch.nonzero(torch.isnan(g))[0].tolist())
        return f"got NaN at index {index}, where {_fmt(e[index].item())} was expected"
    close = torch.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    diff = torch.where(
        close, torch.zeros_like(e), (g - e).abs().nan_to_num(nan=math.inf, posinf=math.inf)
    )
    index = tuple(torch.nonzero(diff == diff.max())[0].tolist())
    return (
        f"values differ: largest difference {_fmt(diff[index].item())} at index {index}: "
        f"expected {_fmt(e[index].item())}, got {_fmt(g[index].item())}"
    )
