r"""Explorer: the attention maps of several heads as the head size d_k and the temperature change.

Chapter 4 derives that with unit-variance components the dot product :math:`q^\top k` has
variance :math:`d_k`, so unscaled scores grow with the head size and the softmax saturates
(each query puts almost all its weight on one key). This explorer shows it on a short
sentence: random, seeded token embeddings and random projections (no training), with a
slider for :math:`d_k`, one for the temperature :math:`\tau`, and a switch for the
:math:`1/\sqrt{d_k}` scaling.

Shape legend: ``L`` tokens, ``E`` embedding size, ``H`` heads, ``D`` head size :math:`d_k`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from attnlib.analysis.statistics import _entropy
from attnlib.softmax import softmax
from attnlib.validation import check_int, check_scalar, check_tensor, describe

__all__ = ["head_attention_maps", "plot_head_maps", "heads_explorer", "heads_frames"]


def _check_tokens(tokens: object) -> list[str]:
    if isinstance(tokens, str) or not isinstance(tokens, Sequence):
        raise TypeError(
            f"tokens must be a list of strings, got {describe(tokens)}; "
            "split a sentence with sentence.split()"
        )
    if not tokens or not all(isinstance(t, str) for t in tokens):
        raise ValueError(f"tokens must be a non-empty list of strings, got {list(tokens)!r}")
    return list(tokens)


def head_attention_maps(
    tokens: Sequence[str],
    *,
    num_heads: int = 4,
    head_dim: int = 16,
    temperature: float = 1.0,
    scaled: bool = True,
    embed_dim: int = 32,
    max_head_dim: int = 256,
    seed: int = 0,
) -> torch.Tensor:
    r"""Self-attention weights of ``num_heads`` random heads over ``tokens``.

    .. math::
        \alpha^{(h)} = \mathrm{softmax}\!\left(\frac{Q_h K_h^\top}{\tau\, c}\right), \quad
        Q_h = X W^Q_h,\ K_h = X W^K_h,\quad c = \sqrt{d_k} \text{ if scaled else } 1

    Each distinct token gets a random embedding with independent N(0, 1) components, and the
    projections have N(0, 1/E) entries, so the components of ``q`` and ``k`` have variance
    about 1, the premise of chapter 4's derivation. A head of size ``d_k`` uses the first
    ``d_k`` columns of a ``(E, max_head_dim)`` projection, so the maps change smoothly with
    ``head_dim`` and the same ``seed`` gives the same heads.

    Args:
        tokens: ``L`` strings; repeated tokens share an embedding.
        num_heads: ``H`` >= 1.
        head_dim: ``d_k``, in ``[1, max_head_dim]``.
        temperature: :math:`\tau` > 0.
        scaled: divide the scores by :math:`\sqrt{d_k}` (Vaswani et al., 2017).
        embed_dim: ``E`` >= 1.
        max_head_dim: the largest ``head_dim`` the projections allow.
        seed: seeds the embeddings and projections.

    Returns:
        weights ``(H, L, L)``; ``weights[h, i]`` is query token ``i``'s distribution over keys.

    Example:
        >>> head_attention_maps("the cat sat".split(), num_heads=2, head_dim=4).shape
        torch.Size([2, 3, 3])
    """
    tokens = _check_tokens(tokens)
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    embed_dim = check_int(embed_dim, "embed_dim", minimum=1)
    max_head_dim = check_int(max_head_dim, "max_head_dim", minimum=1)
    head_dim = check_int(head_dim, "head_dim", minimum=1)
    if head_dim > max_head_dim:
        raise ValueError(f"head_dim must be <= max_head_dim={max_head_dim}, got {head_dim}")
    temperature = check_scalar(temperature, "temperature", positive=True)
    if not isinstance(scaled, bool):
        raise TypeError(f"scaled must be a bool, got {describe(scaled)}")
    seed = check_int(seed, "seed", minimum=0)

    generator = torch.Generator().manual_seed(seed)
    vocabulary = sorted(set(tokens))
    table = torch.randn(len(vocabulary), embed_dim, generator=generator)  # (V, E)
    x = table[[vocabulary.index(t) for t in tokens]]  # (L, E)
    shape = (num_heads, embed_dim, max_head_dim)
    w_q = torch.randn(shape, generator=generator) / math.sqrt(embed_dim)  # (H, E, Dmax)
    w_k = torch.randn(shape, generator=generator) / math.sqrt(embed_dim)  # (H, E, Dmax)
    q = x @ w_q[..., :head_dim]  # (L, E) @ (H, E, D) -> (H, L, D)
    k = x @ w_k[..., :head_dim]  # (H, L, D)
    scores = q @ k.transpose(-2, -1)  # (H, L, D) @ (H, D, L) -> (H, L, L)
    if scaled:
        scores = scores / math.sqrt(head_dim)
    return softmax(scores, dim=-1, temperature=temperature)  # (H, L, L)


def plot_head_maps(
    weights: torch.Tensor, tokens: Sequence[str], *, title: str | None = None
) -> tuple[Figure, np.ndarray]:
    """Draw each head's ``(L, L)`` attention map side by side, with one shared colour bar.

    Args:
        weights: ``(H, L, L)`` attention weights in [0, 1].
        tokens: the ``L`` token strings, used as tick labels on both axes.
        title: an optional title over the row of maps.

    Returns:
        ``(fig, axes)``, ``axes`` an array of ``H`` matplotlib axes.
    """
    weights = check_tensor(weights, "weights", ndim=3, floating=True)
    tokens = _check_tokens(tokens)
    H, L, S = weights.shape
    if L != S or L != len(tokens):
        raise ValueError(
            f"weights must have shape (H, {len(tokens)}, {len(tokens)}) to match the "
            f"{len(tokens)} tokens, got shape {tuple(weights.shape)}"
        )
    fig, axes = plt.subplots(
        1, H, figsize=(2.4 * H + 1.0, 3.3), layout="constrained", squeeze=False
    )
    axes = axes[0]
    for h, ax in enumerate(axes):
        image = ax.imshow(weights[h].detach().cpu().numpy(), cmap="viridis", vmin=0.0, vmax=1.0)
        ax.set_xticks(range(L), tokens, rotation=90)
        ax.set_yticks(range(L), tokens if h == 0 else [""] * L)
        ax.set_title(f"head {h + 1}")
        ax.set_xlabel("key token")
    axes[0].set_ylabel("query token")
    fig.colorbar(image, ax=list(axes), label="attention weight", shrink=0.9)
    if title is not None:
        fig.suptitle(title)
    return fig, axes


def _summary(weights: torch.Tensor) -> str:
    """Mean maximum weight and mean entropy (nats) over every head and query."""
    top = weights.amax(dim=-1).mean().item()
    entropy = _entropy(weights, -1, None).mean().item()
    return f"mean max weight {top:.2f}, mean entropy {entropy:.2f} nats"


def heads_explorer(
    tokens: Sequence[str],
    *,
    num_heads: int = 4,
    head_dims: Sequence[int] = (1, 2, 4, 8, 16, 32, 64, 128, 256),
    head_dim: int = 16,
    seed: int = 0,
):
    """An ipywidgets explorer of :func:`head_attention_maps` over ``tokens``.

    Controls: the head size ``d_k`` (from ``head_dims``), the temperature (0.1 to 10, log
    scale) and whether the scores are divided by :math:`\\sqrt{d_k}`. The figure's title
    gives the mean maximum weight and the mean entropy, which show saturation as numbers.

    Args:
        tokens: ``L`` strings, e.g. ``"the cat sat on the mat".split()``.
        num_heads: ``H`` >= 1.
        head_dims: the head sizes the slider offers, increasing, each >= 1.
        head_dim: the initial head size, one of ``head_dims``.
        seed: seeds the embeddings and projections.

    Returns:
        An ``ipywidgets.VBox`` holding the controls and the figure.
    """
    try:
        import ipywidgets as widgets
        from IPython.display import display
    except ImportError as error:  # ipywidgets is the optional extra "attnlib[widgets]"
        raise ImportError(
            "heads_explorer needs ipywidgets: pip install 'attnlib[widgets]'"
        ) from error
    tokens = _check_tokens(tokens)
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    if isinstance(head_dims, str) or not isinstance(head_dims, Sequence) or not head_dims:
        raise TypeError(
            f"head_dims must be a non-empty sequence of ints, got {describe(head_dims)}"
        )
    head_dims = [check_int(d, "head_dims entries", minimum=1) for d in head_dims]
    if sorted(set(head_dims)) != head_dims:
        raise ValueError(f"head_dims must be strictly increasing, got {head_dims}")
    if head_dim not in head_dims:
        raise ValueError(f"head_dim must be one of head_dims={head_dims}, got {head_dim!r}")

    dim_slider = widgets.SelectionSlider(options=head_dims, value=head_dim, description="d_k")
    temperature = widgets.FloatLogSlider(
        value=1.0, base=10, min=-1, max=1, step=0.1, description="temperature"
    )
    scaled = widgets.Checkbox(value=True, description="divide by √d_k")
    out = widgets.Output()

    def draw(_change: object = None) -> None:
        weights = head_attention_maps(
            tokens,
            num_heads=num_heads,
            head_dim=dim_slider.value,
            temperature=temperature.value,
            scaled=scaled.value,
            max_head_dim=max(head_dims),
            seed=seed,
        )
        scaling = "scaled" if scaled.value else "unscaled"
        fig, _ = plot_head_maps(
            weights,
            tokens,
            title=f"d_k = {dim_slider.value}, τ = {temperature.value:.2g}, {scaling}: "
            f"{_summary(weights)}",
        )
        out.clear_output(wait=True)
        with out:
            display(fig)
        plt.close(fig)

    for control in (dim_slider, temperature, scaled):
        control.observe(draw, names="value")
    draw()
    return widgets.VBox([widgets.HBox([dim_slider, temperature, scaled]), out])


def heads_frames(
    tokens: Sequence[str],
    *,
    num_heads: int = 4,
    head_dims: Sequence[int] = (1, 4, 16, 64, 256),
    temperatures: Sequence[float] = (0.3, 1.0, 3.0),
    head_dim: int = 16,
    seed: int = 0,
):
    """:func:`head_attention_maps` over ``tokens`` with controls that work without a kernel.

    Controls: the head size ``d_k`` (from ``head_dims``), the temperature (from
    ``temperatures``) and whether the scores are divided by :math:`\\sqrt{d_k}`. Every
    combination is computed now and drawn with :func:`plot_head_maps`
    (:func:`attnlib.widgets.explorer.frame_explorer`); each title gives the mean maximum
    weight and the mean entropy, which show saturation as numbers.

    Args:
        tokens: ``L`` strings, e.g. ``"the cat sat on the mat".split()``.
        num_heads: ``H`` >= 1.
        head_dims: the head sizes offered, increasing, each >= 1.
        temperatures: the temperatures offered, increasing, each > 0.
        head_dim: the initial head size, one of ``head_dims``.
        seed: seeds the embeddings and projections.

    Returns:
        A :class:`~attnlib.widgets.explorer.FrameExplorer`.
    """
    from attnlib.widgets.explorer import frame_explorer

    tokens = _check_tokens(tokens)
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    if isinstance(head_dims, str) or not isinstance(head_dims, Sequence) or not head_dims:
        raise TypeError(
            f"head_dims must be a non-empty sequence of ints, got {describe(head_dims)}"
        )
    head_dims = [check_int(d, "head_dims entries", minimum=1) for d in head_dims]
    temperatures = [check_scalar(t, "temperatures entries", positive=True) for t in temperatures]
    if head_dim not in head_dims:
        raise ValueError(f"head_dim must be one of head_dims={head_dims}, got {head_dim!r}")

    def maps(d_k: int, tau: float, scaling: str) -> torch.Tensor:
        return head_attention_maps(
            tokens,
            num_heads=num_heads,
            head_dim=d_k,
            temperature=tau,
            scaled=scaling == "divide by √d_k",
            max_head_dim=max(head_dims),
            seed=seed,
        )

    def draw(d_k: int, tau: float, scaling: str):
        weights = maps(d_k, tau, scaling)
        return plot_head_maps(
            weights, tokens, title=f"d_k = {d_k}, τ = {tau:g}, {scaling}:\n{_summary(weights)}"
        )

    def alt(d_k: int, tau: float, scaling: str) -> str:
        return (
            f"{num_heads} attention maps over the tokens '{' '.join(tokens)}' with d_k = "
            f"{d_k}, temperature {tau:g}, scores "
            f"{'divided by √d_k' if scaling != 'unscaled' else 'unscaled'}: "
            f"{_summary(maps(d_k, tau, scaling))}."
        )

    return frame_explorer(
        draw,
        {"d_k": head_dims, "tau": temperatures, "scaling": ["divide by √d_k", "unscaled"]},
        alt=alt,
        labels={"d_k": "key size d_k", "tau": "temperature τ", "scaling": "scores"},
        initial={"d_k": head_dim, "tau": 1.0 if 1.0 in temperatures else temperatures[0]},
    )
