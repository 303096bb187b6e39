"""Spatial attention maps drawn over the digits they were computed for (chapter 5)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from attnlib.validation import check_int, check_tensor

__all__ = ["plot_spatial_attention"]


def plot_spatial_attention(
    images: torch.Tensor,
    weights: torch.Tensor,
    *,
    titles: Sequence[str] | None = None,
    ncols: int = 6,
    cmap: str = "viridis",
    vmax: float | None = None,
    label: str = "attention weight",
    ink_level: float = 0.5,
    panel_size: float = 1.6,
) -> tuple[Figure, np.ndarray]:
    """Draw each image's attention map as a heatmap, with the digit's outline on top.

    Each of the ``h x w`` weights is drawn as a block over the pixels its position stands for
    (a 7 x 7 map over 28 x 28 pixels: 4 x 4 blocks), unsmoothed, so that the colour bar reads
    the weights themselves; a white contour marks where the digit's ink is, so the colours
    stay readable against one colour bar shared by all panels.

    Args:
        images: ``(N, H, W)`` digits (uint8 or float; only their outline is drawn).
        weights: ``(N, h, w)`` attention maps, e.g. ``(N, 7, 7)``, one per image.
        titles: ``N`` panel titles, e.g. ``"label 3, predicted 5"``.
        ncols: panels per row.
        cmap: a perceptually uniform, colour-blind-safe colormap (viridis, cividis).
        vmax: the top of the shared colour scale; ``None`` uses the largest weight.
        label: the colour bar's label.
        ink_level: the outline is drawn where the image reaches this fraction of its maximum.
        panel_size: inches per panel.

    Returns:
        ``(fig, axes)``, ``axes`` a 2-D array of the panels' axes (unused panels hidden).
    """
    images = check_tensor(images, "images", ndim=3)
    weights = check_tensor(weights, "weights", ndim=3, floating=True)
    if len(weights) != len(images):
        raise ValueError(
            f"weights must hold one map per image ({len(images)}), got shape {tuple(weights.shape)}"
        )
    N, H, W = images.shape
    if H != W:
        raise ValueError(f"images must be square, got shape {tuple(images.shape)}")
    if titles is not None and len(titles) != N:
        raise ValueError(f"titles must have {N} entries to match images, got {len(titles)}")
    ncols = min(check_int(ncols, "ncols", minimum=1), N)
    nrows = -(-N // ncols)
    maps = weights.detach().cpu().float().numpy()  # (N, h, w)
    vmax = float(maps.max()) if vmax is None else vmax
    ink = images.detach().cpu().float().numpy()  # (N, H, W)

    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(panel_size * ncols + 1.2, panel_size * nrows + 0.4),
        squeeze=False,
        layout="constrained",
    )
    image = None
    for i, ax in enumerate(axes.flat):
        if i >= N:
            ax.set_visible(False)
            continue
        image = ax.imshow(
            maps[i],
            cmap=cmap,
            vmin=0.0,
            vmax=vmax,
            interpolation="nearest",
            extent=(-0.5, W - 0.5, H - 0.5, -0.5),  # the map covers the image's pixels
        )
        if ink[i].max() > 0:
            ax.contour(ink[i], levels=[ink_level * ink[i].max()], colors="white", linewidths=0.8)
        ax.set_xticks([0, W - 1])
        ax.set_yticks([0, H - 1])
        ax.tick_params(labelsize=7)
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
        if i % ncols == 0:
            ax.set_ylabel("row (pixels)", fontsize=8)
        if i // ncols == nrows - 1 or i + ncols >= N:
            ax.set_xlabel("column (pixels)", fontsize=8)
    assert image is not None  # N >= 1, so the first panel drew one
    fig.colorbar(image, ax=axes, label=label, shrink=0.9)
    return fig, axes
