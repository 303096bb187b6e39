r"""Deletion and insertion curves for any ranking, and the area under a curve (chapter 9).

Petsiuk, Das and Saenko (2018), after Samek et al. (2017). An importance map ranks the
*units* of an input (pixels, patches, tokens) from most to least important.

- **Deletion**: replace the top :math:`k` units by a baseline (the blank background) for
  :math:`k = 0, \dots, U` and record the probability :math:`p_k` the model gives the class it
  predicted on the intact input. A faithful ranking makes :math:`p_k` fall early: a *low*
  area under the curve is good.
- **Insertion**: start from the baseline and put the top :math:`k` units back. A faithful
  ranking makes :math:`p_k` rise early: a *high* area is good.

The area is the trapezoid rule over the deleted (inserted) fraction :math:`k / U \in [0, 1]`,

.. math:: \mathrm{AUC} = \sum_{k=1}^{U} \frac{p_{k-1} + p_k}{2} \cdot \frac{1}{U}.

Shape legend: ``N`` inputs, ``U`` units, ``F`` points on a curve, ``*`` the input's shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from attnlib.validation import check_choice, check_int, check_tensor, describe

__all__ = [
    "FaithfulnessCurve",
    "area_under_curve",
    "faithfulness_curve",
    "patch_units",
    "rank_units",
]


def area_under_curve(fractions: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    r"""Area under ``values`` against ``fractions`` by the trapezoid rule, per row.

    .. math:: \sum_{k} \tfrac12 (v_{k-1} + v_k)(f_k - f_{k-1})

    Args:
        fractions: ``(F,)`` increasing x values (e.g. the deleted fraction, 0 to 1), ``F >= 2``.
        values: ``(*, F)`` y values.

    Returns:
        ``(*)`` areas.

    Example:
        >>> area_under_curve(torch.tensor([0.0, 0.5, 1.0]), torch.tensor([1.0, 0.0, 0.0]))
        tensor(0.2500)
    """
    fractions = check_tensor(fractions, "fractions", ndim=1, floating=True, finite=True)
    values = check_tensor(values, "values", min_dim=1, floating=True, finite=True)
    if len(fractions) < 2:
        raise ValueError(f"fractions must have at least 2 points, got {len(fractions)}")
    if values.shape[-1] != len(fractions):
        raise ValueError(
            f"values must have last dimension {len(fractions)} (one per fraction), got shape "
            f"{tuple(values.shape)}"
        )
    if (fractions.diff() < 0).any():
        raise ValueError(f"fractions must be increasing, got {fractions.tolist()}")
    return torch.trapezoid(values, fractions, dim=-1)


def patch_units(image_size: int, patch_size: int) -> torch.Tensor:
    """The unit (patch) index of every pixel, ``(S, S)`` int64, patches in raster order.

    Example:
        >>> patch_units(4, 2)
        tensor([[0, 0, 1, 1],
                [0, 0, 1, 1],
                [2, 2, 3, 3],
                [2, 2, 3, 3]])
    """
    image_size = check_int(image_size, "image_size", minimum=1)
    patch_size = check_int(patch_size, "patch_size", minimum=1)
    if image_size % patch_size:
        raise ValueError(f"patch_size must divide image_size={image_size}, got {patch_size}")
    g = image_size // patch_size
    rows = torch.arange(image_size) // patch_size  # (S,)
    return rows[:, None] * g + rows[None, :]  # (S, S)


def rank_units(scores: torch.Tensor) -> torch.Tensor:
    """Units ``(N, U)`` from the highest score to the lowest (stable: ties keep their order).

    Example:
        >>> rank_units(torch.tensor([[0.1, 0.7, 0.2]]))
        tensor([[1, 2, 0]])
    """
    scores = check_tensor(scores, "scores", ndim=2, floating=True, finite=True)
    return torch.argsort(scores, dim=1, descending=True, stable=True)


@dataclass(frozen=True)
class FaithfulnessCurve:
    """A deletion or insertion curve of each input.

    Attributes:
        kind: ``"deletion"`` or ``"insertion"``.
        fractions: ``(F,)`` fractions of the units deleted (inserted), from 0 to 1.
        probability: ``(N, F)`` the probability of each input's intact prediction.
    """

    kind: str
    fractions: torch.Tensor
    probability: torch.Tensor

    def area(self) -> torch.Tensor:
        """``(N,)`` the area under each input's curve (deletion: lower is better; insertion:
        higher is better)."""
        return area_under_curve(self.fractions, self.probability)

    def mean(self) -> torch.Tensor:
        """``(F,)`` the curve averaged over the inputs."""
        return self.probability.mean(dim=0)


@torch.no_grad()
def faithfulness_curve(
    model: nn.Module,
    x: torch.Tensor,
    order: torch.Tensor,
    *,
    kind: str = "deletion",
    baseline: float | torch.Tensor = 0.0,
    units: torch.Tensor | None = None,
    steps: Sequence[int] | None = None,
    batch_size: int = 500,
) -> FaithfulnessCurve:
    r"""The deletion or insertion curve of a ranking (Petsiuk et al., 2018).

    .. math::
        x^{(k)} = \begin{cases} b \text{ on the top } k \text{ units, } x \text{ elsewhere}
        & \text{(deletion)} \\ x \text{ on the top } k \text{ units, } b \text{ elsewhere}
        & \text{(insertion)} \end{cases}, \qquad p_k = \mathrm{softmax}(f(x^{(k)}))_{\hat y}

    with :math:`\hat y = \arg\max f(x)`, the intact prediction.

    Args:
        model: maps ``(B, *)`` to logits ``(B, K)``; put in eval mode here.
        x: ``(N, *)`` inputs.
        order: ``(N, U)`` int64, each row a permutation of the units, most important first
            (:func:`rank_units`).
        kind: ``"deletion"`` or ``"insertion"``.
        baseline: the value of a removed unit: a number, or a tensor broadcastable to ``x``.
        units: ``*``-shaped int64 tensor giving each input element's unit in ``[0, U)``
            (e.g. :func:`patch_units` for the pixels of a patch); default: each element of
            ``x[0]`` is its own unit, in flattened order.
        steps: the values of :math:`k` to evaluate, increasing from 0 to ``U``; default all.
        batch_size: inputs per forward pass.

    Returns:
        A :class:`FaithfulnessCurve` with ``fractions = k / U``.

    Example:
        >>> model = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
        >>> x = torch.randn(3, 4)
        >>> order = torch.arange(4).repeat(3, 1)
        >>> faithfulness_curve(model, x, order).probability.shape
        torch.Size([3, 5])
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {describe(model)}")
    x = check_tensor(x, "x", min_dim=2, floating=True)
    order = check_tensor(order, "order", ndim=2)
    kind = check_choice(kind, "kind", ("deletion", "insertion"))
    N = len(x)
    if N == 0:
        raise ValueError(f"x must hold at least one input, got shape {tuple(x.shape)}")
    if units is None:
        units = torch.arange(x[0].numel()).view(x.shape[1:])
    units = check_tensor(units, "units")
    if units.shape != x.shape[1:]:
        raise ValueError(
            f"units must have shape {tuple(x.shape[1:])} (one unit per element of an input), "
            f"got shape {tuple(units.shape)}"
        )
    U = int(units.max().item()) + 1
    if order.shape != (N, U):
        raise ValueError(
            f"order must have shape ({N}, {U}) (a ranking of the {U} units of each input), got "
            f"shape {tuple(order.shape)}"
        )
    if not torch.equal(order.sort(dim=1).values, torch.arange(U).expand(N, U)):
        raise ValueError(f"order must hold a permutation of 0..{U - 1} in every row")
    if steps is None:
        steps = list(range(U + 1))
    steps = [check_int(k, f"steps[{i}]", minimum=0) for i, k in enumerate(steps)]
    increasing = all(b > a for a, b in zip(steps, steps[1:], strict=False))
    if not steps or steps[0] != 0 or steps[-1] != U or not increasing:
        raise ValueError(f"steps must increase from 0 to {U}, got {steps}")
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    baseline = torch.as_tensor(baseline, dtype=x.dtype).expand_as(x)

    model.eval()
    rank = torch.empty_like(order)  # rank[n, u]: the position of unit u in image n's order
    rank.scatter_(1, order, torch.arange(U).expand(N, U))
    element_rank = rank[:, units.flatten()].view(x.shape)  # (N, *)
    intact = torch.cat([model(b).argmax(-1) for b in x.split(batch_size)])  # (N,)
    probability = []
    for k in steps:
        top = element_rank < k  # (N, *): True on the top-k units
        x_k = torch.where(top, baseline, x) if kind == "deletion" else torch.where(top, x, baseline)
        p = torch.cat([model(b).softmax(-1) for b in x_k.split(batch_size)])  # (N, K)
        probability.append(p.gather(1, intact[:, None]).squeeze(1))  # (N,)
    fractions = torch.tensor(steps, dtype=torch.float32) / U
    return FaithfulnessCurve(kind, fractions, torch.stack(probability, dim=1))
