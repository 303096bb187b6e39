r"""Squeeze-and-excitation: channel attention in a small CNN (chapter 11).

A squeeze-and-excitation (SE) block (Hu, Shen and Sun, CVPR 2018) rescales each channel of a
feature map by a weight computed from the whole map:

.. math::
    s = \sigma\bigl(W_2\, \mathrm{ReLU}(W_1 \bar{u})\bigr), \qquad
    \bar{u}_c = \frac{1}{HW} \sum_{h, w} u_{c h w}, \qquad
    \tilde{u}_{c h w} = s_c\, u_{c h w},

with :math:`W_1 \in \mathbb{R}^{C/r \times C}` and :math:`W_2 \in \mathbb{R}^{C \times C/r}`
(``r`` is the reduction ratio). The weights :math:`s \in (0, 1)^C` are computed from each
input, so they change from image to image; they are a sigmoid *gate* per channel, not a
softmax distribution, and the block returns a rescaled map, not a weighted sum (compare
chapter 2's definition of attention; the literature calls SE "channel attention").

:class:`SECNN` is a small CNN with an SE block after each conv block; with
``use_se=False`` it is the *same* network without them, the baseline chapter 11 measures
against.

Shape legend: ``B`` images, ``C`` channels, ``H, W`` feature-map size, ``K`` classes.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from attnlib.validation import check_int, check_tensor

__all__ = ["SECNN", "SECNNConfig", "SqueezeExcitation"]


class SqueezeExcitation(nn.Module):
    r"""The SE block: per-channel weights :math:`s = \sigma(W_2 \mathrm{ReLU}(W_1 \bar{u}))`.

    Args:
        channels: ``C``, the number of channels of the feature map.
        reduction: ``r``; the hidden layer has ``max(1, C // r)`` units.

    Shapes:
        ``forward(u)``: ``u`` ``(B, C, H, W)`` -> ``(B, C, H, W)``, each channel multiplied by
        its weight; with ``return_weights=True`` also ``s`` ``(B, C)``, each in (0, 1).

    Example:
        >>> block = SqueezeExcitation(8, reduction=4)
        >>> out, s = block(torch.randn(2, 8, 5, 5), return_weights=True)
        >>> out.shape, s.shape
        (torch.Size([2, 8, 5, 5]), torch.Size([2, 8]))
        >>> bool(((s > 0) & (s < 1)).all())
        True
    """

    def __init__(self, channels: int, reduction: int = 4) -> None:
        super().__init__()
        channels = check_int(channels, "channels", minimum=1)
        reduction = check_int(reduction, "reduction", minimum=1)
        hidden = max(1, channels // reduction)
        self.fc1 = nn.Linear(channels, hidden)  # W_1 (with a bias, as in the paper's code)
        self.fc2 = nn.Linear(hidden, channels)  # W_2

    def forward(
        self, u: torch.Tensor, *, return_weights: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        squeeze = u.mean(dim=(2, 3))  # (B, C, H, W) -> (B, C)
        s = torch.sigmoid(self.fc2(torch.relu(self.fc1(squeeze))))  # (B, C) -> (B, C)
        out = u * s[:, :, None, None]  # (B, C, H, W) * (B, C, 1, 1) -> (B, C, H, W)
        if return_weights:
            return out, s
        return out


@dataclass(frozen=True)
class SECNNConfig:
    """Sizes of the SE CNN (the defaults are chapter 11's)."""

    channels: tuple[int, ...] = (8, 16, 32)  # widths of the 3x3 conv blocks
    # a 2x2 max-pool follows every block: 28x28 -> 14x14 -> 7x7 -> 3x3
    reduction: int = 4  # r, the SE bottleneck ratio
    use_se: bool = True  # False: the same network without SE blocks (the baseline)
    num_classes: int = 10  # K

    def __post_init__(self) -> None:
        if not isinstance(self.channels, tuple) or not self.channels:
            raise ValueError(f"channels must be a non-empty tuple of ints, got {self.channels!r}")
        for i, c in enumerate(self.channels):
            check_int(c, f"channels[{i}]", minimum=1)
        check_int(self.reduction, "reduction", minimum=1)
        check_int(self.num_classes, "num_classes", minimum=2)
        if not isinstance(self.use_se, bool):
            raise TypeError(f"use_se must be a bool, got {type(self.use_se).__name__}")


class SECNN(nn.Module):
    """A small CNN with a squeeze-and-excitation block after each conv block (or none).

    Each block is 3x3 conv -> ReLU -> [SE] -> 2x2 max-pool; global average pooling and a
    linear layer classify. ``SECNNConfig(use_se=False)`` gives the identical network without
    the SE blocks.

    Args:
        config: the sizes; :class:`SECNNConfig` by default.

    Shapes:
        ``forward(x)``: ``x`` ``(B, 1, H, W)`` -> logits ``(B, K)``; with
        ``return_weights=True`` also the SE weights of every block, a list of ``(B, C_l)``
        (empty without SE).

    Example:
        >>> model = SECNN()
        >>> logits, weights = model(torch.randn(3, 1, 28, 28), return_weights=True)
        >>> logits.shape, [tuple(s.shape) for s in weights]
        (torch.Size([3, 10]), [(3, 8), (3, 16), (3, 32)])
    """

    def __init__(self, config: SECNNConfig | None = None) -> None:
        super().__init__()
        self.config = config = config or SECNNConfig()
        self.convs = nn.ModuleList()
        self.se = nn.ModuleList()
        c_in = 1
        for c_out in config.channels:
            self.convs.append(nn.Conv2d(c_in, c_out, 3, padding=1))
            if config.use_se:
                self.se.append(SqueezeExcitation(c_out, config.reduction))
            c_in = c_out
        self.classifier = nn.Linear(c_in, config.num_classes)

    def forward(
        self, x: torch.Tensor, *, return_weights: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor]]:
        x = check_tensor(x, "x", ndim=4, floating=True)
        if x.shape[1] != 1:
            raise ValueError(f"x must have one channel, shape (B, 1, H, W), got {tuple(x.shape)}")
        weights = []
        for i, conv in enumerate(self.convs):
            x = torch.relu(conv(x))  # (B, C_in, H, W) -> (B, C_out, H, W)
            if self.config.use_se:
                x, s = self.se[i](x, return_weights=True)  # same shape; s (B, C_out)
                weights.append(s)
            x = nn.functional.max_pool2d(x, 2)  # (B, C, H, W) -> (B, C, H/2, W/2)
        logits = self.classifier(x.mean(dim=(2, 3)))  # (B, C) -> (B, K)
        if return_weights:
            return logits, weights
        return logits
