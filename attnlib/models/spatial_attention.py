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

__all__ = ["FlattenCNN", "SpatialAttentionCNN", "SpatialAttentionConfig"]


@dataclass(frozen=True)
class SpatialAttentionConfig:
    """Sizes of the attention CNN and of its baseline (the defaults are chapter 5's)."""

    channels: tuple[int, ...] = (16, 32, 64)  # widths of the 3x3 conv blocks
    # a 2x2 max-pool follows every block but the last: 28x28 -> 14x14 -> 7x7 (S = 49)
    key_dim: int = 32  # E, the size of the learned query and of the keys
    num_classes: int = 10  # K
    batch_norm: bool = True  # BatchNorm after each conv: stable at the high one-cycle lr
    image_size: int = 28  # side of the square input (60 for chapter 6's translated digits)

    def __post_init__(self) -> None:
        if not isinstance(self.channels, tuple) or not self.channels:
            raise ValueError(f"channels must be a non-empty tuple of ints, got {self.channels!r}")
        for i, c in enumerate(self.channels):
            check_int(c, f"channels[{i}]", minimum=1)
        check_int(self.key_dim, "key_dim", minimum=1)
        check_int(self.num_classes, "num_classes", minimum=2)
        check_int(self.image_size, "image_size", minimum=1)
        if not isinstance(self.batch_norm, bool):
            raise TypeError(f"batch_norm must be a bool, got {type(self.batch_norm).__name__}")

    @property
    def feature_size(self) -> int:
        """``H' = W'``, the side of the feature map for an ``image_size`` input."""
        size = self.image_size
        for _ in self.channels[:-1]:
            size //= 2
        return size


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


def _check_input(x: object, size: int) -> torch.Tensor:
    x = check_tensor(x, "x", ndim=4, floating=True)
    if x.shape[1:] != (1, size, size):
        raise ValueError(
            f"x must have shape (B, 1, {size}, {size}) (config.image_size = {size}; use "
            f"attnlib.data.mnist.prepare_images), got shape {tuple(x.shape)}"
        )
    return x


class SpatialAttentionCNN(nn.Module):
    r"""CNN + attention pooling: the classifier sees only :math:`\sum_i \alpha_i v_i`.

    Args:
        config: the sizes; :class:`SpatialAttentionConfig` by default.

    Shapes:
        ``forward(x)``: ``x`` ``(B, 1, 28, 28)`` (from :func:`attnlib.data.mnist.prepare_images`)
        -> logits ``(B, K)``; with
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
        x = _check_input(x, self.config.image_size)
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
        x = _check_input(x, self.config.image_size)
        return self.features(x).flatten(1)  # (B, C, H', W') -> (B, C H' W')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.flat_features(x))  # (B, C H' W') -> (B, K)
