"""Scoring functions: how well each key matches each query (chapter 4).

Every function maps queries ``(..., L, Dq)`` and keys ``(..., S, Dk)`` to scores ``(..., L, S)``.
Shape legend: ``L`` queries, ``S`` keys, ``D`` feature size, ``H`` hidden size.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from attnlib.validation import check_int, check_tensor

__all__ = ["dot_score", "scaled_dot_score", "BilinearScore", "AdditiveScore"]


def _check_query_key(
    query: object, key: object, *, same_dim: bool, key_name: str = "key"
) -> tuple[torch.Tensor, torch.Tensor]:
    query = check_tensor(query, "query", min_dim=2, floating=True)
    key = check_tensor(key, key_name, min_dim=2, floating=True)
    if same_dim and key.shape[-1] != query.shape[-1]:
        raise ValueError(
            f"key must have last dimension {query.shape[-1]} to match query, "
            f"got shape {tuple(key.shape)}"
        )
    try:
        torch.broadcast_shapes(query.shape[:-2], key.shape[:-2])
    except RuntimeError:
        raise ValueError(
            f"query and {key_name} batch dimensions must broadcast, got shapes "
            f"{tuple(query.shape)} and {tuple(key.shape)}"
        ) from None
    return query, key


def dot_score(query: torch.Tensor, key: torch.Tensor) -> torch.Tensor:
    r"""Dot-product score :math:`s(q, k) = q^\top k` (Luong et al., 2015, "dot").

    Args:
        query: ``(..., L, D)``.
        key: ``(..., S, D)``.

    Returns:
        scores ``(..., L, S)``.
    """
    query, key = _check_query_key(query, key, same_dim=True)
    return query @ key.transpose(-2, -1)  # (..., L, D) @ (..., D, S) -> (..., L, S)


def scaled_dot_score(query: torch.Tensor, key: torch.Tensor) -> torch.Tensor:
    r"""Scaled dot-product score :math:`s(q, k) = q^\top k / \sqrt{d_k}` (Vaswani et al., 2017).

    With independent unit-variance components, :math:`q^\top k` has variance :math:`d_k`;
    dividing by :math:`\sqrt{d_k}` brings it back to 1 so that softmax does not saturate
    (derived in chapter 4).

    Args:
        query: ``(..., L, D)``.
        key: ``(..., S, D)``.

    Returns:
        scores ``(..., L, S)``.
    """
    query, key = _check_query_key(query, key, same_dim=True)
    return query @ key.transpose(-2, -1) / math.sqrt(query.shape[-1])  # (..., L, S)


class BilinearScore(nn.Module):
    r"""Bilinear ("general") score :math:`s(q, k) = q^\top W k` (Luong et al., 2015).

    Args:
        query_dim: ``Dq``.
        key_dim: ``Dk``.

    Shapes: query ``(..., L, Dq)``, key ``(..., S, Dk)`` -> scores ``(..., L, S)``.
    """

    def __init__(self, query_dim: int, key_dim: int) -> None:
        super().__init__()
        self.query_dim = check_int(query_dim, "query_dim", minimum=1)
        self.key_dim = check_int(key_dim, "key_dim", minimum=1)
        self.weight = nn.Parameter(torch.empty(self.query_dim, self.key_dim))
        nn.init.xavier_uniform_(self.weight)

    def forward(self, query: torch.Tensor, key: torch.Tensor) -> torch.Tensor:
        query, key = _check_query_key(query, key, same_dim=False)
        _check_last_dim(query, "query", self.query_dim)
        _check_last_dim(key, "key", self.key_dim)
        projected = key @ self.weight.T  # (..., S, Dk) @ (Dk, Dq) -> (..., S, Dq)
        return query @ projected.transpose(-2, -1)  # (..., L, Dq) @ (..., Dq, S) -> (..., L, S)


class AdditiveScore(nn.Module):
    r"""Additive (Bahdanau) score :math:`s(q, k) = v^\top \tanh(W_q q + W_k k)`.

    From Bahdanau, Cho and Bengio (ICLR 2015), where ``q`` is the decoder state and ``k`` an
    encoder annotation. A decoder scores the same keys at every output step, so the key half
    :math:`W_k k` (with its bias) can be computed once: :meth:`project_key`, then
    :meth:`score_projected` at each step (``forward`` is the two together). Chapter 8's decoder
    scores its state against the source this way (:class:`attnlib.models.seq2seq.Seq2Seq`), and
    chapter 7's speech classifier a learned query against every frame
    (:class:`attnlib.models.speech.SpeechClassifier`).

    Args:
        query_dim: ``Dq``.
        key_dim: ``Dk``.
        hidden_dim: ``H``, the size of the hidden layer.

    Shapes: query ``(..., L, Dq)``, key ``(..., S, Dk)`` -> scores ``(..., L, S)``.

    Example:
        >>> score = AdditiveScore(query_dim=4, key_dim=6, hidden_dim=8)
        >>> query, key = torch.randn(2, 3, 4), torch.randn(2, 5, 6)
        >>> projected = score.project_key(key)  # once per sequence: (2, 5, 8)
        >>> torch.allclose(score.score_projected(query, projected), score(query, key))
        True
    """

    def __init__(self, query_dim: int, key_dim: int, hidden_dim: int) -> None:
        super().__init__()
        self.query_dim = check_int(query_dim, "query_dim", minimum=1)
        self.key_dim = check_int(key_dim, "key_dim", minimum=1)
        hidden_dim = check_int(hidden_dim, "hidden_dim", minimum=1)
        self.query_proj = nn.Linear(self.query_dim, hidden_dim, bias=False)
        self.key_proj = nn.Linear(self.key_dim, hidden_dim, bias=True)
        self.v = nn.Linear(hidden_dim, 1, bias=False)

    def forward(self, query: torch.Tensor, key: torch.Tensor) -> torch.Tensor:
        query, key = _check_query_key(query, key, same_dim=False)
        _check_last_dim(query, "query", self.query_dim)
        _check_last_dim(key, "key", self.key_dim)
        return self._score_projected(query, self._project_key(key))

    def project_key(self, key: torch.Tensor) -> torch.Tensor:
        """The key half of the score, :math:`W_k k + b`: ``(..., S, Dk)`` -> ``(..., S, H)``."""
        key = check_tensor(key, "key", min_dim=2, floating=True)
        _check_last_dim(key, "key", self.key_dim)
        return self._project_key(key)

    def score_projected(self, query: torch.Tensor, projected_key: torch.Tensor) -> torch.Tensor:
        """Scores from queries ``(..., L, Dq)`` and :meth:`project_key`'s ``(..., S, H)``."""
        query, projected_key = _check_query_key(
            query, projected_key, same_dim=False, key_name="projected_key"
        )
        _check_last_dim(query, "query", self.query_dim)
        _check_last_dim(projected_key, "projected_key", self.query_proj.out_features)
        return self._score_projected(query, projected_key)

    def _project_key(self, key: torch.Tensor) -> torch.Tensor:
        return self.key_proj(key)  # (..., S, Dk) -> (..., S, H)

    def _score_projected(self, query: torch.Tensor, projected_key: torch.Tensor) -> torch.Tensor:
        q = self.query_proj(query).unsqueeze(-2)  # (..., L, H) -> (..., L, 1, H)
        k = projected_key.unsqueeze(-3)  # (..., S, H) -> (..., 1, S, H)
        return self.v(torch.tanh(q + k)).squeeze(-1)  # (..., L, S, H) -> (..., L, S)


def _check_last_dim(x: torch.Tensor, name: str, expected: int) -> None:
    if x.shape[-1] != expected:
        raise ValueError(f"{name} must have last dimension {expected}, got shape {tuple(x.shape)}")
