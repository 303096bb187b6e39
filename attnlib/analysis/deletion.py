r"""The deletion test: does removing the pixels a map ranks highest change the prediction? (ch. 5)

A map that says which pixels a classifier relies on should be *faithful*: deleting the pixels
it ranks highest should change the prediction sooner than deleting pixels in a random order
(Samek et al., 2017; Petsiuk et al., 2018, "deletion" metric). Here a pixel is deleted by
setting it to the background value, and a curve records, for each deleted fraction of the
image, how often the prediction changes and how much probability the originally predicted
class keeps.

Shape legend: ``N`` images, ``H, W`` image size (28), ``h, w`` map size (e.g. 7), ``P = H W``
pixels, ``F`` deleted fractions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from attnlib.validation import check_int, check_scalar, check_tensor

__all__ = [
    "DeletionCurve",
    "deletion_curve",
    "delete_pixels",
    "ink_first_random_order",
    "random_order",
    "rank_pixels",
    "upsample_map",
]


def upsample_map(weights: torch.Tensor, size: int = 28) -> torch.Tensor:
    """Resize ``(N, h, w)`` maps to ``(N, size, size)`` pixels by bilinear interpolation.

    Each feature-map position covers a block of pixels; bilinear resizing spreads its weight
    smoothly over the block, so that pixels can be ranked with few ties.

    Example:
        >>> upsample_map(torch.ones(2, 7, 7)).shape
        torch.Size([2, 28, 28])
    """
    weights = check_tensor(weights, "weights", ndim=3, floating=True)
    size = check_int(size, "size", minimum=1)
    up = nn.functional.interpolate(
        weights.unsqueeze(1), size=(size, size), mode="bilinear", align_corners=False
    )  # (N, h, w) -> (N, 1, size, size)
    return up.squeeze(1)  # (N, 1, size, size) -> (N, size, size)


def rank_pixels(scores: torch.Tensor) -> torch.Tensor:
    """Pixel indices ``(N, P)`` of each image from the highest score to the lowest.

    Ties keep their raster order (a stable sort), so the ranking is deterministic.

    Args:
        scores: ``(N, H, W)`` importance of each pixel (larger = more important).

    Returns:
        ``(N, H W)`` int64 flat pixel indices.
    """
    scores = check_tensor(scores, "scores", ndim=3, floating=True)
    return torch.argsort(scores.flatten(1), dim=1, descending=True, stable=True)  # (N, P)


def random_order(n: int, size: int = 28, *, generator: torch.Generator) -> torch.Tensor:
    """``(n, size * size)`` independent uniformly random pixel orders, the control ranking."""
    n = check_int(n, "n", minimum=1)
    size = check_int(size, "size", minimum=1)
    return torch.rand(n, size * size, generator=generator).argsort(dim=1)  # (n, P)


def ink_first_random_order(
    images: torch.Tensor, *, threshold: int = 128, generator: torch.Generator
) -> torch.Tensor:
    """Random orders that list every ink pixel (value >= ``threshold``) before the background.

    The harder control: on MNIST any map that points at the strokes beats a uniformly random
    order, because deleting background changes nothing. This order knows where the ink is and
    nothing else.

    Args:
        images: ``(N, H, W)`` uint8 digits.
        threshold: the least value counted as ink.
        generator: seeds the order within ink and within background.

    Returns:
        ``(N, H W)`` int64 flat pixel indices.
    """
    images = check_tensor(images, "images", ndim=3)
    threshold = check_int(threshold, "threshold", minimum=0)
    noise = torch.rand(images.shape, generator=generator)  # (N, H, W), in [0, 1)
    return rank_pixels(noise + (images >= threshold).float())  # ink scores in [1, 2)


def delete_pixels(x: torch.Tensor, order: torch.Tensor, k: int, *, fill: float) -> torch.Tensor:
    """A copy of ``x`` whose first ``k`` pixels in ``order`` are set to ``fill``.

    Args:
        x: ``(N, 1, H, W)`` model inputs (not modified).
        order: ``(N, H W)`` flat pixel indices, most important first.
        k: how many pixels to delete per image, ``0 <= k <= H W``.
        fill: the value of a deleted pixel (the background's, after any normalisation).

    Returns:
        ``(N, 1, H, W)``.
    """
    x = check_tensor(x, "x", ndim=4, floating=True)
    order = check_tensor(order, "order", ndim=2)
    N, _, H, W = x.shape
    if order.shape != (N, H * W):
        raise ValueError(
            f"order must have shape ({N}, {H * W}) to match x, got shape {tuple(order.shape)}"
        )
    k = check_int(k, "k", minimum=0)
    if k > H * W:
        raise ValueError(f"k must be <= {H * W} (the number of pixels), got {k}")
    fill = check_scalar(fill, "fill")
    out = x.flatten(1).clone()  # (N, 1, H, W) -> (N, P)
    out.scatter_(1, order[:, :k], fill)
    return out.view_as(x)


@dataclass(frozen=True)
class DeletionCurve:
    """The effect of deleting growing fractions of the pixels, most important first.

    Attributes:
        fractions: ``(F,)`` fractions of the pixels deleted.
        changed: ``(F,)`` fraction of images whose predicted class differs from the intact one.
        probability: ``(F,)`` mean probability the model still gives the intact prediction.
    """

    fractions: torch.Tensor
    changed: torch.Tensor
    probability: torch.Tensor

    def area(self) -> float:
        """The area under ``probability`` against ``fractions`` (trapezoid rule): lower means
        the ranking found the pixels the prediction depends on sooner."""
        return torch.trapezoid(self.probability, self.fractions).item()


@torch.no_grad()
def deletion_curve(
    model: nn.Module,
    x: torch.Tensor,
    order: torch.Tensor,
    fractions: Sequence[float],
    *,
    fill: float,
    batch_size: int = 1000,
) -> DeletionCurve:
    """Delete the top ``fraction`` of pixels in ``order`` and measure the model's predictions.

    Args:
        model: maps ``(B, 1, H, W)`` to logits ``(B, K)``; put in eval mode here.
        x: ``(N, 1, H, W)`` inputs.
        order: ``(N, H W)`` pixel indices, most important first (:func:`rank_pixels`).
        fractions: fractions of the pixels to delete, each in ``[0, 1]``.
        fill: the value of a deleted pixel.
        batch_size: images per forward pass.

    Returns:
        A :class:`DeletionCurve`.

    Example:
        >>> model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
        >>> x = torch.randn(4, 1, 28, 28)
        >>> curve = deletion_curve(model, x, random_order(4, generator=torch.Generator()),
        ...                        [0.0, 1.0], fill=0.0)
        >>> curve.changed[0].item()
        0.0
    """
    x = check_tensor(x, "x", ndim=4, floating=True)
    fracs = torch.tensor([check_scalar(f, f"fractions[{i}]") for i, f in enumerate(fractions)])
    if len(fracs) == 0 or (fracs < 0).any() or (fracs > 1).any():
        raise ValueError(
            f"fractions must be a non-empty list of numbers in [0, 1], got {fractions}"
        )
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    model.eval()
    P = x.shape[2] * x.shape[3]
    intact = torch.cat([model(b).argmax(-1) for b in x.split(batch_size)])  # (N,)
    changed, probability = [], []
    for f in fracs.tolist():
        x_del = delete_pixels(x, order, round(f * P), fill=fill)  # (N, 1, H, W)
        p = torch.cat([model(b).softmax(-1) for b in x_del.split(batch_size)])  # (N, K)
        changed.append((p.argmax(-1) != intact).float().mean())
        probability.append(p.gather(1, intact[:, None]).mean())  # p of the intact prediction
    return DeletionCurve(fracs, torch.stack(changed), torch.stack(probability))
