r"""Target attention over a user's history, after the Deep Interest Network (chapter 11).

The Deep Interest Network (DIN; Zhou et al., KDD 2018) predicts whether a user clicks a
candidate item from the items in the user's history. A base "Embedding & MLP" model pools the
history into one fixed vector whatever the candidate is (here the mean of the item
embeddings). DIN instead weights each history item by its relevance to the candidate:

.. math::
    a_j = w^\top \mathrm{ReLU}\bigl(W [e_j;\, e_t;\, e_j - e_t;\, e_j \odot e_t] + b\bigr),
    \qquad u = \sum_{j=1}^{L} \alpha_j e_j,

where :math:`e_j` embeds history item ``j`` and :math:`e_t` the candidate (the target is the
query; the history items are keys and values). DIN's "local activation unit" leaves the
weights unnormalised; this course normalises them with a softmax,
:math:`\alpha = \mathrm{softmax}(a)`, so that they are the distribution of chapter 2 and can be
compared with the history items that are known to be relevant
(:func:`attnlib.data.histories.make_histories`).

Shape legend: ``B`` users, ``L`` history length, ``E`` embedding size.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from attnlib.validation import check_int, check_tensor

__all__ = ["DIN", "DINConfig", "TargetAttention", "relevant_mass", "roc_auc"]


@dataclass(frozen=True)
class DINConfig:
    """Sizes of the DIN-style model (the defaults are chapter 11's)."""

    num_items: int = 300  # item ids 0 .. num_items - 1
    num_categories: int = 30  # category = item % num_categories, embedded too (as in DIN)
    embed_dim: int = 8  # E
    attention_hidden: int = 16  # hidden units of the local activation unit
    hidden: int = 32  # hidden units of the click MLP
    use_attention: bool = True  # False: mean pooling of the history (the baseline)

    def __post_init__(self) -> None:
        check_int(self.num_items, "num_items", minimum=1)
        check_int(self.num_categories, "num_categories", minimum=1)
        check_int(self.embed_dim, "embed_dim", minimum=1)
        check_int(self.attention_hidden, "attention_hidden", minimum=1)
        check_int(self.hidden, "hidden", minimum=1)
        if not isinstance(self.use_attention, bool):
            raise TypeError(
                f"use_attention must be a bool, got {type(self.use_attention).__name__}"
            )


class TargetAttention(nn.Module):
    r"""DIN's local activation unit with softmax weights: the candidate queries the history.

    Args:
        embed_dim: ``E``.
        hidden: hidden units of the scoring MLP.

    Shapes:
        ``forward(history, target)``: ``history`` ``(B, L, E)``, ``target`` ``(B, E)`` ->
        weights ``(B, L)``, each row non-negative and summing to 1.

    Example:
        >>> weights = TargetAttention(4, 8)(torch.randn(2, 5, 4), torch.randn(2, 4))
        >>> weights.shape, torch.allclose(weights.sum(-1), torch.ones(2))
        (torch.Size([2, 5]), True)
    """

    def __init__(self, embed_dim: int, hidden: int) -> None:
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(4 * embed_dim, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, history: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        t = target.unsqueeze(1).expand_as(history)  # (B, E) -> (B, L, E)
        pairs = torch.cat([history, t, history - t, history * t], dim=-1)  # (B, L, 4E)
        scores = self.mlp(pairs).squeeze(-1)  # (B, L, 4E) -> (B, L)
        # Histories here have no padding, so torch's softmax is safe (no fully masked row).
        return torch.softmax(scores, dim=-1)  # (B, L)


class DIN(nn.Module):
    """Click model: embed the history and the candidate, pool the history, and score.

    With ``use_attention=True`` the history is pooled by :class:`TargetAttention` (weights that
    depend on the candidate); with ``False`` by its mean (the same weights ``1/L`` for every
    candidate), which is the otherwise identical baseline.

    Args:
        config: the sizes; :class:`DINConfig` by default.

    Shapes:
        ``forward(history, target)``: ``history`` ``(B, L)`` int64, ``target`` ``(B,)`` int64 ->
        click logits ``(B,)``; with ``return_weights=True`` also the pooling weights ``(B, L)``.

    Example:
        >>> model = DIN(DINConfig(num_items=10))
        >>> logits, w = model(torch.randint(0, 10, (3, 6)), torch.arange(3), return_weights=True)
        >>> logits.shape, w.shape
        (torch.Size([3]), torch.Size([3, 6]))
    """

    def __init__(self, config: DINConfig | None = None) -> None:
        super().__init__()
        self.config = config = config or DINConfig()
        E = config.embed_dim
        self.item_embedding = nn.Embedding(config.num_items, E)
        self.category_embedding = nn.Embedding(config.num_categories, E)
        self.attention = (
            TargetAttention(E, config.attention_hidden) if config.use_attention else None
        )
        self.mlp = nn.Sequential(
            nn.Linear(3 * E, config.hidden), nn.ReLU(), nn.Linear(config.hidden, 1)
        )

    def embed(self, items: torch.Tensor) -> torch.Tensor:
        """Item embedding plus its category's embedding: ``(*)`` int64 -> ``(*, E)``."""
        category = items % self.config.num_categories
        return self.item_embedding(items) + self.category_embedding(category)

    def forward(
        self, history: torch.Tensor, target: torch.Tensor, *, return_weights: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        history = check_tensor(history, "history", ndim=2)
        target = check_tensor(target, "target", ndim=1)
        if len(target) != len(history):
            raise ValueError(
                f"target must have one item per history ({len(history)}), "
                f"got shape {tuple(target.shape)}"
            )
        h = self.embed(history)  # (B, L) -> (B, L, E)
        t = self.embed(target)  # (B,) -> (B, E)
        if self.attention is not None:
            alpha = self.attention(h, t)  # (B, L)
        else:
            alpha = torch.full(history.shape, 1.0 / history.shape[1])  # (B, L), uniform
        u = (alpha.unsqueeze(-1) * h).sum(dim=1)  # sum_j alpha_j e_j: (B, L, E) -> (B, E)
        logits = self.mlp(torch.cat([u, t, u * t], dim=-1)).squeeze(-1)  # (B, 3E) -> (B,)
        if return_weights:
            return logits, alpha
        return logits


def relevant_mass(weights: torch.Tensor, relevant: torch.Tensor) -> torch.Tensor:
    r"""The attention weight that falls on the relevant positions, :math:`\sum_{j \in R} \alpha_j`.

    Args:
        weights: ``(B, L)`` pooling weights, rows summing to 1.
        relevant: ``(B, L)`` bool, True at the relevant positions.

    Returns:
        ``(B,)``; uniform weights give ``|R| / L``, the chance level.

    Example:
        >>> relevant_mass(torch.tensor([[0.7, 0.2, 0.1]]), torch.tensor([[True, False, False]]))
        tensor([0.7000])
    """
    weights = check_tensor(weights, "weights", ndim=2, floating=True)
    relevant = check_tensor(relevant, "relevant", ndim=2)
    if relevant.dtype != torch.bool or relevant.shape != weights.shape:
        raise ValueError(
            f"relevant must be a bool tensor of shape {tuple(weights.shape)}, "
            f"got {relevant.dtype} of shape {tuple(relevant.shape)}"
        )
    return (weights * relevant).sum(dim=1)  # (B, L) -> (B,)


def roc_auc(scores: torch.Tensor, labels: torch.Tensor) -> float:
    r"""Area under the ROC curve: the probability that a random positive outscores a negative.

    .. math:: \mathrm{AUC} = \frac{1}{n_+ n_-} \sum_{i: y_i=1} \sum_{j: y_j=0}
        \bigl(1[s_i > s_j] + \tfrac12 1[s_i = s_j]\bigr),

    computed from average ranks (the Mann–Whitney U statistic), so ties count one half.

    Args:
        scores: ``(N,)`` any real scores (logits or probabilities).
        labels: ``(N,)`` 0/1, both classes present.

    Returns:
        A float in [0, 1]; 0.5 is chance.

    Example:
        >>> roc_auc(torch.tensor([0.1, 0.4, 0.35, 0.8]), torch.tensor([0, 0, 1, 1]))
        0.75
    """
    scores = check_tensor(scores, "scores", ndim=1, floating=True)
    labels = check_tensor(labels, "labels", ndim=1)
    if len(labels) != len(scores):
        raise ValueError(f"labels must have shape {tuple(scores.shape)}, got {tuple(labels.shape)}")
    positive = labels.bool()
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("labels must contain both classes (0 and 1), got only one")
    s = scores.double()
    order = s.argsort()
    ranks = torch.empty_like(s)
    ranks[order] = torch.arange(1, len(s) + 1, dtype=torch.float64)
    # Average the ranks of tied scores.
    unique, inverse = torch.unique(s, return_inverse=True)
    mean_rank = torch.zeros(len(unique), dtype=torch.float64).index_add_(0, inverse, ranks)
    mean_rank /= torch.bincount(inverse, minlength=len(unique)).double()
    ranks = mean_rank[inverse]
    u = ranks[positive].sum() - n_pos * (n_pos + 1) / 2
    return float(u / (n_pos * n_neg))
