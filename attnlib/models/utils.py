"""Small utilities shared by the case-study models (chapters 4–8)."""

from __future__ import annotations

from torch import nn

__all__ = ["count_parameters"]


def count_parameters(model: nn.Module) -> int:
    """The number of trainable parameters of ``model``.

    Example:
        >>> count_parameters(nn.Linear(3, 2))  # a 3x2 weight and 2 biases
        8
    """
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
