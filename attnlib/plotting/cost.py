r"""Log–log cost plots: how the time or memory of an operation grows with its size (chapter 4).

On log–log axes a cost :math:`c(n) \approx a n^p` is a straight line of slope :math:`p`, so the
least-squares slope of :math:`\log c` against :math:`\log n` estimates the exponent that an
analysis such as "attention takes :math:`O(n^2 d)` time" predicts.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure

from attnlib.validation import check_int, describe

__all__ = ["loglog_slope", "plot_loglog_cost"]


def _positive_1d(values: object, name: str) -> np.ndarray:
    """``values`` as a 1-D float array of finite numbers > 0, or raise naming ``name``."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise TypeError(f"{name} must be a sequence or array of numbers, got {describe(values)}")
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must contain only real numbers, got {values!r}") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if not (np.isfinite(array).all() and (array > 0).all()):
        raise ValueError(
            f"{name} must contain only finite numbers > 0 (they are plotted on a log scale), "
            f"got {array.tolist()}"
        )
    return array


def _check_pair(x: object, y: object, x_name: str, y_name: str) -> tuple[np.ndarray, np.ndarray]:
    x, y = _positive_1d(x, x_name), _positive_1d(y, y_name)
    if x.shape != y.shape:
        raise ValueError(
            f"{y_name} must have one value per entry of {x_name} ({len(x)}), got {len(y)}"
        )
    if len(np.unique(x)) < 2:
        raise ValueError(f"{x_name} must hold at least two distinct values to fit a slope")
    return x, y


def loglog_slope(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    r"""The least-squares slope :math:`p` of :math:`\log y = p \log x + b`.

    Args:
        x: ``(N,)`` sizes, each > 0, at least two distinct.
        y: ``(N,)`` costs (seconds, bytes), each > 0.

    Returns:
        The fitted exponent ``p`` as a float.

    Example:
        >>> round(loglog_slope([1, 2, 4, 8], [3, 12, 48, 192]), 6)
        2.0
    """
    xs, ys = _check_pair(x, y, "x", "y")
    slope, _ = np.polyfit(np.log(xs), np.log(ys), deg=1)
    return float(slope)


def plot_loglog_cost(
    n: Sequence[float] | np.ndarray,
    cost: Sequence[float] | np.ndarray,
    *,
    fit_from: int = 0,
    ax: Axes | None = None,
    label: str = "measured",
    xlabel: str = "sequence length n",
    ylabel: str = "cost",
    color: str | None = None,
) -> tuple[Figure | SubFigure, Axes]:
    """Plot ``cost`` against ``n`` on log–log axes with the line fitted to the largest sizes.

    The legend gives the fitted slope, the exponent to compare with an :math:`O(n^p)`
    analysis. Only the points from index ``fit_from`` on enter the fit (small sizes are
    often dominated by lower-order terms and fixed overheads); the others are drawn hollow.

    Args:
        n: ``(N,)`` sizes, each > 0.
        cost: ``(N,)`` measured costs, each > 0.
        fit_from: index of the first point used in the fit; at least two points must remain.
        ax: axes to draw on; a new figure is made when ``None``.
        label: the series' name in the legend.
        xlabel, ylabel: axis labels, with units.
        color: a matplotlib colour; the next colour of the axes' cycle when ``None``.

    Returns:
        ``(fig, ax)``; when ``ax`` is given, ``fig`` is its figure (a ``SubFigure``
        if ``ax`` lies in one).

    Example:
        >>> fig, ax = plot_loglog_cost([64, 128, 256], [1e-4, 4e-4, 1.6e-3], ylabel="time (s)")
    """
    sizes, costs = _check_pair(n, cost, "n", "cost")
    fit_from = check_int(fit_from, "fit_from", minimum=0)
    if fit_from > len(sizes) - 2:
        raise ValueError(
            f"fit_from must leave at least two points to fit (<= {len(sizes) - 2}), got {fit_from}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 3.5), layout="constrained")
    fig = ax.figure
    slope = loglog_slope(sizes[fit_from:], costs[fit_from:])
    intercept = np.mean(np.log(costs[fit_from:]) - slope * np.log(sizes[fit_from:]))
    (line,) = ax.plot(sizes[fit_from:], costs[fit_from:], "o", color=color, label=label)
    line_color = line.get_color()
    if fit_from:
        ax.plot(
            sizes[:fit_from],
            costs[:fit_from],
            "o",
            mfc="none",
            color=line_color,
            label=f"{label} (not fitted)",
        )
    grid = np.geomspace(sizes[fit_from:].min(), sizes[fit_from:].max(), 50)
    ax.plot(
        grid,
        np.exp(intercept) * grid**slope,
        "--",
        color=line_color,
        label=f"fit: slope {slope:.2f}",
    )
    ax.set(xscale="log", yscale="log", xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize="small")
    return fig, ax
