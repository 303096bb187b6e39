r"""Attention rollout: how much each input token feeds each output token through all layers (ch. 9).

Abnar and Zuidema (2020). A Transformer block mixes tokens by its attention and also keeps
each token through the residual path. Rollout models layer :math:`l` by its head-averaged
weights plus the identity, re-normalised,

.. math::
    \tilde A_l = \operatorname{rownorm}\!\left(\tfrac12 \bar A_l + \tfrac12 I\right), \qquad
    \bar A_l = \frac1H \sum_h A_{l,h},

and multiplies the layers, last on the left: :math:`R = \tilde A_L \cdots \tilde A_2 \tilde A_1`.
Row :math:`i` of :math:`R` distributes output token :math:`i` over the input tokens; every row
sums to 1 because a product of row-stochastic matrices is row-stochastic.

Shape legend: ``B`` batch, ``H`` heads, ``N`` tokens, ``L`` layers.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from attnlib.analysis.statistics import check_distributions
from attnlib.validation import check_tensor, describe

__all__ = ["attention_rollout", "check_layers", "head_average"]


def check_layers(attentions: object, name: str = "attentions") -> list[torch.Tensor]:
    """Return the per-layer weights as a list of ``(B, N, N)`` or ``(B, H, N, N)`` tensors.

    Checks: a non-empty sequence of tensors of the same shape, square in the last two
    dimensions, each row a probability distribution.
    """
    if isinstance(attentions, torch.Tensor) or not isinstance(attentions, Sequence):
        raise TypeError(
            f"{name} must be a sequence (list or tuple) of per-layer weights, "
            f"got {describe(attentions)}"
        )
    if len(attentions) == 0:
        raise ValueError(f"{name} must hold at least one layer, got an empty sequence")
    layers = []
    for i, a in enumerate(attentions):
        a = check_tensor(a, f"{name}[{i}]", floating=True)
        if a.dim() not in (3, 4) or a.shape[-1] != a.shape[-2]:
            raise ValueError(
                f"{name}[{i}] must have shape (B, N, N) or (B, H, N, N), got shape {tuple(a.shape)}"
            )
        if a.shape[:1] != attentions[0].shape[:1] or a.shape[-1] != attentions[0].shape[-1]:
            raise ValueError(
                f"{name}[{i}] must have batch size {attentions[0].shape[0]} and "
                f"{attentions[0].shape[-1]} tokens like {name}[0], got shape {tuple(a.shape)}"
            )
        layers.append(check_distributions(a, f"{name}[{i}]"))
    return layers


def head_average(weights: torch.Tensor) -> torch.Tensor:
    """``(B, H, N, N)`` -> ``(B, N, N)``, the mean over heads; ``(B, N, N)`` is returned as is."""
    return weights.mean(dim=1) if weights.dim() == 4 else weights


def _rollout(layers: list[torch.Tensor], residual: bool) -> torch.Tensor:
    result = None
    for a in layers:
        a = head_average(a)  # (B, N, N)
        if residual:
            a = 0.5 * a + 0.5 * torch.eye(a.shape[-1], dtype=a.dtype)  # the residual path
            a = a / a.sum(dim=-1, keepdim=True)  # rows sum to 1 again
        result = a if result is None else a @ result  # (B, N, N) @ (B, N, N): later layer left
    assert result is not None  # every caller passes at least one layer
    return result


def attention_rollout(attentions: Sequence[torch.Tensor], *, residual: bool = True) -> torch.Tensor:
    r"""Attention rollout :math:`\tilde A_L \cdots \tilde A_1` (Abnar and Zuidema, 2020).

    .. math::
        \tilde A_l = \operatorname{rownorm}\!\left(\tfrac12 \bar A_l + \tfrac12 I\right)
        \text{ (with ``residual``, else } \bar A_l), \qquad R = \tilde A_L \cdots \tilde A_1

    Args:
        attentions: per-layer attention weights, first layer first, each ``(B, H, N, N)``
            (heads are averaged) or ``(B, N, N)``; every row a distribution over keys.
        residual: model the residual path as :math:`\tfrac12 I`, as Abnar and Zuidema do.

    Returns:
        ``(B, N, N)``: row :math:`i` says how much each input token contributes to output
        token :math:`i`; every row sums to 1. For a ViT, row 0 (the class token) over
        columns ``1..T`` is the rollout map of the patches.

    Example:
        >>> a = torch.tensor([[[0.0, 1.0], [0.0, 1.0]]])  # both tokens read token 1
        >>> attention_rollout([a, a])
        tensor([[[0.2500, 0.7500],
                 [0.0000, 1.0000]]])
    """
    return _rollout(check_layers(attentions), residual)
