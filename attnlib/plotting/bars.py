"""Attention weights of one query as a bar chart (chapters 1–2)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure

from attnlib.validation import check_tensor

__all__ = ["plot_weights_bar"]

# The first colour of the Okabe–Ito palette, which stays distinct under colour-vision deficiency.
BAR_COLOUR = "#0072B2"


def plot_weights_bar(
    weights: torch.Tensor,
    *,
    labels: Sequence[str] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> tuple[Figure | SubFigure, Axes]:
    """Draw one distribution of attention weights ``(S,)`` as bars on a 0–1 scale.

    Args:
        weights: ``(S,)`` non-negative weights (typically summing to 1).
        labels: ``S`` names for the keys; default ``k0 … k{S-1}``.
        title: the axes title.
        ax: draw into this axes instead of a new figure.

    Returns:
        ``(fig, ax)``; when ``ax`` is given, ``fig`` is its figure (a ``SubFigure``
        if ``ax`` lies in one).
    """
    weights = check_tensor(weights, "weights", ndim=1, floating=True)
    labels = list(labels) if labels is not None else [f"k{i}" for i in range(len(weights))]
    if len(labels) != len(weights):
        raise ValueError(f"labels must have {len(weights)} entries, got {len(labels)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 2.8))
    fig = ax.figure
    ax.bar(labels, weights.detach().cpu().numpy(), color=BAR_COLOUR)
    ax.set_ylim(0, 1)
    ax.set_xlabel("key")
    ax.set_ylabel("attention weight")
    if title:
        ax.set_title(title)
    return fig, ax
