r"""Soft attention: Nadaraya–Watson pooling and scaled dot-product attention (chapters 1–2, 4).

Soft attention returns a weighted sum of values, :math:`\sum_i \alpha_i v_i`, whose weights
:math:`\alpha = \mathrm{softmax}(\text{scores})` come from comparing a query with keys.
Shape legend: ``L`` queries, ``S`` keys/values, ``E`` query/key size, ``Ev`` value size.
"""

from __future__ import annotations

import math
from typing import Literal, overload

import torch

from attnlib.softmax import _softmax
from attnlib.validation import (
    check_mask,
    check_query_key_value,
    check_scalar,
    check_tensor,
    describe,
)

__all__ = ["attention_pooling", "gaussian_kernel_scores", "scaled_dot_product_attention"]


def gaussian_kernel_scores(
    query: torch.Tensor, key: torch.Tensor, *, bandwidth: float = 1.0
) -> torch.Tensor:
    r"""Scores of a Gaussian kernel, :math:`s(q, k) = -\lVert q - k \rVert^2 / (2 h^2)`.

    Softmax over these scores gives the Nadaraya–Watson weights
    :math:`K_h(q - k_i) / \sum_j K_h(q - k_j)` (the kernel's constant cancels).

    Args:
        query: ``(L,)`` scalars or ``(L, E)`` vectors.
        key: ``(S,)`` or ``(S, E)``, matching ``query``.
        bandwidth: ``h``, a finite number > 0.

    Returns:
        scores ``(L, S)``.

    Example:
        >>> gaussian_kernel_scores(torch.tensor([0.0]), torch.tensor([1.0, 2.0]))
        tensor([[-0.5000, -2.0000]])
    """
    query, key, bandwidth = _check_kernel_arguments(query, key, bandwidth)
    return _gaussian_kernel_scores(query, key, bandwidth)


def _check_kernel_arguments(
    query: object, key: object, bandwidth: object
) -> tuple[torch.Tensor, torch.Tensor, float]:
    query = check_tensor(query, "query", floating=True)
    key = check_tensor(key, "key", floating=True)
    bandwidth = check_scalar(bandwidth, "bandwidth", positive=True)
    if query.dim() not in (1, 2) or key.dim() != query.dim():
        raise ValueError(
            "query and key must both have shape (n,) or both (n, E), got shapes "
            f"{tuple(query.shape)} and {tuple(key.shape)}"
        )
    if query.dim() == 2 and key.shape[-1] != query.shape[-1]:
        raise ValueError(
            f"key must have last dimension {query.shape[-1]} to match query, "
            f"got shape {tuple(key.shape)}"
        )
    return query, key, bandwidth


def _gaussian_kernel_scores(
    query: torch.Tensor, key: torch.Tensor, bandwidth: float
) -> torch.Tensor:
    """The kernel of :func:`gaussian_kernel_scores` (arguments already checked)."""
    if query.dim() == 1:
        query, key = query.unsqueeze(-1), key.unsqueeze(-1)  # (L, 1), (S, 1)
    squared = torch.cdist(query, key).pow(2)  # (L, E), (S, E) -> (L, S)
    return -squared / (2 * bandwidth**2)


@overload
def attention_pooling(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    *,
    bandwidth: float = ...,
    return_weights: Literal[False] = ...,
) -> torch.Tensor: ...
@overload
def attention_pooling(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    *,
    bandwidth: float = ...,
    return_weights: Literal[True],
) -> tuple[torch.Tensor, torch.Tensor]: ...
@overload
def attention_pooling(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    *,
    bandwidth: float = ...,
    return_weights: bool = ...,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]: ...
def attention_pooling(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    *,
    bandwidth: float = 1.0,
    return_weights: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    r"""Nadaraya–Watson kernel regression as attention pooling (Nadaraya 1964; Watson 1964).

    .. math::
        f(q) = \sum_i \alpha_i(q)\, v_i, \qquad
        \alpha_i(q) = \frac{\exp(-\lVert q - k_i\rVert^2 / 2h^2)}
                           {\sum_j \exp(-\lVert q - k_j\rVert^2 / 2h^2)}

    The first model of chapter 1: no parameters but the bandwidth ``h``.

    Args:
        query: ``(L,)`` or ``(L, E)``.
        key: ``(S,)`` or ``(S, E)``: the training inputs.
        value: ``(S,)`` or ``(S, Ev)``: the training targets.
        bandwidth: ``h`` > 0; small ``h`` follows the nearest keys, large ``h`` averages all.
        return_weights: also return the ``(L, S)`` weights.

    Returns:
        predictions ``(L,)`` or ``(L, Ev)``, and the weights if asked.

    Example:
        >>> x = torch.linspace(0, 1, 5)
        >>> attention_pooling(x, x, 2 * x, bandwidth=1e-3)
        tensor([0.0000, 0.5000, 1.0000, 1.5000, 2.0000])
    """
    query, key, bandwidth = _check_kernel_arguments(query, key, bandwidth)
    value = check_tensor(value, "value", floating=True)
    if value.dim() not in (1, 2) or value.shape[0] != key.shape[0]:
        raise ValueError(
            f"value must have shape ({key.shape[0]},) or ({key.shape[0]}, Ev) to match "
            f"key, got shape {tuple(value.shape)}"
        )
    scores = _gaussian_kernel_scores(query, key, bandwidth)  # (L, S)
    weights = _softmax(scores, -1)  # (L, S), each row sums to 1
    output = weights @ value  # (L, S) @ (S,) or (S, Ev) -> (L,) or (L, Ev)
    return (output, weights) if return_weights else output


def scaled_dot_product_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    mask: torch.Tensor | None = None,
    *,
    return_weights: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    r"""Scaled dot-product attention (Vaswani et al., 2017).

    .. math::
        \mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{E}}\right) V

    Equal to :func:`torch.nn.functional.scaled_dot_product_attention` with a boolean
    ``attn_mask``. A fully masked query row gives zero weights and a zero output by design
    (torch 2.13 on the CPU does the same; older releases and other back ends of torch have
    returned NaN there, so the course does not rely on it). Derived in chapters 2 and 4.

    Args:
        query: ``(..., L, E)``.
        key: ``(..., S, E)``.
        value: ``(..., S, Ev)``.
        mask: optional boolean, broadcastable to ``(..., L, S)``; ``True`` = may be attended
            (the convention of ``F.scaled_dot_product_attention``; the opposite of
            ``nn.MultiheadAttention``'s ``key_padding_mask``).
        return_weights: also return the attention weights.

    Returns:
        output ``(..., L, Ev)``, and weights ``(..., L, S)`` if ``return_weights``.

    Example:
        >>> q, k, v = torch.randn(2, 3, 4), torch.randn(2, 5, 4), torch.randn(2, 5, 6)
        >>> scaled_dot_product_attention(q, k, v).shape
        torch.Size([2, 3, 6])
    """
    query, key, value = check_query_key_value(query, key, value)
    if not isinstance(return_weights, bool):
        raise TypeError(f"return_weights must be a bool, got {describe(return_weights)}")
    try:
        batch = torch.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    except RuntimeError:
        raise ValueError(
            "query, key and value batch dimensions must broadcast, got shapes "
            f"{tuple(query.shape)}, {tuple(key.shape)} and {tuple(value.shape)}"
        ) from None
    mask = check_mask(mask, batch + (query.shape[-2], key.shape[-2]))
    output, weights = _scaled_dot_product_attention(query, key, value, mask)
    return (output, weights) if return_weights else output


def _scaled_dot_product_attention(
    query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, mask: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """The kernel of :func:`scaled_dot_product_attention`: ``(output, weights)``, unchecked."""
    scores = query @ key.transpose(-2, -1) / math.sqrt(query.shape[-1])  # (..., L, S)
    weights = _softmax(scores, -1, 1.0, mask)  # (..., L, S)
    output = weights @ value  # (..., L, S) @ (..., S, Ev) -> (..., L, Ev)
    return output, weights
