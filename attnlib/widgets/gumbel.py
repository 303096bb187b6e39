"""A temperature slider over Gumbel-softmax samples drawn with fixed noise (chapter 3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from attnlib.hard import sample_gumbel
from attnlib.plotting.estimators import plot_relaxed_samples
from attnlib.softmax import softmax
from attnlib.validation import check_int, check_scalar, check_tensor

if TYPE_CHECKING:
    import ipywidgets

__all__ = ["gumbel_softmax_explorer", "gumbel_softmax_frames", "relaxed_samples"]


def relaxed_samples(logits: torch.Tensor, noise: torch.Tensor, tau: float) -> torch.Tensor:
    r"""Gumbel-softmax samples :math:`\mathrm{softmax}((\ell + g) / \tau)` for given noise ``g``.

    With the noise held fixed, moving ``tau`` shows how one and the same sample sharpens
    towards the one-hot :math:`\arg\max_i(\ell_i + g_i)` (small ``tau``) or flattens towards
    uniform (large ``tau``).

    Args:
        logits: ``(n,)``.
        noise: ``(N, n)`` standard Gumbel noise.
        tau: a finite number > 0.

    Returns:
        ``(N, n)`` relaxed samples, each row on the probability simplex.
    """
    logits = check_tensor(logits, "logits", ndim=1, floating=True, finite=True)
    noise = check_tensor(noise, "noise", ndim=2, floating=True, finite=True)
    if noise.shape[1] != logits.shape[0]:
        raise ValueError(
            f"noise must have {logits.shape[0]} columns to match logits, got shape "
            f"{tuple(noise.shape)}"
        )
    tau = check_scalar(tau, "tau", positive=True)
    return softmax(logits + noise, dim=-1, temperature=tau)  # (N, n)


def gumbel_softmax_explorer(
    logits: torch.Tensor,
    *,
    num_samples: int = 12,
    seed: int = 0,
    initial: float = 1.0,
) -> ipywidgets.VBox:
    """A slider for ``τ`` (log scale, 0.01–100) over Gumbel-softmax samples with fixed noise.

    The heatmap's rows are ``num_samples`` relaxed samples ``softmax((logits + g) / τ)``, the
    noise ``g`` drawn once from ``seed``; the title gives the mean weight of each sample's
    largest category (1 for one-hot samples, ``1/n`` for uniform ones).

    Args:
        logits: ``(n,)`` the logits of one categorical distribution.
        num_samples: how many samples (rows) to show, >= 1.
        seed: seeds the Gumbel noise.
        initial: the temperature shown first.

    Returns:
        The widget; display it as a notebook cell's last expression.
    """
    import ipywidgets as widgets  # the optional extra "attnlib[widgets]"
    from IPython.display import display

    logits = check_tensor(logits, "logits", ndim=1, floating=True, finite=True)
    num_samples = check_int(num_samples, "num_samples", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    initial = check_scalar(initial, "initial", positive=True)
    noise = sample_gumbel(
        (num_samples, logits.shape[0]),
        generator=torch.Generator().manual_seed(seed),
        dtype=logits.dtype,
    )
    slider = widgets.FloatLogSlider(
        value=initial, base=10, min=-2, max=2, step=0.05, description="τ", continuous_update=False
    )
    out = widgets.Output()

    def draw(change: object = None) -> None:
        tau = slider.value
        y = relaxed_samples(logits, noise, tau)  # (N, n)
        with out:
            out.clear_output(wait=True)
            fig, ax = plot_relaxed_samples(y, tau=tau)
            ax.set_title(f"τ = {tau:.2f}: mean largest weight {y.max(-1).values.mean():.2f}")
            assert isinstance(fig, Figure)  # a new figure: no axes were given
            display(fig)
            plt.close(fig)  # displayed once, inside the Output widget

    slider.observe(draw, names="value")
    draw()
    return widgets.VBox([slider, out])


def gumbel_softmax_frames(
    logits: torch.Tensor,
    *,
    num_samples: int = 12,
    seed: int = 0,
    temperatures: tuple[float, ...] = (0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 100.0),
    initial: float = 1.0,
):
    """A temperature slider over Gumbel-softmax samples with fixed noise, without a kernel.

    The samples come from :func:`relaxed_samples` and are drawn with
    :func:`attnlib.plotting.estimators.plot_relaxed_samples`, one frame per temperature
    (:func:`attnlib.widgets.explorer.frame_explorer`); the noise is drawn once from ``seed``.

    Args:
        logits: ``(n,)`` the logits of one categorical distribution.
        num_samples: how many samples (rows) to show, >= 1.
        seed: seeds the Gumbel noise.
        temperatures: the values of ``τ`` the slider offers, increasing.
        initial: the temperature shown first, one of ``temperatures``.

    Returns:
        A :class:`~attnlib.widgets.explorer.FrameExplorer`.
    """
    from attnlib.widgets.explorer import frame_explorer

    logits = check_tensor(logits, "logits", ndim=1, floating=True, finite=True)
    num_samples = check_int(num_samples, "num_samples", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    noise = sample_gumbel(
        (num_samples, logits.shape[0]),
        generator=torch.Generator().manual_seed(seed),
        dtype=logits.dtype,
    )

    def largest(tau: float) -> float:
        return relaxed_samples(logits, noise, tau).max(-1).values.mean().item()

    def draw(tau: float):
        fig, ax = plot_relaxed_samples(relaxed_samples(logits, noise, tau), tau=tau)
        ax.set_title(f"τ = {tau:g}: mean largest weight {largest(tau):.2f}")
        return fig, ax

    def alt(tau: float) -> str:
        return (
            f"A heatmap of {num_samples} Gumbel-softmax samples over {logits.shape[0]} "
            f"categories at temperature {tau:g}; the mean largest weight of a sample is "
            f"{largest(tau):.2f} (1 for one-hot rows, {1 / logits.shape[0]:.2f} for uniform)."
        )

    return frame_explorer(
        draw,
        {"tau": list(temperatures)},
        alt=alt,
        labels={"tau": "temperature τ"},
        initial={"tau": initial},
    )
