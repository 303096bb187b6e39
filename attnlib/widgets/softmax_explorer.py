"""A temperature slider over a softmax bar chart (chapter 2)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from attnlib.analysis.statistics import _entropy
from attnlib.plotting.bars import plot_weights_bar
from attnlib.softmax import softmax
from attnlib.validation import check_tensor

if TYPE_CHECKING:
    import ipywidgets

__all__ = ["temperature_explorer", "temperature_frames"]


def temperature_explorer(scores: torch.Tensor, *, initial: float = 1.0) -> ipywidgets.VBox:
    """A slider for the temperature ``τ`` (log scale, 0.01–100) over ``softmax(scores / τ)``.

    Args:
        scores: ``(S,)`` the scores of one query against ``S`` keys.
        initial: the temperature shown first.

    Returns:
        The widget; display it as a notebook cell's last expression.
    """
    import ipywidgets as widgets  # the optional extra "attnlib[widgets]"
    from IPython.display import display

    scores = check_tensor(scores, "scores", ndim=1, floating=True)
    slider = widgets.FloatLogSlider(
        value=initial, base=10, min=-2, max=2, step=0.05, description="τ", continuous_update=False
    )
    out = widgets.Output()

    def draw(change: object = None) -> None:
        tau = slider.value
        alpha = softmax(scores, temperature=tau)
        entropy = _entropy(alpha, -1, None).item()
        with out:
            out.clear_output(wait=True)
            fig, ax = plot_weights_bar(
                alpha,
                title=f"τ = {tau:.2f}: entropy {entropy:.2f} nats (max {math.log(len(alpha)):.2f})",
            )
            assert isinstance(fig, Figure)  # a new figure: no axes were given
            display(fig)
            plt.close(fig)

    slider.observe(draw, names="value")
    draw()
    return widgets.VBox([slider, out])


def temperature_frames(
    scores: torch.Tensor,
    *,
    temperatures: tuple[float, ...] = (0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0, 3.0, 10.0, 30.0, 100.0),
    initial: float = 1.0,
):
    """A temperature slider over ``softmax(scores / τ)`` that works without a kernel.

    Each distribution is computed now with :func:`attnlib.softmax.softmax` and drawn with
    :func:`attnlib.plotting.bars.plot_weights_bar`, one frame per temperature
    (:func:`attnlib.widgets.explorer.frame_explorer`).

    Args:
        scores: ``(S,)`` the scores of one query against ``S`` keys.
        temperatures: the values of ``τ`` the slider offers, increasing.
        initial: the temperature shown first, one of ``temperatures``.

    Returns:
        A :class:`~attnlib.widgets.explorer.FrameExplorer`.
    """
    from attnlib.widgets.explorer import frame_explorer

    scores = check_tensor(scores, "scores", ndim=1, floating=True)

    def entropy(tau: float) -> float:
        alpha = softmax(scores, temperature=tau)
        return _entropy(alpha, -1, None).item()

    def draw(tau: float):
        return plot_weights_bar(
            softmax(scores, temperature=tau),
            title=f"τ = {tau:g}: entropy {entropy(tau):.2f} nats (max {math.log(len(scores)):.2f})",
        )

    def alt(tau: float) -> str:
        weights = ", ".join(f"{w:.2f}" for w in softmax(scores, temperature=tau).tolist())
        return f"Bars of the softmax weights at temperature {tau:g}: {weights}."

    return frame_explorer(
        draw,
        {"tau": list(temperatures)},
        alt=alt,
        labels={"tau": "temperature τ"},
        initial={"tau": initial},
    )
