r"""A small Vision Transformer, and the same encoder over token sequences (chapter 9).

A Vision Transformer (Dosovitskiy et al., 2021) cuts an image into ``P x P`` patches, embeds
each patch linearly as one token, prepends a learned class token and adds learned position
embeddings. A stack of pre-norm Transformer blocks with GELU MLPs follows (the
:class:`~attnlib.models.transformer.TransformerEncoder` that chapter 4's encoder also uses),

.. math::
    x \leftarrow x + \mathrm{MHA}(\mathrm{LN}(x)), \qquad
    x \leftarrow x + \mathrm{MLP}(\mathrm{LN}(x)),

and a linear classifier reads the class token's final state. Each block's attention weights
``(B, H, N, N)`` (``N`` tokens, the class token first) are returned on request, which is what
attention rollout and attention flow consume. :class:`SequenceTransformer` runs the same
blocks over integer tokens (a vocabulary embedding instead of patches), for the synthetic
task of chapter 9 whose deciding tokens are known.

Shape legend: ``B`` batch, ``T = (28 / P)^2`` patches (or sequence length), ``N = T + 1``
tokens with the class token, ``E`` embedding size, ``H`` heads, ``K`` classes.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass

import torch
from torch import nn

from attnlib.models.transformer import TransformerEncoder
from attnlib.validation import check_int, check_scalar, check_tensor, check_token_ids, describe

__all__ = [
    "SequenceTransformer",
    "SequenceTransformerConfig",
    "VisionTransformer",
    "ViTConfig",
    "load_vit",
    "patchify",
    "save_vit",
]


@dataclass(frozen=True)
class ViTConfig:
    """Sizes of :class:`VisionTransformer` (the defaults are chapter 9's MNIST model)."""

    image_size: int = 28  # side of the square input image
    patch_size: int = 7  # P: 28 / 7 -> a 4 x 4 grid of T = 16 patch tokens
    dim: int = 64  # E: the width of every token
    depth: int = 3  # number of Transformer blocks (layers)
    num_heads: int = 4  # H: heads per block, each of size E / H = 16
    mlp_dim: int = 128  # hidden width of each block's MLP
    num_classes: int = 10  # K
    dropout: float = 0.0  # on attention outputs and MLP outputs while training

    def __post_init__(self) -> None:
        for name in ("image_size", "patch_size", "dim", "depth", "num_heads", "mlp_dim"):
            check_int(getattr(self, name), name, minimum=1)
        check_int(self.num_classes, "num_classes", minimum=2)
        if self.image_size % self.patch_size:
            raise ValueError(
                f"patch_size must divide image_size={self.image_size}, got {self.patch_size}"
            )
        if self.dim % self.num_heads:
            raise ValueError(f"num_heads must divide dim={self.dim}, got {self.num_heads}")
        dropout = check_scalar(self.dropout, "dropout", nonnegative=True)
        if dropout >= 1:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")

    @property
    def grid(self) -> int:
        """Patches per side, ``image_size / patch_size``."""
        return self.image_size // self.patch_size

    @property
    def num_patches(self) -> int:
        """``T``, the number of patch tokens (without the class token)."""
        return self.grid**2


def patchify(images: torch.Tensor, patch_size: int) -> torch.Tensor:
    """Cut ``(B, C, S, S)`` images into ``(B, T, C P P)`` patches, row by row (raster order).

    Example:
        >>> patchify(torch.arange(16.0).view(1, 1, 4, 4), 2)[0, 1]
        tensor([2., 3., 6., 7.])
    """
    B, C, S, _ = images.shape
    g = S // patch_size
    x = images.view(B, C, g, patch_size, g, patch_size)  # (B, C, g, P, g, P)
    x = x.permute(0, 2, 4, 1, 3, 5)  # -> (B, g, g, C, P, P)
    return x.reshape(B, g * g, C * patch_size * patch_size)  # -> (B, T, C P P)


class VisionTransformer(nn.Module):
    r"""A small ViT: patch tokens plus a class token, a Transformer encoder, a linear head.

    Args:
        config: the sizes; :class:`ViTConfig` by default.

    Shapes:
        ``forward(x)``: ``x`` ``(B, 1, S, S)`` (e.g. from ``prepare_images``) -> logits
        ``(B, K)``; with ``return_weights=True`` also a list of ``depth`` attention weights
        ``(B, H, N, N)``, first layer first; token 0 is the class token, tokens ``1..T`` the
        patches in raster order.

    Example:
        >>> model = VisionTransformer(ViTConfig(depth=2))
        >>> logits, attentions = model(torch.randn(3, 1, 28, 28), return_weights=True)
        >>> logits.shape, len(attentions), attentions[0].shape
        (torch.Size([3, 10]), 2, torch.Size([3, 4, 17, 17]))
    """

    def __init__(self, config: ViTConfig | None = None) -> None:
        super().__init__()
        config = ViTConfig() if config is None else config
        if not isinstance(config, ViTConfig):
            raise TypeError(f"config must be a ViTConfig, got {describe(config)}")
        self.config = config
        E = config.dim
        self.patch_embed = nn.Linear(config.patch_size**2, E)  # one token per patch
        self.cls_token = nn.Parameter(torch.zeros(1, 1, E))
        self.pos_embed = nn.Parameter(torch.randn(1, config.num_patches + 1, E) * 0.02)
        self.encoder = TransformerEncoder(
            E, config.depth, config.num_heads, config.mlp_dim, dropout=config.dropout
        )
        self.head = nn.Linear(E, config.num_classes)

    def forward(
        self, x: torch.Tensor, *, return_weights: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor]]:
        c = self.config
        x = check_tensor(x, "x", ndim=4, floating=True)
        if x.shape[1:] != (1, c.image_size, c.image_size):
            raise ValueError(
                f"x must have shape (B, 1, {c.image_size}, {c.image_size}), "
                f"got shape {tuple(x.shape)}"
            )
        tokens = self.patch_embed(patchify(x, c.patch_size))  # (B, T, P P) -> (B, T, E)
        cls = self.cls_token.expand(len(x), -1, -1)  # (B, 1, E)
        h = torch.cat([cls, tokens], dim=1) + self.pos_embed  # (B, N, E)
        h, attentions = self.encoder(h)
        logits = self.head(h[:, 0])  # the class token's state (B, E) -> (B, K)
        return (logits, attentions) if return_weights else logits


@dataclass(frozen=True)
class SequenceTransformerConfig:
    """Sizes of :class:`SequenceTransformer` (the defaults are chapter 9's synthetic task)."""

    vocab_size: int = 12  # distinct tokens
    max_length: int = 16  # the longest sequence (position embeddings)
    dim: int = 32  # E
    depth: int = 2  # Transformer blocks
    num_heads: int = 2  # H
    mlp_dim: int = 64  # MLP hidden width
    num_classes: int = 2  # K

    def __post_init__(self) -> None:
        for name in ("vocab_size", "max_length", "dim", "depth", "num_heads", "mlp_dim"):
            check_int(getattr(self, name), name, minimum=1)
        check_int(self.num_classes, "num_classes", minimum=2)
        if self.dim % self.num_heads:
            raise ValueError(f"num_heads must divide dim={self.dim}, got {self.num_heads}")


class SequenceTransformer(nn.Module):
    r"""The ViT's encoder over integer tokens: embeddings plus a class token, then a linear head.

    Args:
        config: the sizes; :class:`SequenceTransformerConfig` by default.

    Shapes:
        ``forward(tokens)``: ``(B, T)`` int64 in ``[0, vocab_size)`` -> logits ``(B, K)``, and
        with ``return_weights=True`` a list of ``depth`` weights ``(B, H, T + 1, T + 1)``.
        ``embed(tokens)`` gives the ``(B, T, E)`` token embeddings and ``forward_embedded``
        runs the rest, so that gradients with respect to the embeddings can be taken.

    Example:
        >>> model = SequenceTransformer()
        >>> model(torch.zeros(2, 16, dtype=torch.long)).shape
        torch.Size([2, 2])
    """

    def __init__(self, config: SequenceTransformerConfig | None = None) -> None:
        super().__init__()
        config = SequenceTransformerConfig() if config is None else config
        if not isinstance(config, SequenceTransformerConfig):
            raise TypeError(f"config must be a SequenceTransformerConfig, got {describe(config)}")
        self.config = config
        E = config.dim
        self.token_embed = nn.Embedding(config.vocab_size, E)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, E))
        self.pos_embed = nn.Parameter(torch.randn(1, config.max_length + 1, E) * 0.02)
        self.encoder = TransformerEncoder(E, config.depth, config.num_heads, config.mlp_dim)
        self.head = nn.Linear(E, config.num_classes)

    def embed(self, tokens: torch.Tensor) -> torch.Tensor:
        """Token embeddings ``(B, T, E)`` of ``(B, T)`` integer tokens."""
        cfg = self.config
        tokens = check_token_ids(tokens, vocab_size=cfg.vocab_size, max_length=cfg.max_length)
        return self.token_embed(tokens)  # (B, T) -> (B, T, E)

    def forward_embedded(
        self, embedded: torch.Tensor, *, return_weights: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor]]:
        """Logits from token embeddings ``(B, T, E)`` (the rest of ``forward``)."""
        B, T, _ = embedded.shape
        cls = self.cls_token.expand(B, -1, -1)  # (B, 1, E)
        h = torch.cat([cls, embedded], dim=1) + self.pos_embed[:, : T + 1]  # (B, T + 1, E)
        h, attentions = self.encoder(h)
        logits = self.head(h[:, 0])  # (B, E) -> (B, K)
        return (logits, attentions) if return_weights else logits

    def forward(
        self, tokens: torch.Tensor, *, return_weights: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor]]:
        return self.forward_embedded(self.embed(tokens), return_weights=return_weights)


def save_vit(model: VisionTransformer, path: str | os.PathLike, **meta: object) -> None:
    """Save a ViT's config and its weights in float16 (half the size) to ``path``.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "vit.pt"
        >>> save_vit(VisionTransformer(), path, seed=0)
        >>> load_vit(path).config == ViTConfig()
        True
    """
    if not isinstance(model, VisionTransformer):
        raise TypeError(f"model must be a VisionTransformer, got {describe(model)}")
    state = {k: v.half() for k, v in model.state_dict().items()}
    torch.save({"config": asdict(model.config), "state_dict": state, "meta": meta}, path)


def load_vit(path: str | os.PathLike) -> VisionTransformer:
    """A :class:`VisionTransformer` (eval mode, float32) from a file written by :func:`save_vit`."""
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    model = VisionTransformer(ViTConfig(**checkpoint["config"]))
    model.load_state_dict({k: v.float() for k, v in checkpoint["state_dict"].items()})
    return model.eval()
