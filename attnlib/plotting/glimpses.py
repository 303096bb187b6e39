"""Where a glimpse model looked: trajectories over digits and the retina's readings (chapter 6)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.cm import ScalarMappable
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from attnlib.validation import check_int, check_tensor

__all__ = ["plot_glimpse_trajectories", "plot_retina"]


def _to_pixels(centres: torch.Tensor, size: int) -> np.ndarray:
    """Normalised ``(x, y)`` in ``[-1, 1]`` to pixel-boundary coordinates in ``[0, size]``."""
    return ((centres.detach().cpu().double() + 1) * size / 2).numpy()


def plot_glimpse_trajectories(
    images: torch.Tensor,
    centres: torch.Tensor,
    *,
    patch: int,
    widest: int | None = None,
    titles: Sequence[str] | None = None,
    cmap: str = "viridis",
    ncols: int = 5,
) -> tuple[Figure, np.ndarray]:
    """Draw each digit with the squares its glimpses read, coloured by glimpse number.

    The finest patch of glimpse ``t`` is a solid square, the coarsest (``widest``) a dashed one of
    the same colour, and a line joins the centres in order.

    Args:
        images: ``(N, H, W)`` images (uint8 or float); ink is drawn dark on white.
        centres: ``(N, T, 2)`` glimpse centres as ``(x, y)`` in ``[-1, 1]`` (``grid_sample``'s
            convention, as :class:`~attnlib.models.glimpse.GlimpseTrace` records them).
        patch: side of the finest patch, in pixels.
        widest: side of the coarsest patch, in pixels; None to leave it out.
        titles: ``N`` panel titles (for example "label 7, predicted 7").
        cmap: a colour-blind-safe sequential colormap for the glimpse number.
        ncols: panels per row.

    Returns:
        ``(fig, axes)``, ``axes`` a 2-D array of the panels.
    """
    images = check_tensor(images, "images", ndim=3)
    centres = check_tensor(centres, "centres", ndim=3, floating=True)
    N, H, W = images.shape
    if centres.shape[0] != N or centres.shape[2] != 2:
        raise ValueError(
            f"centres must have shape ({N}, T, 2) to match images, got {tuple(centres.shape)}"
        )
    patch = check_int(patch, "patch", minimum=1)
    if titles is not None and len(titles) != N:
        raise ValueError(f"titles must have {N} entries to match images, got {len(titles)}")
    ncols = check_int(ncols, "ncols", minimum=1)
    T = centres.shape[1]
    rows = -(-N // ncols)
    cols = min(ncols, N)
    fig, axes = plt.subplots(rows, cols, figsize=(2.1 * cols + 0.8, 2.2 * rows), squeeze=False)
    colours = plt.get_cmap(cmap)(np.linspace(0.0, 0.9, T))
    for n, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if n >= N:
            continue
        ax.imshow(images[n].detach().cpu().float().numpy(), cmap="gray_r", extent=(0, W, H, 0))
        xy = _to_pixels(centres[n], W)  # (T, 2) in pixels
        ax.plot(xy[:, 0], xy[:, 1], color="0.5", linewidth=1.0, zorder=2)
        for t in range(T):
            for side, style in ((patch, "-"), (widest, "--")):
                if side is None:
                    continue
                ax.add_patch(
                    Rectangle(
                        (xy[t, 0] - side / 2, xy[t, 1] - side / 2),
                        side,
                        side,
                        fill=False,
                        edgecolor=colours[t],
                        linestyle=style,
                        linewidth=1.6,
                        zorder=3,
                    )
                )
            ax.text(
                xy[t, 0],
                xy[t, 1],
                str(t + 1),
                color="white",
                fontsize=7,
                ha="center",
                va="center",
                zorder=4,
                bbox={"boxstyle": "circle,pad=0.15", "facecolor": colours[t], "linewidth": 0},
            )
        margin = (widest or patch) / 2
        ax.set_xlim(-margin, W + margin)
        ax.set_ylim(H + margin, -margin)
        if titles is not None:
            ax.set_title(titles[n], fontsize=9)
    norm = BoundaryNorm(np.arange(0.5, T + 1), T)
    mappable = ScalarMappable(norm=norm, cmap=plt.get_cmap(cmap).resampled(T))
    mappable.set_array(np.array([0.0, 1.0]))
    bar = fig.colorbar(mappable, ax=axes, ticks=range(1, T + 1), fraction=0.03)
    bar.set_label("glimpse number")
    return fig, axes


def plot_retina(
    readings: torch.Tensor, *, widths: Sequence[int] | None = None, cmap: str = "cividis"
) -> tuple[Figure, np.ndarray]:
    """Show what the retina read: one row per glimpse, one column per scale.

    Args:
        readings: ``(T, S, P, P)`` patches, as :func:`~attnlib.models.glimpse.retina` returns
            them for one image.
        widths: ``S`` sides, in image pixels, that each scale covered (for the column titles).
        cmap: a colour-blind-safe colormap for the intensity.

    Returns:
        ``(fig, axes)``, ``axes`` of shape ``(T, S)``.
    """
    readings = check_tensor(readings, "readings", ndim=4, floating=True)
    T, S = readings.shape[:2]
    if widths is not None and len(widths) != S:
        raise ValueError(f"widths must have {S} entries, one per scale, got {len(widths)}")
    fig, axes = plt.subplots(T, S, figsize=(1.5 * S + 1.0, 1.5 * T), squeeze=False)
    vmax = max(float(readings.max()), 1e-12)
    for t in range(T):
        for s in range(S):
            ax = axes[t, s]
            image = ax.imshow(readings[t, s].detach().cpu().numpy(), cmap=cmap, vmin=0.0, vmax=vmax)
            ax.set_xticks([])
            ax.set_yticks([])
            if t == 0:
                ax.set_title(
                    f"{widths[s]}×{widths[s]} px" if widths is not None else f"scale {s + 1}",
                    fontsize=9,
                )
            if s == 0:
                ax.set_ylabel(f"glimpse {t + 1}")
    fig.colorbar(image, ax=axes, fraction=0.05, label="intensity (0–1)")
    return fig, axes
