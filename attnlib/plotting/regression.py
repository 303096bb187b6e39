"""Kernel regression (attention pooling) fits against the data and the true function (chapter 1)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure

from attnlib.validation import check_tensor

__all__ = ["plot_kernel_fit"]


def plot_kernel_fit(
    x_test: torch.Tensor,
    y_hat: torch.Tensor,
    *,
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    y_true: torch.Tensor | None = None,
    label: str = "attention pooling",
    title: str | None = None,
    ax: Axes | None = None,
) -> tuple[Figure | SubFigure, Axes]:
    """Draw a regression fit ``y_hat`` at the queries ``x_test`` over the training points.

    Args:
        x_test: ``(m,)`` the queries.
        y_hat: ``(m,)`` the predictions at ``x_test``.
        x_train: ``(n,)`` the keys (training inputs).
        y_train: ``(n,)`` the values (training targets).
        y_true: ``(m,)`` the noise-free function at ``x_test``, drawn for reference if given.
        label: the fit's legend entry.
        title: the axes title.
        ax: draw into this axes instead of a new figure.

    Returns:
        ``(fig, ax)``; when ``ax`` is given, ``fig`` is its figure (a ``SubFigure``
        if ``ax`` lies in one).

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> x = torch.linspace(0, 1, 5)
        >>> fig, ax = plot_kernel_fit(x, x, x_train=x, y_train=x)
        >>> ax.get_xlabel()
        'x (query)'
    """
    x_test = check_tensor(x_test, "x_test", ndim=1, floating=True)
    y_hat = check_tensor(y_hat, "y_hat", ndim=1, floating=True)
    x_train = check_tensor(x_train, "x_train", ndim=1, floating=True)
    y_train = check_tensor(y_train, "y_train", ndim=1, floating=True)
    if y_hat.shape != x_test.shape:
        raise ValueError(
            f"y_hat must have shape {tuple(x_test.shape)} like x_test, got {tuple(y_hat.shape)}"
        )
    if y_train.shape != x_train.shape:
        raise ValueError(
            f"y_train must have shape {tuple(x_train.shape)} like x_train, "
            f"got {tuple(y_train.shape)}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3), layout="constrained")
    fig = ax.figure
    if y_true is not None:
        y_true = check_tensor(y_true, "y_true", ndim=1, floating=True)
        ax.plot(x_test, y_true, color="#000000", label="true function")
    ax.plot(x_test, y_hat.detach(), color="#0072B2", label=label)
    ax.scatter(x_train, y_train, s=10, color="#E69F00", label="training data (keys, values)")
    ax.set_xlabel("x (query)")
    ax.set_ylabel("y")
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return fig, ax
