r"""Importance maps of a Vision Transformer's patches, by every method of chapter 9.

One function gives, for the same images and the same model, a score per patch from

- ``"attention"``: the last layer's attention of the class token to each patch, averaged over
  heads (what is usually drawn as "the" attention map);
- ``"rollout"``: row 0 of :func:`~attnlib.analysis.rollout.attention_rollout`;
- ``"flow"``: row 0 of :func:`~attnlib.analysis.flow.attention_flow` (slow: a few images);
- ``"saliency"``, ``"input x gradient"``, ``"integrated gradients"``: the pixel attributions of
  :mod:`~attnlib.analysis.attribution`, their magnitudes summed over each patch;
- ``"random"``: uniform random scores, the control.

All are ``(N, T)`` (``T`` patches in raster order), larger = more important, so that they can
be ranked with :func:`~attnlib.analysis.faithfulness.rank_units` and compared.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from attnlib.analysis.rollout import _rollout, head_average
from attnlib.models.vit import VisionTransformer
from attnlib.validation import check_choice, describe

__all__ = ["METHODS", "vit_maps"]

#: The seven importance maps of chapter 9, in the order the chapter shows them.
METHODS = (
    "attention",
    "rollout",
    "flow",
    "saliency",
    "input x gradient",
    "integrated gradients",
    "random",
)


def vit_maps(
    model: VisionTransformer,
    x: torch.Tensor,
    methods: Sequence[str] = METHODS,
    *,
    target: torch.Tensor | None = None,
    baseline: float = 0.0,
    ig_steps: int = 32,
    generator: torch.Generator | None = None,
) -> dict[str, torch.Tensor]:
    """Patch importance maps ``(N, T)`` of ``model`` on ``x`` by each of ``methods``.

    Args:
        model: a :class:`~attnlib.models.vit.VisionTransformer` (put in eval mode).
        x: ``(N, 1, S, S)`` images.
        methods: names from :data:`~attnlib.analysis.maps.METHODS`.
        target: ``(N,)`` the class explained by the gradient methods; default: the prediction.
        baseline: the blank input value, the baseline of Integrated Gradients.
        ig_steps: quadrature points of Integrated Gradients.
        generator: seeds the random control.

    Returns:
        ``{method: (N, T)}``.

    Example:
        >>> from attnlib.models.vit import ViTConfig
        >>> model = VisionTransformer(ViTConfig(depth=2))
        >>> maps = vit_maps(model, torch.randn(2, 1, 28, 28), ["rollout", "saliency"])
        >>> {k: tuple(v.shape) for k, v in maps.items()}
        {'rollout': (2, 16), 'saliency': (2, 16)}
    """
    if not isinstance(model, VisionTransformer):
        raise TypeError(f"model must be a VisionTransformer, got {describe(model)}")
    methods = [check_choice(m, "methods entries", METHODS) for m in methods]
    model.eval()
    with torch.no_grad():
        logits, attentions = model(x, return_weights=True)
    if target is None:
        target = logits.argmax(-1)
    P = model.config.patch_size
    maps: dict[str, torch.Tensor] = {}
    for method in methods:
        if method == "attention":
            maps[method] = head_average(attentions[-1])[:, 0, 1:]  # (N, T)
        elif method == "rollout":
            maps[method] = _rollout(list(attentions), residual=True)[:, 0, 1:]
        elif method == "flow":
            from attnlib.analysis.flow import attention_flow  # networkx: imported on use

            maps[method] = attention_flow(attentions, outputs=[0])[:, 0, 1:]
        elif method == "random":
            maps[method] = torch.rand(len(x), model.config.num_patches, generator=generator)
        else:
            from attnlib.analysis import attribution as attr  # Captum: imported on use

            if method == "saliency":
                pixels = attr.gradient_saliency(model, x, target)
            elif method == "input x gradient":
                pixels = attr.input_x_gradient(model, x, target)
            else:
                pixels, _ = attr.integrated_gradients(
                    model, x, target, baseline=baseline, steps=ig_steps
                )
            maps[method] = attr.pool_patches(pixels, P).flatten(1)  # (N, g, g) -> (N, T)
    return maps
