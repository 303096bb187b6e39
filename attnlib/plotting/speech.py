"""Attention over time drawn under a clip's log-mel spectrogram (chapter 7)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure

from attnlib.validation import check_scalar, check_tensor, describe

__all__ = ["plot_frame_attention"]


def plot_frame_attention(
    features: torch.Tensor,
    weights: torch.Tensor,
    *,
    active: torch.Tensor | None = None,
    hop_seconds: float = 0.01,
    title: str | None = None,
    cmap: str = "viridis",
    colorbar: bool = True,
    axes: tuple[Axes, Axes] | None = None,
) -> tuple[Figure | SubFigure, tuple[Axes, Axes]]:
    """Draw a log-mel spectrogram and, below it on the same time axis, attention weights per frame.

    Args:
        features: ``(M, T)`` log-mel features of one clip's real frames (no padding).
        weights: ``(T,)`` the pooling weights over those frames.
        active: optional ``(T,)`` bool, frames to shade as speech (for example
            :func:`attnlib.data.speech_features.active_frames`).
        hop_seconds: seconds between frame starts (the time axis's unit), > 0.
        title: drawn above the spectrogram.
        cmap: a perceptually uniform, colour-blind-safe colormap (viridis, cividis).
        colorbar: add a colour bar for the spectrogram.
        axes: ``(spectrogram_axes, weights_axes)`` to draw into, instead of a new figure.

    Returns:
        ``(fig, (spectrogram_axes, weights_axes))``; when ``axes`` are given, ``fig`` is their
        figure (a ``SubFigure`` if they lie in one).
    """
    features = check_tensor(features, "features", ndim=2, floating=True)
    weights = check_tensor(weights, "weights", ndim=1, floating=True)
    M, T = features.shape
    if len(weights) != T:
        raise ValueError(
            f"weights must have shape ({T},) to match features' {T} frames, got "
            f"shape {tuple(weights.shape)}"
        )
    if active is not None:
        if not isinstance(active, torch.Tensor) or active.dtype != torch.bool:
            raise TypeError(
                f"active must be a boolean torch.Tensor or None, got {describe(active)}"
            )
        if active.shape != (T,):
            raise ValueError(
                f"active must have shape ({T},) to match features, got shape {tuple(active.shape)}"
            )
    hop_seconds = check_scalar(hop_seconds, "hop_seconds", positive=True)
    if axes is None:
        _, axes = plt.subplots(
            2, 1, figsize=(4.5, 4.0), sharex=True, gridspec_kw={"height_ratios": [2, 1]}
        )
        axes = tuple(axes)
    elif (
        not isinstance(axes, (tuple, list))
        or len(axes) != 2
        or not all(isinstance(a, Axes) for a in axes)
    ):
        raise TypeError(f"axes must be a pair of matplotlib Axes or None, got {describe(axes)}")
    spec_ax, weight_ax = axes
    fig = spec_ax.figure
    end = T * hop_seconds
    image = spec_ax.imshow(
        features.detach().cpu().numpy(),
        origin="lower",
        aspect="auto",
        cmap=cmap,
        extent=(0, end, 0, M),
        interpolation="nearest",
    )
    if colorbar:
        fig.colorbar(image, ax=spec_ax, label="normalised log power")
    spec_ax.set_ylabel("mel band")
    if title:
        spec_ax.set_title(title)
    times = (np.arange(T) + 0.5) * hop_seconds  # frame centres on the time axis
    if active is not None:
        weight_ax.fill_between(
            times,
            0,
            1,
            where=active.cpu().numpy(),
            step="mid",
            color="0.85",
            transform=weight_ax.get_xaxis_transform(),
            label="speech frames",
        )
    weight_ax.step(
        times,
        weights.detach().cpu().numpy(),
        where="mid",
        color="#0072B2",
        label="attention weight",
    )
    weight_ax.set_xlim(0, end)
    weight_ax.set_ylim(bottom=0)
    weight_ax.set_xlabel("time (s)")
    weight_ax.set_ylabel("weight")
    if colorbar:
        # Keep the two panels' time axes aligned: reserve the same width for a (hidden) bar.
        fig.colorbar(image, ax=weight_ax).ax.set_visible(False)
    return fig, (spec_ax, weight_ax)
