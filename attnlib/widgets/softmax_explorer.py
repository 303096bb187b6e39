"""A temperature slider over a softmax bar chart (chapter 2)."""

from __future__ import annotations

import math

import ipywidgets as widgets
from IPython.display import display
import matplotlib.pyplot as plt
import torch

from attnlib.plotting.bars import plot_weights_bar
from attnlib.softmax import softmax
from attnlib.validation import check_tensor

__all__ = ["temperature_explorer"]


def temperature_explorer(scores: torch.Tensor, *, initial: float = 1.0) -> widgets.VBox:
    """A slider for the temperature ``τ`` (log scale, 0.01–100) over ``softmax(scores / τ)``.

    Args:
        scores: ``(S,)`` the scores of one query against ``S`` keys.
        initial: the temperature shown first.

    Returns:
        The widget; display it as a notebook cell's last expression.
    """
    scores = check_tensor(scores, "scores", ndim=1, floating=True)
    slider = widgets.FloatLogSlider(
        value=initial, base=10, min=-2, max=2, step=0.05, description="τ", continuous_update=False
    )
    out = widgets.Output()

    def draw(change: object = None) -> None:
        tau = slider.value
        alpha = softmax(scores, temperature=tau)
        entropy = -(alpha * alpha.clamp_min(1e-30).log()).sum().item()
        with out:
            out.clear_output(wait=True)
            fig, ax = plot_weights_bar(
                alpha,
                title=f"τ = {tau:.2f}: entropy {entropy:.2f} nats (max {math.log(len(alpha)):.2f})",
            )
            display(fig)
            plt.close(fig)

    slider.observe(draw, names="value")
    draw()
    return widgets.VBox([slider, out])
