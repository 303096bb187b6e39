"""Attention weights as a heatmap: rows are queries, columns are keys (chapters 1, 4, 8)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure

from attnlib.validation import check_tensor

__all__ = ["plot_attention_matrix"]


def plot_attention_matrix(
    weights: torch.Tensor,
    *,
    query_labels: Sequence[str] | None = None,
    key_labels: Sequence[str] | None = None,
    xlabel: str = "key position",
    ylabel: str = "query position",
    title: str | None = None,
    cmap: str = "viridis",
    vmax: float | None = 1.0,
    ax: Axes | None = None,
) -> tuple[Figure | SubFigure, Axes]:
    """Draw a ``(L, S)`` matrix of attention weights with a colour bar.

    Args:
        weights: ``(L, S)``: row ``i`` holds query ``i``'s weights over the ``S`` keys.
        query_labels: ``L`` tick labels for the rows (for example output characters).
        key_labels: ``S`` tick labels for the columns (for example input characters).
        xlabel, ylabel, title: axis labels and title.
        cmap: a perceptually uniform, colour-blind-safe colormap (viridis, cividis).
        vmax: the top of the colour scale; 1.0 keeps plots of weights comparable, ``None``
            scales to the data.
        ax: draw into this axes instead of a new figure.

    Returns:
        ``(fig, ax)``; when ``ax`` is given, ``fig`` is its figure (a ``SubFigure``
        if ``ax`` lies in one).
    """
    weights = check_tensor(weights, "weights", ndim=2, floating=True)
    L, S = weights.shape
    for name, labels, n in (("query_labels", query_labels, L), ("key_labels", key_labels, S)):
        if labels is not None and len(labels) != n:
            raise ValueError(f"{name} must have {n} entries to match weights, got {len(labels)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(max(3.0, 0.35 * S + 1.5), max(2.5, 0.35 * L + 1.0)))
    fig = ax.figure
    image = ax.imshow(weights.detach().cpu().numpy(), cmap=cmap, vmin=0.0, vmax=vmax, aspect="auto")
    fig.colorbar(image, ax=ax, label="attention weight")
    if query_labels is not None:
        ax.set_yticks(range(L), list(query_labels))
    if key_labels is not None:
        ax.set_xticks(range(S), list(key_labels))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return fig, ax
