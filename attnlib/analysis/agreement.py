r"""Do two importance maps agree? Kendall's τ, and precision at k against a known truth (ch. 9).

Jain and Wallace (2019) compared attention weights with gradient-based importances by
Kendall's rank correlation. For two scorings :math:`a, b` of the same :math:`n` units, with
:math:`C` concordant and :math:`D` discordant pairs and :math:`T_a, T_b` pairs tied only in
:math:`a` or only in :math:`b`, the tie-corrected τ-b is

.. math:: \tau_b = \frac{C - D}{\sqrt{(C + D + T_a)(C + D + T_b)}} \in [-1, 1]:

1 for the same order, -1 for the reverse, about 0 for unrelated orders. SciPy's
``scipy.stats.kendalltau`` computes it (SciPy comes with scikit-learn).

Shape legend: ``N`` examples, ``U`` units.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.stats import kendalltau as _scipy_kendalltau

from attnlib.validation import check_int, check_tensor

__all__ = ["kendall_tau", "precision_at_k"]


def _check_pair(a: object, b: object) -> tuple[torch.Tensor, torch.Tensor]:
    a = check_tensor(a, "a", floating=True, finite=True)
    b = check_tensor(b, "b", floating=True, finite=True)
    if a.dim() not in (1, 2):
        raise ValueError(f"a must have shape (U,) or (N, U), got shape {tuple(a.shape)}")
    if b.shape != a.shape:
        raise ValueError(f"b must have the shape of a {tuple(a.shape)}, got {tuple(b.shape)}")
    if a.shape[-1] < 2:
        raise ValueError(f"a and b must score at least 2 units, got shape {tuple(a.shape)}")
    return a, b


def kendall_tau(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    r"""Kendall's τ-b between two scorings of the same units, per row.

    .. math:: \tau_b = \frac{C - D}{\sqrt{(C + D + T_a)(C + D + T_b)}}

    Args:
        a: ``(U,)`` or ``(N, U)`` scores (larger = more important).
        b: the same shape.

    Returns:
        ``()`` or ``(N,)`` float64 in ``[-1, 1]``; NaN for a row that is constant in ``a`` or
        ``b`` (τ is undefined there).

    Example:
        >>> kendall_tau(torch.tensor([1.0, 2.0, 3.0, 4.0]), torch.tensor([1.0, 2.0, 4.0, 3.0]))
        tensor(0.6667, dtype=torch.float64)
    """
    a, b = _check_pair(a, b)
    rows_a, rows_b = a.reshape(-1, a.shape[-1]).double(), b.reshape(-1, b.shape[-1]).double()
    taus = [
        _scipy_kendalltau(x.numpy(), y.numpy()).statistic
        for x, y in zip(rows_a, rows_b, strict=True)
    ]
    return torch.tensor(np.asarray(taus, dtype=np.float64)).reshape(a.shape[:-1])


def precision_at_k(scores: torch.Tensor, relevant: torch.Tensor, k: int) -> torch.Tensor:
    r"""The fraction of the ``k`` top-scored units that are relevant, per row.

    .. math:: P@k = \frac{|\mathrm{top}_k(s) \cap R|}{k}

    Ties are broken by position (a stable sort), so a constant score is no better than the
    first ``k`` units.

    Args:
        scores: ``(N, U)`` importance of each unit.
        relevant: ``(N, U)`` bool, True on the units that truly decide.
        k: how many top units to look at, ``1 <= k <= U``.

    Returns:
        ``(N,)`` in ``[0, 1]``.

    Example:
        >>> precision_at_k(torch.tensor([[0.9, 0.1, 0.8]]), torch.tensor([[True, False, False]]), 2)
        tensor([0.5000])
    """
    scores = check_tensor(scores, "scores", ndim=2, floating=True, finite=True)
    relevant = check_tensor(relevant, "relevant", ndim=2)
    if relevant.dtype != torch.bool or relevant.shape != scores.shape:
        raise ValueError(
            f"relevant must be a bool tensor of the shape of scores {tuple(scores.shape)}, got "
            f"{relevant.dtype} of shape {tuple(relevant.shape)}"
        )
    k = check_int(k, "k", minimum=1)
    if k > scores.shape[1]:
        raise ValueError(f"k must be <= {scores.shape[1]} (the number of units), got {k}")
    top = torch.argsort(scores, dim=1, descending=True, stable=True)[:, :k]  # (N, k)
    return relevant.gather(1, top).float().mean(dim=1)
