r"""A CNN whose classifier sees only an attention-weighted sum of its feature map (chapter 5).

A small convolutional stack turns a digit into a feature map of ``S = H' W'`` positions, each a
vector :math:`v_i \in \mathbb{R}^C`. A learned query :math:`q \in \mathbb{R}^E` is compared with
each position's key :math:`k_i = W_k v_i + b_k`, and the classifier receives only

.. math::
    z = \sum_{i=1}^{S} \alpha_i v_i, \qquad
    \alpha = \mathrm{softmax}\!\left(\frac{K q}{\sqrt{E}}\right),

so the weights :math:`\alpha` are part of the forward pass: a position with weight 0 cannot
influence the prediction (in the spirit of Jetley et al., 2018, "Learn to Pay Attention").
The no-attention baseline flattens its feature map and feeds all of it to a linear classifier.

Shape legend: ``B`` images, ``C`` channels, ``H', W'`` feature-map size, ``S = H' W'``
positions, ``E`` query/key size, ``K`` classes.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from attnlib.soft import _scaled_dot_product_attention
from attnlib.validation import check_int, check_tensor

__all__ = [
    "MNIST_MEAN",
    "MNIST_STD",
    "FlattenCNN",
    "random_shift",
    "SpatialAttentionCNN",
    "SpatialAttentionConfig",
    "count_parameters",
    "prepare_images",
]

# Mean and standard deviation of MNIST's training pixels scaled to [0, 1].
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


@dataclass(frozen=True)
class SpatialAttentionConfig:
    """Sizes of the attention CNN and of its baseline (the defaults are chapter 5's)."""

    channels: tuple[int, ...] = (16, 32, 64)  # widths of the 3x3 conv blocks
    # a 2x2 max-pool follows every block but the last: 28x28 -> 14x14 -> 7x7 (S = 49)
    key_dim: int = 32  # E, the size of the learned query and of the keys
    num_classes: int = 10  # K
    batch_norm: bool = True  # BatchNorm after each conv: stable at the high one-cycle lr

    def __post_init__(self) -> None:
        if not isinstance(self.channels, tuple) or not self.channels:
            raise ValueError(
                f"channels must be a non-empty tuple of ints, got {self.channels!r}"
            )
        for i, c in enumerate(self.channels):
            check_int(c, f"channels[{i}]", minimum=1)
        check_int(self.key_dim, "key_dim", minimum=1)
        check_int(self.num_classes, "num_classes", minimum=2)
        if not isinstance(self.batch_norm, bool):
            raise TypeError(f"batch_norm must be a bool, got {type(self.batch_norm).__name__}")

    @property
    def feature_size(self) -> int:
        """``H' = W'``, the side of the feature map for a 28x28 input."""
        size = 28
        for _ in self.channels[:-1]:
            size //= 2
        return size


def prepare_images(images: torch.Tensor) -> torch.Tensor:
    """Turn uint8 digits into the models' input: float32, one channel, standardised.

    .. math:: x = (p / 255 - 0.1307) / 0.3081

    Args:
        images: ``(N, 28, 28)`` uint8, 0 (background) to 255 (ink).

    Returns:
        ``(N, 1, 28, 28)`` float32; the background becomes ``-0.1307 / 0.3081 ≈ -0.424``.

    Example:
        >>> prepare_images(torch.zeros(2, 28, 28, dtype=torch.uint8)).shape
        torch.Size([2, 1, 28, 28])
    """
    images = check_tensor(images, "images", ndim=3)
    if images.dtype != torch.uint8:
        raise TypeError(f"images must have dtype torch.uint8 (0-255), got {images.dtype}")
    x = images.unsqueeze(1).float().div_(255.0)  # (N, 28, 28) -> (N, 1, 28, 28)
    return x.sub_(MNIST_MEAN).div_(MNIST_STD)


def random_shift(
    x: torch.Tensor, max_shift: int, *, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Shift each image by a random whole number of pixels, filling with the background.

    A standard augmentation for MNIST (used by the benchmark script, not by the chapter):
    every image moves by ``(dy, dx)``, each drawn uniformly from ``-max_shift … max_shift``.

    Args:
        x: ``(B, 1, H, W)`` images as made by :func:`prepare_images`.
        max_shift: the largest shift in pixels, >= 0.
        generator: for reproducible shifts.

    Returns:
        ``(B, 1, H, W)``; ``x`` is not modified.
    """
    x = check_tensor(x, "x", ndim=4, floating=True)
    max_shift = check_int(max_shift, "max_shift", minimum=0)
    if max_shift == 0:
        return x
    B, _, H, W = x.shape
    background = -MNIST_MEAN / MNIST_STD
    padded = nn.functional.pad(x, (max_shift,) * 4, value=background)  # (B, 1, H+2s, W+2s)
    dy, dx = torch.randint(0, 2 * max_shift + 1, (2, B), generator=generator)
    rows = (dy[:, None] + torch.arange(H))[:, :, None]  # (B, H, 1)
    cols = (dx[:, None] + torch.arange(W))[:, None, :]  # (B, 1, W)
    return padded[torch.arange(B)[:, None, None], 0, rows, cols].unsqueeze(1)  # (B, 1, H, W)


def count_parameters(model: nn.Module) -> int:
    """The number of trainable parameters of ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _conv_stack(channels: tuple[int, ...], batch_norm: bool) -> nn.Sequential:
    """3x3 conv (+ BatchNorm) + ReLU blocks, a 2x2 max-pool between consecutive blocks."""
    layers: list[nn.Module] = []
    c_in = 1
    for i, c_out in enumerate(channels):
        if i > 0:
            layers.append(nn.MaxPool2d(2))
        layers.append(nn.Conv2d(c_in, c_out, 3, padding=1, bias=not batch_norm))
        if batch_norm:
            layers.append(nn.BatchNorm2d(c_out))
        layers.append(nn.ReLU(inplace=True))
        c_in = c_out
    return nn.Sequential(*layers)


def _check_input(x: object) -> torch.Tensor:
    x = check_tensor(x, "x", ndim=4, floating=True)
    if x.shape[1:] != (1, 28, 28):
        raise ValueError(
            f"x must have shape (B, 1, 28, 28) (use prepare_images), got shape {tuple(x.shape)}"
        )
    return x


class SpatialAttentionCNN(nn.Module):
    r"""CNN + attention pooling: the classifier sees only :math:`\sum_i \alpha_i v_i`.

    Args:
        config: the sizes; :class:`SpatialAttentionConfig` by default.

    Shapes:
        ``forward(x)``: ``x`` ``(B, 1, 28, 28)`` -> logits ``(B, K)``; with
        ``return_weights=True`` also the attention map ``(B, H', W')`` (each map sums to 1).

    Example:
        >>> model = SpatialAttentionCNN()
        >>> logits, alpha = model(torch.randn(2, 1, 28, 28), return_weights=True)
        >>> logits.shape, alpha.shape
        (torch.Size([2, 10]), torch.Size([2, 7, 7]))
    """

    def __init__(self, config: SpatialAttentionConfig | None = None) -> None:
        super().__init__()
        self.config = config = config or SpatialAttentionConfig()
        C, E = config.channels[-1], config.key_dim
        self.features = _conv_stack(config.channels, config.batch_norm)
        self.key = nn.Linear(C, E)  # k_i = W_k v_i + b_k
        self.query = nn.Parameter(torch.randn(1, E) / E**0.5)  # q, learned, one per model
        self.classifier = nn.Linear(C, config.num_classes)

    def forward(
        self, x: torch.Tensor, *, return_weights: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        x = _check_input(x)
        f = self.features(x)  # (B, 1, 28, 28) -> (B, C, H', W')
        B, C, H, W = f.shape
        v = f.flatten(2).transpose(1, 2)  # (B, C, H', W') -> (B, S, C)
        k = self.key(v)  # (B, S, C) -> (B, S, E)
        z, alpha = _scaled_dot_product_attention(self.query, k, v)
        # (1, E), (B, S, E), (B, S, C) -> z (B, 1, C), alpha (B, 1, S)
        logits = self.classifier(z.squeeze(1))  # (B, C) -> (B, K)
        if return_weights:
            return logits, alpha.view(B, H, W)  # (B, 1, S) -> (B, H', W')
        return logits


class FlattenCNN(nn.Module):
    """The no-attention baseline: the same kind of conv stack, flattened into a linear classifier.

    Args:
        config: the sizes (``key_dim`` is unused); by default ``channels=(16, 32, 32)``, which
            gives about as many parameters as the default :class:`SpatialAttentionCNN`.

    Shapes:
        ``forward(x)``: ``(B, 1, 28, 28)`` -> logits ``(B, K)``; ``flat_features(x)``:
        ``(B, C H' W')``, the layer a post-hoc "softmax over the flattened layer" reads.
    """

    def __init__(self, config: SpatialAttentionConfig | None = None) -> None:
        super().__init__()
        self.config = config = config or SpatialAttentionConfig(channels=(16, 32, 32))
        self.features = _conv_stack(config.channels, config.batch_norm)
        flat = config.channels[-1] * config.feature_size**2
        self.classifier = nn.Linear(flat, config.num_classes)

    def flat_features(self, x: torch.Tensor) -> torch.Tensor:
        """The flattened feature map ``(B, C H' W')``, in channel-major order (C, H', W')."""
        x = _check_input(x)
        return self.features(x).flatten(1)  # (B, C, H', W') -> (B, C H' W')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.flat_features(x))  # (B, C H' W') -> (B, K)
