"""A bandwidth slider for Nadaraya–Watson attention pooling (chapter 1)."""

from __future__ import annotations

import ipywidgets as widgets
from IPython.display import display
import matplotlib.pyplot as plt
import torch

from attnlib.soft import attention_pooling
from attnlib.validation import check_tensor

__all__ = ["bandwidth_explorer"]


def bandwidth_explorer(
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    x_test: torch.Tensor,
    y_true: torch.Tensor,
    *,
    initial: float = 0.3,
) -> widgets.VBox:
    """A slider for the bandwidth ``h`` of the Gaussian kernel, redrawing the fitted curve.

    Args:
        x_train, y_train: ``(n,)`` the keys and values (training inputs and targets).
        x_test: ``(m,)`` the queries at which to predict.
        y_true: ``(m,)`` the noise-free function at ``x_test``, for reference.
        initial: the bandwidth shown first.
    """
    for name, t in (("x_train", x_train), ("y_train", y_train), ("x_test", x_test), ("y_true", y_true)):
        check_tensor(t, name, ndim=1, floating=True)
    slider = widgets.FloatLogSlider(
        value=initial, base=10, min=-2, max=1, step=0.05, description="h", continuous_update=False
    )
    out = widgets.Output()

    def draw(change: object = None) -> None:
        h = slider.value
        y_hat = attention_pooling(x_test, x_train, y_train, bandwidth=h)
        mse = (y_hat - y_true).pow(2).mean().item()
        with out:
            out.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(6, 3))
            ax.plot(x_test, y_true, color="#000000", label="true function")
            ax.plot(x_test, y_hat, color="#0072B2", label=f"attention pooling, h = {h:.2f}")
            ax.scatter(x_train, y_train, s=10, color="#E69F00", label="training data (keys, values)")
            ax.set_xlabel("x (query)")
            ax.set_ylabel("y")
            ax.set_title(f"test MSE {mse:.3f}")
            ax.legend(fontsize="small")
            display(fig)
            plt.close(fig)

    slider.observe(draw, names="value")
    draw()
    return widgets.VBox([slider, out])
