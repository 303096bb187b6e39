r"""A small Transformer encoder with a classifier per position (chapter 4).

Tokens are embedded, sinusoidal positional encodings are added (optionally: without them
self-attention cannot tell positions apart), and pre-norm encoder layers follow,

.. math::
    x \leftarrow x + \mathrm{MHA}(\mathrm{LN}(x)), \qquad
    x \leftarrow x + W_2\,\mathrm{ReLU}(W_1\,\mathrm{LN}(x)),

each built on :class:`attnlib.MultiHeadAttention`, then a final layer norm: the
:class:`~attnlib.models.transformer.TransformerEncoder` that chapter 9's ViT also uses, here
with ReLU and no dropout. A linear layer maps every position to ``num_classes`` logits.
Chapter 4 trains it to reverse a sequence and reads its per-layer, per-head attention maps.

Shape legend: ``B`` sequences, ``L`` positions, ``E`` embedding size, ``H`` heads, ``C`` classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, overload

import torch
from torch import nn
from torch.nn import functional as F

from attnlib.models.transformer import TransformerEncoder
from attnlib.training import train_loop
from attnlib.validation import check_int, check_one_per, check_tensor, check_token_ids, describe

__all__ = [
    "EncoderClassifier",
    "EncoderConfig",
    "sinusoidal_positional_encoding",
    "train_encoder",
]


def sinusoidal_positional_encoding(length: int, dim: int, *, base: float = 10000.0) -> torch.Tensor:
    r"""The sinusoidal positional encodings of Vaswani et al. (2017), chapter 4.

    .. math::
        \mathrm{PE}[p, 2i] = \sin\!\big(p / b^{2i/d}\big), \qquad
        \mathrm{PE}[p, 2i + 1] = \cos\!\big(p / b^{2i/d}\big), \qquad b = 10000

    Args:
        length: ``L``, the number of positions ``p = 0, ..., L - 1``.
        dim: ``d``, the encoding size; must be even.
        base: ``b``, the wavelength scale.

    Returns:
        ``(L, d)`` float32.

    Example:
        >>> pe = sinusoidal_positional_encoding(4, 6)
        >>> pe.shape
        torch.Size([4, 6])
        >>> pe[0]
        tensor([0., 1., 0., 1., 0., 1.])
    """
    length = check_int(length, "length", minimum=1)
    dim = check_int(dim, "dim", minimum=2)
    if dim % 2:
        raise ValueError(f"dim must be even (sine and cosine pairs), got {dim}")
    if not isinstance(base, (int, float)) or isinstance(base, bool) or base <= 1:
        raise ValueError(f"base must be a number > 1, got {describe(base)}")
    position = torch.arange(length, dtype=torch.float64)[:, None]  # (L, 1)
    frequency = base ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)  # (d/2,)
    angle = position * frequency  # (L, d/2)
    pe = torch.stack([angle.sin(), angle.cos()], dim=-1).reshape(length, dim)  # interleaved
    return pe.float()


@dataclass(frozen=True)
class EncoderConfig:
    """Hyper-parameters of :class:`EncoderClassifier`."""

    vocab_size: int = 10  # input tokens 0 .. vocab_size - 1
    num_classes: int = 10  # C: logits per position
    max_len: int = 16  # the longest sequence (size of the positional table)
    embed_dim: int = 32  # E
    num_heads: int = 2  # H
    num_layers: int = 2
    ff_dim: int = 64  # hidden size of each layer's feed-forward block
    positional: bool = True  # add sinusoidal positional encodings

    def __post_init__(self) -> None:
        for name in (
            "vocab_size",
            "num_classes",
            "max_len",
            "embed_dim",
            "num_heads",
            "num_layers",
            "ff_dim",
        ):
            check_int(getattr(self, name), name, minimum=1)
        if self.embed_dim % 2:
            raise ValueError(f"embed_dim must be even (sinusoidal pairs), got {self.embed_dim}")
        if self.embed_dim % self.num_heads:
            raise ValueError(
                f"num_heads must divide embed_dim={self.embed_dim}, got {self.num_heads}"
            )
        if not isinstance(self.positional, bool):
            raise TypeError(f"positional must be a bool, got {describe(self.positional)}")


class EncoderClassifier(nn.Module):
    r"""Embedding (+ sinusoidal positions), encoder layers, and a classifier at every position.

    Args:
        config: an :class:`EncoderConfig` (default: two layers of two heads, ``E = 32``).

    Shapes:
        tokens ``(B, L)`` int64 in ``[0, vocab_size)``, ``L <= max_len`` -> logits ``(B, L, C)``
        and, with ``return_weights=True``, one ``(B, H, L, L)`` weight tensor per layer.

    Example:
        >>> model = EncoderClassifier(EncoderConfig(num_layers=1))
        >>> logits, weights = model(torch.tensor([[1, 2, 3]]), return_weights=True)
        >>> logits.shape, weights[0].shape
        (torch.Size([1, 3, 10]), torch.Size([1, 2, 3, 3]))
    """

    positional_encoding: torch.Tensor  # a buffer, (max_len, E)

    def __init__(self, config: EncoderConfig | None = None) -> None:
        super().__init__()
        config = EncoderConfig() if config is None else config
        if not isinstance(config, EncoderConfig):
            raise TypeError(f"config must be an EncoderConfig, got {describe(config)}")
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.embed_dim)
        pe = sinusoidal_positional_encoding(config.max_len, config.embed_dim)
        self.register_buffer(
            "positional_encoding", pe if config.positional else torch.zeros_like(pe)
        )
        self.encoder = TransformerEncoder(
            config.embed_dim,
            config.num_layers,
            config.num_heads,
            config.ff_dim,
            activation="relu",
        )
        self.classifier = nn.Linear(config.embed_dim, config.num_classes)

    def _check(self, tokens: object) -> torch.Tensor:
        cfg = self.config
        return check_token_ids(
            tokens, vocab_size=cfg.vocab_size, max_length=cfg.max_len, length_name="max_len"
        )

    def forward(
        self, tokens: torch.Tensor, *, return_weights: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor]]:
        tokens = self._check(tokens)
        return self._forward(tokens, return_weights)

    @overload
    def _forward(
        self, tokens: torch.Tensor, return_weights: Literal[False] = ...
    ) -> torch.Tensor: ...
    @overload
    def _forward(
        self, tokens: torch.Tensor, return_weights: bool
    ) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor]]: ...
    def _forward(
        self, tokens: torch.Tensor, return_weights: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor]]:
        L = tokens.shape[1]
        x = self.embedding(tokens)  # (B, L, E)
        x = x + self.positional_encoding[:L]  # (L, E) broadcast over the batch
        x, weights = self.encoder(x)  # (B, L, E) and num_layers weights (B, H, L, L)
        logits = self.classifier(x)  # (B, L, C)
        return (logits, weights) if return_weights else logits


def train_encoder(
    model: EncoderClassifier,
    tokens: torch.Tensor,
    targets: torch.Tensor,
    *,
    epochs: int,
    batch_size: int = 128,
    lr: float = 3e-3,
    seed: int = 0,
    desc: str = "encoder",
) -> list[float]:
    """Train with cross-entropy at every position through :func:`attnlib.training.train_loop`.

    Args:
        model: an :class:`EncoderClassifier`.
        tokens: ``(N, L)`` int64 inputs.
        targets: ``(N, L)`` int64 class at every position.
        epochs, batch_size, lr, seed, desc: as for :func:`~attnlib.training.train_loop`.

    Returns:
        The mean training loss of each epoch.
    """
    if not isinstance(model, EncoderClassifier):
        raise TypeError(f"model must be an EncoderClassifier, got {describe(model)}")
    tokens = model._check(tokens)
    targets = check_one_per(
        check_tensor(targets, "targets", ndim=2), "targets", len(tokens), "sequence"
    )
    if targets.shape != tokens.shape:
        raise ValueError(
            f"targets must have the shape of tokens {tuple(tokens.shape)}, "
            f"got {tuple(targets.shape)}"
        )

    def batch_loss(index: torch.Tensor) -> tuple[torch.Tensor, dict[str, float]]:
        logits = model._forward(tokens[index])  # (B, L, C)
        loss = F.cross_entropy(logits.flatten(0, 1), targets[index].flatten())
        return loss, {"loss": loss.item()}

    history = train_loop(
        model,
        len(tokens),
        batch_loss,
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        seed=seed,
        desc=desc,
    )
    return [epoch["loss"] for epoch in history]
