"""Input validation shared by every public function of attnlib.

Each check raises at the public entry point, once, with a message in the style of
scikit-learn: it names the argument, says what was expected and what came, and where it can,
how to fix it. ``TypeError`` is for a wrong type, ``ValueError`` for a wrong value.

    >>> check_tensor("abc", "x")
    Traceback (most recent call last):
    ...
    TypeError: x must be a torch.Tensor, got str
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import torch

__all__ = [
    "check_token_ids",
    "check_tensor",
    "check_scalar",
    "check_int",
    "check_dim",
    "check_mask",
    "check_choice",
    "check_one_per",
    "check_query_key_value",
    "describe",
]


def describe(value: object) -> str:
    """A short description of ``value`` for an error message: type, and shape for tensors."""
    if isinstance(value, torch.Tensor):
        return f"tensor of shape {tuple(value.shape)} and dtype {value.dtype}"
    return type(value).__name__


def check_tensor(
    value: object,
    name: str,
    *,
    min_dim: int | None = None,
    ndim: int | None = None,
    floating: bool = False,
    finite: bool = False,
) -> torch.Tensor:
    """Return ``value`` if it is a tensor that meets the requirements, else raise.

    Args:
        value: the argument as the caller passed it.
        name: the argument's name, used in the message.
        min_dim: the least number of dimensions allowed.
        ndim: the exact number of dimensions required.
        floating: require a floating-point dtype.
        finite: require every element to be finite (no NaN, no ±inf).
    """
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {describe(value)}")
    if ndim is not None and value.dim() != ndim:
        raise ValueError(
            f"{name} must have {ndim} dimension{'s' if ndim != 1 else ''}, "
            f"got shape {tuple(value.shape)}"
        )
    if min_dim is not None and value.dim() < min_dim:
        raise ValueError(
            f"{name} must have at least {min_dim} dimensions, got shape {tuple(value.shape)}"
        )
    if floating and not value.is_floating_point():
        raise TypeError(
            f"{name} must have a floating-point dtype, got {value.dtype}; "
            f"convert it with {name}.float()"
        )
    if finite and value.is_floating_point() and not torch.isfinite(value).all():
        raise ValueError(f"{name} must contain only finite values, got NaN or inf")
    return value


def check_scalar(
    value: object,
    name: str,
    *,
    positive: bool = False,
    nonnegative: bool = False,
    finite: bool = True,
) -> float:
    """Return ``value`` as a float if it is a real number that meets the requirements."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {describe(value)}")
    value = float(value)
    if finite and not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if positive and not value > 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    if nonnegative and not value >= 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def check_int(value: object, name: str, *, minimum: int | None = None) -> int:
    """Return ``value`` if it is an integer (not a bool) at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {describe(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def check_query_key_value(
    query: object, key: object, value: object
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Check attention's inputs: floating ``(*, L, E)``, ``(*, S, E)`` and ``(*, S, Ev)`` tensors.

    The last dimensions of ``query`` and ``key`` must match, and ``value`` must have one row per
    key; the leading dimensions are left to the caller (they broadcast).
    """
    query = check_tensor(query, "query", min_dim=2, floating=True)
    key = check_tensor(key, "key", min_dim=2, floating=True)
    value = check_tensor(value, "value", min_dim=2, floating=True)
    if key.shape[-1] != query.shape[-1]:
        raise ValueError(
            f"key must have last dimension {query.shape[-1]} to match query, "
            f"got shape {tuple(key.shape)}"
        )
    if value.shape[-2] != key.shape[-2]:
        raise ValueError(
            f"value must have {key.shape[-2]} rows (one per key) in dimension -2, "
            f"got shape {tuple(value.shape)}"
        )
    return query, key, value


def check_token_ids(
    tokens: object, *, vocab_size: int, max_length: int, length_name: str = "max_length"
) -> torch.Tensor:
    """``(B, T)`` int64 token ids in ``[0, vocab_size)``, ``T <= max_length``; else a clear error.

    ``length_name`` is the config field the limit comes from, named in the message.
    """
    tokens = check_tensor(tokens, "tokens", ndim=2)
    if tokens.dtype != torch.int64:
        raise TypeError(f"tokens must be int64 token ids, got dtype {tokens.dtype}")
    if tokens.shape[1] > max_length:
        raise ValueError(
            f"tokens must have at most {length_name}={max_length} positions, "
            f"got shape {tuple(tokens.shape)}"
        )
    if tokens.numel() and (tokens.min() < 0 or tokens.max() >= vocab_size):
        raise ValueError(
            f"tokens must lie in [0, {vocab_size}), got values from "
            f"{int(tokens.min())} to {int(tokens.max())}"
        )
    return tokens


def check_one_per(value: torch.Tensor, name: str, count: int, item: str) -> torch.Tensor:
    """Return ``value`` if it has ``count`` entries, one per ``item`` (one label per image)."""
    if len(value) != count:
        raise ValueError(f"{name} must have one entry per {item} ({count}), got {len(value)}")
    return value


def check_dim(dim: object, x: torch.Tensor, name: str = "dim") -> int:
    """Return ``dim`` as a non-negative axis of ``x``, or raise naming ``name``."""
    dim = check_int(dim, name)
    if not -x.dim() <= dim < max(x.dim(), 1):
        raise ValueError(
            f"{name} must be in [{-x.dim()}, {x.dim() - 1}] for a tensor of shape "
            f"{tuple(x.shape)}, got {dim}"
        )
    return dim % max(x.dim(), 1)


def check_mask(mask: object, shape: torch.Size, name: str = "mask") -> torch.Tensor | None:
    """Return ``mask`` if it is None or a boolean tensor that broadcasts to ``shape``.

    The course has one mask convention: ``True`` means "may be attended".
    """
    if mask is None:
        return None
    if not isinstance(mask, torch.Tensor):
        raise TypeError(f"{name} must be a boolean torch.Tensor or None, got {describe(mask)}")
    if mask.dtype != torch.bool:
        raise TypeError(
            f"{name} must have dtype torch.bool (True = may be attended), got {mask.dtype}"
        )
    try:
        torch.broadcast_shapes(mask.shape, shape)
    except RuntimeError:
        raise ValueError(
            f"{name} of shape {tuple(mask.shape)} does not broadcast to the scores' "
            f"shape {tuple(shape)}"
        ) from None
    if len(torch.broadcast_shapes(mask.shape, shape)) != len(shape):
        raise ValueError(
            f"{name} of shape {tuple(mask.shape)} has more dimensions than the scores' "
            f"shape {tuple(shape)}"
        )
    return mask


def check_choice(value: object, name: str, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {list(choices)}, got {describe(value)}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value
