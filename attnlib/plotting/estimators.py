"""Figures of chapter 3: relaxed Gumbel-softmax samples and gradient-estimator curves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure

from attnlib.validation import check_scalar, check_tensor

__all__ = ["plot_estimator_curves", "plot_relaxed_samples"]

# The Okabe–Ito palette (yellow, too pale on white, replaced by grey): distinct under
# colour-vision deficiency. Each curve also gets its own marker, so the figure reads in grey scale.
OKABE_ITO = [
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#E69F00",
    "#000000",
    "#999999",
]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def plot_relaxed_samples(
    samples: torch.Tensor,
    *,
    tau: float,
    ax: Axes | None = None,
    colorbar: bool = True,
) -> tuple[Figure | SubFigure, Axes]:
    """Draw relaxed one-hot samples ``(N, n)`` as a heatmap, one row per sample.

    Args:
        samples: ``(N, n)`` points of the probability simplex (e.g. Gumbel-softmax samples).
        tau: the temperature that produced them, for the title.
        ax: draw into this axes instead of a new figure.
        colorbar: add a colour bar for the 0–1 scale.

    Returns:
        ``(fig, ax)``; when ``ax`` is given, ``fig`` is its figure (a ``SubFigure``
        if ``ax`` lies in one).
    """
    samples = check_tensor(samples, "samples", ndim=2, floating=True)
    tau = check_scalar(tau, "tau", positive=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(3.2, 3.2))
    fig = ax.figure
    image = ax.imshow(
        samples.detach().cpu().numpy(),
        cmap="viridis",
        vmin=0,
        vmax=1,
        aspect="auto",
        interpolation="nearest",
    )
    ax.set_xlabel("category i")
    ax.set_ylabel("sample")
    ax.set_xticks(range(samples.shape[1]))
    ax.set_title(f"τ = {tau:g}")
    if colorbar:
        fig.colorbar(image, ax=ax, label="$y_i$ (weight of category i)")
    return fig, ax


def plot_estimator_curves(
    num_samples: Sequence[int],
    values: Mapping[str, Sequence[float]],
    *,
    ylabel: str,
    errors: Mapping[str, Sequence[float]] | None = None,
    ax: Axes | None = None,
) -> tuple[Figure | SubFigure, Axes]:
    """Draw one curve per estimator against the number of samples, both axes on a log scale.

    Args:
        num_samples: the ``M`` sample counts on the x axis (all > 0).
        values: estimator name -> ``M`` positive values (a variance, a mean squared error).
        ylabel: the y axis label, with its unit.
        errors: optional estimator name -> ``M`` standard deviations, drawn as error bars.
        ax: draw into this axes instead of a new figure.

    Returns:
        ``(fig, ax)``; when ``ax`` is given, ``fig`` is its figure (a ``SubFigure``
        if ``ax`` lies in one).
    """
    num_samples = list(num_samples)
    if not num_samples or any(s <= 0 for s in num_samples):
        raise ValueError(
            f"num_samples must be a non-empty list of positive ints, got {num_samples}"
        )
    for name, curve in values.items():
        if len(curve) != len(num_samples):
            raise ValueError(
                f"values[{name!r}] must have {len(num_samples)} entries (one per sample count), "
                f"got {len(curve)}"
            )
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    fig = ax.figure
    for i, (name, curve) in enumerate(values.items()):
        ax.errorbar(
            num_samples,
            list(curve),
            yerr=None if errors is None else list(errors[name]),
            label=name,
            color=OKABE_ITO[i % len(OKABE_ITO)],
            marker=MARKERS[i % len(MARKERS)],
            markersize=4,
            capsize=2,
            linewidth=1.2,
        )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("number of samples S per gradient estimate")
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    return fig, ax
