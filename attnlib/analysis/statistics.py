r"""Describing attention weights: entropy, effective number of positions, largest weight (ch. 9).

For one distribution :math:`\alpha` over :math:`n` positions, the entropy in nats

.. math:: H(\alpha) = -\sum_i \alpha_i \log \alpha_i, \qquad 0 \le H \le \log n,

is 0 for a one-hot :math:`\alpha` and :math:`\log n` for the uniform one; :math:`\exp(H)`, the
*effective number* of attended positions, runs from 1 to :math:`n`. A mask shrinks the bound
to :math:`\log n_{\text{valid}}`: masked positions carry no weight and are left out.
"""

from __future__ import annotations

import torch

from attnlib.validation import check_dim, check_mask, check_tensor

__all__ = ["attention_entropy", "effective_number", "max_weight", "check_distributions"]


def check_distributions(
    weights: torch.Tensor, name: str, dim: int = -1, *, atol: float = 1e-4
) -> torch.Tensor:
    """Return ``weights`` if its slices along ``dim`` are probability distributions, else raise.

    Entries must be finite and non-negative, and each slice must sum to 1 within ``atol`` or be
    all zero (a fully masked row).

    Example:
        >>> check_distributions(torch.tensor([0.5, 0.6]), "weights")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: weights must hold probability distributions ... got a slice summing to 1.1
    """
    weights = check_tensor(weights, name, min_dim=1, floating=True, finite=True)
    if weights.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(weights.shape)}")
    if (weights < 0).any():
        raise ValueError(
            f"{name} must hold probability distributions along dim {dim} (non-negative, each "
            f"summing to 1), got a negative entry {weights.min().item():.4g}"
        )
    sums = weights.sum(dim=dim)
    bad = ((sums - 1).abs() > atol) & (sums.abs() > atol)
    if bad.any():
        raise ValueError(
            f"{name} must hold probability distributions along dim {dim} (non-negative, each "
            f"summing to 1), got a slice summing to {sums[bad][0].item():.4g}"
        )
    return weights


def _entropy(weights: torch.Tensor, dim: int, mask: torch.Tensor | None) -> torch.Tensor:
    if mask is not None:
        weights = weights.masked_fill(~mask, 0.0)
    # 0 log 0 = 0 (the limit): use xlogy, which is exactly 0 where the weight is 0.
    return -torch.special.xlogy(weights, weights).sum(dim=dim)


def attention_entropy(
    weights: torch.Tensor, dim: int = -1, *, mask: torch.Tensor | None = None
) -> torch.Tensor:
    r"""Entropy in nats of each attention distribution along ``dim``.

    .. math:: H = -\sum_{i:\, m_i} \alpha_i \log \alpha_i \quad (0 \log 0 = 0)

    Args:
        weights: ``(*, n, *)`` attention weights, each slice along ``dim`` a distribution
            (non-negative, summing to 1) over its unmasked entries.
        dim: the attended axis.
        mask: optional boolean, broadcastable to ``weights``; ``True`` = may be attended.
            Masked entries are excluded; a fully masked slice gives entropy 0.

    Returns:
        ``weights``' shape without ``dim``: entropies in ``[0, log n_valid]``.

    Example:
        >>> attention_entropy(torch.full((4,), 0.25))  # log 4
        tensor(1.3863)
        >>> attention_entropy(torch.tensor([0.5, 0.5, 0.0]), mask=torch.tensor([True, True, False]))
        tensor(0.6931)
    """
    weights = check_tensor(weights, "weights", min_dim=1, floating=True, finite=True)
    dim = check_dim(dim, weights)
    mask = check_mask(mask, weights.shape)
    if weights.shape[dim] == 0:
        raise ValueError(
            f"weights must have at least one position along dim {dim}, got shape "
            f"{tuple(weights.shape)}"
        )
    kept = weights if mask is None else weights.masked_fill(~mask, 0.0)
    check_distributions(kept, "weights", dim)
    return _entropy(weights, dim, mask)


def effective_number(
    weights: torch.Tensor, dim: int = -1, *, mask: torch.Tensor | None = None
) -> torch.Tensor:
    r"""The effective number of attended positions, :math:`\exp(H)`, from 1 to ``n_valid``.

    A fully masked slice gives 1 (:math:`\exp(0)`). Arguments as in :func:`attention_entropy`.

    Example:
        >>> effective_number(torch.tensor([0.5, 0.5, 0.0, 0.0]))
        tensor(2.)
    """
    return attention_entropy(weights, dim, mask=mask).exp()


def max_weight(
    weights: torch.Tensor, dim: int = -1, *, mask: torch.Tensor | None = None
) -> torch.Tensor:
    r"""The largest weight :math:`\max_i \alpha_i` of each distribution, in ``[1/n_valid, 1]``.

    Masked entries are ignored; a fully masked slice gives 0. Arguments as in
    :func:`attention_entropy`.

    Example:
        >>> max_weight(torch.tensor([[0.2, 0.8], [0.5, 0.5]]))
        tensor([0.8000, 0.5000])
    """
    weights = check_tensor(weights, "weights", min_dim=1, floating=True, finite=True)
    dim = check_dim(dim, weights)
    mask = check_mask(mask, weights.shape)
    kept = weights if mask is None else weights.masked_fill(~mask, 0.0)
    check_distributions(kept, "weights", dim)
    return kept.amax(dim=dim)
