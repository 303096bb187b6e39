r"""The Transformer encoder that chapter 4's and chapter 9's models share.

A block is a pre-norm Transformer encoder layer (Vaswani et al., 2017, with the layer norm
moved in front of each sublayer, as in the Vision Transformer),

.. math::
    x \leftarrow x + \mathrm{Dropout}\big(\mathrm{MHA}(\mathrm{LN}_1(x))\big), \qquad
    x \leftarrow x + \mathrm{Dropout}\big(W_2\,\sigma(W_1\,\mathrm{LN}_2(x) + b_1) + b_2\big),

with :math:`\sigma` a GELU or a ReLU and the attention :class:`attnlib.MultiHeadAttention`;
an encoder is a stack of blocks and a final layer norm. Every block returns its attention
weights, which chapter 4 draws and chapter 9's rollout and flow consume. Built on it:
:class:`~attnlib.models.encoder.EncoderClassifier` (chapter 4, ReLU, no dropout) and
:class:`~attnlib.models.vit.VisionTransformer` and
:class:`~attnlib.models.vit.SequenceTransformer` (chapter 9, GELU).

Shape legend: ``B`` sequences, ``N`` tokens, ``E`` embedding size, ``H`` heads.
"""

from __future__ import annotations

from typing import Literal, TypedDict, Unpack

import torch
from torch import nn

from attnlib.multihead import MultiHeadAttention
from attnlib.validation import check_choice, check_int

__all__ = ["BlockOptions", "TransformerBlock", "TransformerEncoder"]

# The feed-forward nonlinearities sigma a block can use, by name.
_ACTIVATIONS: dict[str, type[nn.Module]] = {"gelu": nn.GELU, "relu": nn.ReLU}


class BlockOptions(TypedDict, total=False):
    """Keyword options of :class:`TransformerBlock`, passed on by :class:`TransformerEncoder`."""

    activation: Literal["gelu", "relu"]  # the MLP's nonlinearity; default "gelu"
    dropout: float  # on the attention and MLP outputs while training; default 0.0


class TransformerBlock(nn.Module):
    """One pre-norm encoder block: self-attention, then an MLP, each with a residual path.

    Args:
        dim: ``E``, the width of every token.
        num_heads: ``H``; must divide ``dim``.
        mlp_dim: the hidden width of the MLP.
        activation: ``"gelu"`` (the ViT) or ``"relu"`` (chapter 4's encoder).
        dropout: on the attention output and the MLP output while training.

    Shapes:
        ``x`` ``(B, N, E)`` -> ``(B, N, E)`` and the attention weights ``(B, H, N, N)``.

    Example:
        >>> block = TransformerBlock(8, 2, 16)
        >>> y, weights = block(torch.randn(3, 5, 8))
        >>> y.shape, weights.shape
        (torch.Size([3, 5, 8]), torch.Size([3, 2, 5, 5]))
    """

    def __init__(
        self,
        dim: int,
        num_heads: int,
        mlp_dim: int,
        *,
        activation: Literal["gelu", "relu"] = "gelu",
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        nonlinearity = _ACTIVATIONS[check_choice(activation, "activation", list(_ACTIVATIONS))]
        self.norm1 = nn.LayerNorm(dim)
        self.attn = MultiHeadAttention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(
            nn.Linear(dim, mlp_dim),
            nonlinearity(),
            nn.Linear(mlp_dim, dim),
            nn.Dropout(dropout),
        )
        self.drop = nn.Dropout(dropout)  # p = 0 returns its input: no arithmetic, no RNG

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.norm1(x)
        out, weights = self.attn(h, h, h, return_weights=True)  # (B, N, E), (B, H, N, N)
        x = x + self.drop(out)
        x = x + self.mlp(self.norm2(x))  # (B, N, E)
        return x, weights


class TransformerEncoder(nn.Module):
    """A stack of ``depth`` :class:`TransformerBlock` s and a final layer norm.

    Args:
        dim, num_heads, mlp_dim: as for :class:`TransformerBlock`.
        depth: the number of blocks.
        options: ``activation``, ``dropout``: as for :class:`TransformerBlock`
            (:class:`BlockOptions`).

    Shapes:
        ``x`` ``(B, N, E)`` -> ``(B, N, E)`` and a list of ``depth`` attention weights
        ``(B, H, N, N)``, first layer first.

    Example:
        >>> encoder = TransformerEncoder(8, 3, 2, 16, activation="relu")
        >>> y, weights = encoder(torch.randn(3, 5, 8))
        >>> y.shape, len(weights), weights[0].shape
        (torch.Size([3, 5, 8]), 3, torch.Size([3, 2, 5, 5]))
    """

    def __init__(
        self, dim: int, depth: int, num_heads: int, mlp_dim: int, **options: Unpack[BlockOptions]
    ) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(
            TransformerBlock(dim, num_heads, mlp_dim, **options)
            for _ in range(check_int(depth, "depth", minimum=1))
        )
        self.norm = nn.LayerNorm(dim)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        attentions = []
        for block in self.blocks:
            x, weights = block(x)  # (B, N, E), (B, H, N, N)
            attentions.append(weights)
        return self.norm(x), attentions
