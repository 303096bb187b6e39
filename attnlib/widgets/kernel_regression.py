"""A bandwidth slider for Nadaraya–Watson attention pooling (chapter 1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import torch

from attnlib.soft import attention_pooling
from attnlib.validation import check_tensor

if TYPE_CHECKING:
    import ipywidgets

__all__ = ["bandwidth_explorer", "bandwidth_frames"]


def bandwidth_explorer(
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    x_test: torch.Tensor,
    y_true: torch.Tensor,
    *,
    initial: float = 0.3,
) -> ipywidgets.VBox:
    """A slider for the bandwidth ``h`` of the Gaussian kernel, redrawing the fitted curve.

    Args:
        x_train, y_train: ``(n,)`` the keys and values (training inputs and targets).
        x_test: ``(m,)`` the queries at which to predict.
        y_true: ``(m,)`` the noise-free function at ``x_test``, for reference.
        initial: the bandwidth shown first.
    """
    import ipywidgets as widgets  # the optional extra "attnlib[widgets]"
    from IPython.display import display

    for name, t in (
        ("x_train", x_train),
        ("y_train", y_train),
        ("x_test", x_test),
        ("y_true", y_true),
    ):
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
            ax.scatter(
                x_train, y_train, s=10, color="#E69F00", label="training data (keys, values)"
            )
            ax.set_xlabel("x (query)")
            ax.set_ylabel("y")
            ax.set_title(f"test MSE {mse:.3f}")
            ax.legend(fontsize="small")
            display(fig)
            plt.close(fig)

    slider.observe(draw, names="value")
    draw()
    return widgets.VBox([slider, out])


def bandwidth_frames(
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    x_test: torch.Tensor,
    y_true: torch.Tensor,
    *,
    bandwidths: tuple[float, ...] = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0),
    initial: float = 0.3,
):
    """A bandwidth slider over attention-pooling fits that works without a kernel.

    Every fit is computed now with :func:`attnlib.soft.attention_pooling` and drawn with
    :func:`attnlib.plotting.regression.plot_kernel_fit`, one frame per bandwidth
    (:func:`attnlib.widgets.explorer.frame_explorer`), so the slider also works on the website.

    Args:
        x_train, y_train: ``(n,)`` the keys and values (training inputs and targets).
        x_test: ``(m,)`` the queries at which to predict.
        y_true: ``(m,)`` the noise-free function at ``x_test``, for reference.
        bandwidths: the values of ``h`` the slider offers, increasing.
        initial: the bandwidth shown first, one of ``bandwidths``.

    Returns:
        A :class:`~attnlib.widgets.explorer.FrameExplorer`.
    """
    from attnlib.plotting.regression import plot_kernel_fit
    from attnlib.widgets.explorer import frame_explorer

    for name, t in (
        ("x_train", x_train),
        ("y_train", y_train),
        ("x_test", x_test),
        ("y_true", y_true),
    ):
        check_tensor(t, name, ndim=1, floating=True)

    def mse(h: float) -> float:
        y_hat = attention_pooling(x_test, x_train, y_train, bandwidth=h)
        return (y_hat - y_true).pow(2).mean().item()

    def draw(h: float):
        y_hat = attention_pooling(x_test, x_train, y_train, bandwidth=h)
        return plot_kernel_fit(
            x_test,
            y_hat,
            x_train=x_train,
            y_train=y_train,
            y_true=y_true,
            label=f"attention pooling, h = {h:g}",
            title=f"h = {h:g}: test MSE {mse(h):.3f}",
        )

    def alt(h: float) -> str:
        return (
            f"The attention-pooling fit with bandwidth h = {h:g} drawn over the training "
            f"points and the true function; its test mean squared error is {mse(h):.3f}."
        )

    return frame_explorer(
        draw, {"h": list(bandwidths)}, alt=alt, labels={"h": "bandwidth h"}, initial={"h": initial}
    )
