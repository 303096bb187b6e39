r"""Spoken-digit classifiers that pool frames by soft attention, mean or hard attention (ch. 7).

One convolutional encoder turns log-mel features ``(B, M, T)`` into frame vectors
:math:`h_1, \dots, h_T`; a pooling layer turns them into one vector :math:`c` for a linear
classifier. The three poolings differ only in the weights :math:`\alpha_t` of
:math:`c = \sum_t \alpha_t h_t` over the real (unmasked) frames:

- **soft attention**: :math:`\alpha = \mathrm{softmax}(s)` with the additive scores of
  :class:`attnlib.AdditiveScore` (Bahdanau et al. 2015),
  :math:`s_t = v^\top \tanh(W_q q + W_k h_t + b)`, where the query :math:`q` is a learned
  vector: there is no decoder state to compare the frames with;
- **mean pooling**: :math:`\alpha_t = 1 / T_{\text{valid}}`, the no-attention baseline;
- **hard attention**: :math:`\alpha_t = 1/k` on the :math:`k` best-scoring frames and 0
  elsewhere. Top-k has zero gradient almost everywhere (chapter 3), so training uses the
  straight-through estimator: the forward pass uses the hard weights, the backward pass the
  gradient of :math:`\mathrm{softmax}(s)`. With ``sample=True`` the frames are *sampled*
  during training, :math:`k` without replacement from :math:`\mathrm{softmax}(s)`, by taking
  the top-k of Gumbel-perturbed scores :math:`s_t + g_t` (the Gumbel-top-k trick); evaluation
  is always the deterministic top-k.

Shape legend: ``B`` clips, ``M`` mel bands, ``T`` frames, ``C`` channels, ``Dq`` learned query
size, ``H`` score hidden size, ``K`` classes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from attnlib.data.speech_features import Utterances
from attnlib.hard import _sample_gumbel, _straight_through, _topk_mask
from attnlib.scoring import AdditiveScore
from attnlib.softmax import _softmax
from attnlib.training import fit_classifier
from attnlib.validation import (
    check_choice,
    check_int,
    check_one_per,
    check_scalar,
    check_tensor,
    describe,
)

__all__ = [
    "ConvEncoder",
    "SpeechClassifier",
    "SpeechConfig",
    "predict_with_weights",
    "train_speech_classifier",
]

POOLINGS = ("soft", "mean", "hard")


@dataclass(frozen=True)
class SpeechConfig:
    """Hyper-parameters of :class:`SpeechClassifier`."""

    n_mels: int = 40  # M: features per input frame
    channels: int = 64  # C: width of the encoder and of the pooled vector
    kernel_size: int = 5  # frames seen by each convolution
    dilations: tuple[int, ...] = (1, 2, 4)  # one conv layer per entry; receptive field 29 frames
    score_hidden: int = 32  # H: hidden size of the additive score (soft and hard attention)
    query_dim: int = 8  # Dq: the additive score's learned query (W_q q: one H-vector, any Dq)
    num_classes: int = 10  # K
    dropout: float = 0.1  # on the pooled vector, before the classifier
    pooling: str = "soft"  # "soft" | "mean" | "hard"
    k: int = 8  # frames kept by hard attention
    sample: bool = False  # hard attention: sample the k frames while training (Gumbel-top-k)

    def __post_init__(self) -> None:
        for name in (
            "n_mels",
            "channels",
            "kernel_size",
            "score_hidden",
            "query_dim",
            "num_classes",
            "k",
        ):
            check_int(getattr(self, name), name, minimum=1)
        if self.kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd (to keep T frames), got {self.kernel_size}")
        if not isinstance(self.dilations, tuple) or not self.dilations:
            raise TypeError(
                f"dilations must be a non-empty tuple of ints, got {describe(self.dilations)}"
            )
        for d in self.dilations:
            check_int(d, "dilations entries", minimum=1)
        dropout = check_scalar(self.dropout, "dropout", nonnegative=True)
        if dropout >= 1:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        check_choice(self.pooling, "pooling", POOLINGS)
        if not isinstance(self.sample, bool):
            raise TypeError(f"sample must be a bool, got {describe(self.sample)}")


class ConvEncoder(nn.Module):
    r"""Dilated 1-D convolutions over time, :math:`h = \mathrm{ReLU}(\mathrm{Conv}(\dots))`.

    Padding frames are zeroed after every layer, so a real frame's output is the same whatever
    padding follows the clip (the padding looks like the convolution's own zero padding).

    Args:
        config: a :class:`SpeechConfig`.

    Shapes: features ``(B, M, T)``, mask ``(B, T)`` -> frame vectors ``(B, T, C)``.
    """

    def __init__(self, config: SpeechConfig) -> None:
        super().__init__()
        sizes = [config.n_mels] + [config.channels] * len(config.dilations)
        self.convs = nn.ModuleList(
            nn.Conv1d(
                c_in, c_out, config.kernel_size, dilation=d, padding=d * (config.kernel_size // 2)
            )
            for c_in, c_out, d in zip(sizes[:-1], sizes[1:], config.dilations, strict=True)
        )

    def forward(self, features: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        keep = mask.unsqueeze(1).to(features.dtype)  # (B, T) -> (B, 1, T)
        h = features * keep  # (B, M, T)
        for conv in self.convs:
            h = torch.relu(conv(h)) * keep  # (B, C, T)
        return h.transpose(1, 2)  # (B, C, T) -> (B, T, C)


class SpeechClassifier(nn.Module):
    r"""Encoder, then soft-attention, mean or hard-attention pooling of frames, then a linear layer.

    .. math::
        \text{logits} = U \sum_t \alpha_t h_t + u, \qquad \sum_t \alpha_t = 1,\
        \alpha_t = 0 \text{ on padding}

    with :math:`\alpha` as in the module docstring for ``config.pooling``. Chapter 7.

    Args:
        config: a :class:`SpeechConfig` (default: soft attention).

    Shapes: ``forward(Utterances(features (B, M, T), mask (B, T)))`` -> logits ``(B, K)``;
    with ``return_weights=True`` also the pooling weights ``(B, T)``.

    Example:
        >>> model = SpeechClassifier(SpeechConfig(pooling="soft"))
        >>> batch = Utterances(torch.randn(2, 40, 30), torch.ones(2, 30, dtype=torch.bool))
        >>> logits, weights = model(batch, return_weights=True)
        >>> logits.shape, weights.shape
        (torch.Size([2, 10]), torch.Size([2, 30]))
    """

    def __init__(self, config: SpeechConfig | None = None) -> None:
        super().__init__()
        config = SpeechConfig() if config is None else config
        if not isinstance(config, SpeechConfig):
            raise TypeError(f"config must be a SpeechConfig, got {describe(config)}")
        self.config = config
        self.encoder = ConvEncoder(config)
        if config.pooling != "mean":
            # s_t = v^T tanh(W_q q + W_k h_t + b): the library's additive score, its query a
            # learned vector, zero at first (the scores then start as v^T tanh(W_k h_t + b)).
            # W_q q is the same for every frame, so the query acts as a learned bias of the
            # hidden layer; Dq changes the parameters, not the scores that can be learned. No
            # bias after v: a constant added to every score changes neither softmax nor top-k.
            self.score = AdditiveScore(config.query_dim, config.channels, config.score_hidden)
            self.query = nn.Parameter(torch.zeros(config.query_dim))  # q: (Dq,)
        self.dropout = nn.Dropout(config.dropout)
        self.classifier = nn.Linear(config.channels, config.num_classes)

    def _check(self, batch: object) -> Utterances:
        if not isinstance(batch, Utterances):
            raise TypeError(
                f"batch must be an attnlib.data.speech_features.Utterances(features, mask), got "
                f"{describe(batch)}"
            )
        features = check_tensor(batch.features, "features", ndim=3, floating=True)
        if features.shape[1] != self.config.n_mels:
            raise ValueError(
                f"features must have shape (B, {self.config.n_mels}, T) to match "
                f"config.n_mels, got shape {tuple(features.shape)}"
            )
        mask = batch.mask
        if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
            raise TypeError(
                f"mask must be a boolean torch.Tensor (True = real frame), got {describe(mask)}"
            )
        expected = (features.shape[0], features.shape[2])
        if tuple(mask.shape) != expected:
            raise ValueError(
                f"mask must have shape {expected} to match features, got shape {tuple(mask.shape)}"
            )
        if not mask.any(-1).all():
            raise ValueError(
                "mask must keep at least one frame of every clip, got a clip with no real frame"
            )
        return Utterances(features, mask)

    def scores(self, h: torch.Tensor) -> torch.Tensor:
        r"""Additive scores of the frames against the learned query (soft and hard attention).

        .. math::
            s_t = v^\top \tanh(W_q q + W_k h_t + b)

        with ``self.query`` :math:`q` and ``self.score``, an :class:`attnlib.AdditiveScore`
        (:math:`W_q` its ``query_proj``, :math:`W_k, b` its ``key_proj``, :math:`v` its ``v``).

        Args:
            h: frame vectors ``(B, T, C)``, the encoder's output.

        Returns:
            scores ``(B, T)`` (padding frames are scored too; the poolings mask them).
        """
        if self.config.pooling == "mean":
            raise ValueError(
                "scores needs config.pooling 'soft' or 'hard', got 'mean' (mean pooling scores "
                "no frame)"
            )
        h = check_tensor(h, "h", ndim=3, floating=True)
        if h.shape[-1] != self.config.channels:
            raise ValueError(
                f"h must have shape (B, T, {self.config.channels}) to match config.channels, "
                f"got shape {tuple(h.shape)}"
            )
        return self._scores(h)

    def _scores(self, h: torch.Tensor) -> torch.Tensor:
        keys = self.score._project_key(h)  # (B, T, C) -> (B, T, H)
        s = self.score._score_projected(self.query.unsqueeze(0), keys)  # (1, Dq) -> (B, 1, T)
        return s.squeeze(-2)  # (B, 1, T) -> (B, T)

    def pooling_weights(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The weights :math:`\\alpha` ``(B, T)`` over frames ``h`` ``(B, T, C)``; 0 on padding."""
        if self.config.pooling == "mean":
            keep = mask.to(h.dtype)  # (B, T)
            return keep / keep.sum(-1, keepdim=True)
        s = self._scores(h)  # (B, T)
        if self.config.pooling == "soft":
            return _softmax(s, -1, 1.0, mask)
        if self.training and self.config.sample:
            # Gumbel-top-k: the top k of s + g are k samples without replacement from softmax(s).
            s = s + _sample_gumbel(s.shape, dtype=s.dtype)  # (B, T)
        k = min(self.config.k, s.shape[-1])
        chosen = _topk_mask(s.masked_fill(~mask, float("-inf")), k) & mask  # (B, T)
        hard = chosen.to(h.dtype) / chosen.sum(-1, keepdim=True)  # (B, T), k-hot / k
        return _straight_through(hard, _softmax(s, -1, 1.0, mask))

    def forward(
        self, batch: Utterances, *, return_weights: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        features, mask = self._check(batch)
        h = self.encoder(features, mask)  # (B, M, T) -> (B, T, C)
        alpha = self.pooling_weights(h, mask)  # (B, T)
        pooled = (alpha.unsqueeze(-1) * h).sum(1)  # (B, T, 1) * (B, T, C) -> (B, C)
        logits = self.classifier(self.dropout(pooled))  # (B, C) -> (B, K)
        return (logits, alpha) if return_weights else logits


def _check_utterances(utterances: object, labels: object = None) -> None:
    if not isinstance(utterances, Utterances):
        raise TypeError(
            f"utterances must be an attnlib.data.speech_features.Utterances, got "
            f"{describe(utterances)}"
        )
    if labels is not None:
        labels = check_tensor(labels, "labels", ndim=1)
        check_one_per(labels, "labels", len(utterances.mask), "clip")


def train_speech_classifier(
    model: SpeechClassifier,
    train: Utterances,
    labels: torch.Tensor,
    *,
    epochs: int = 12,
    batch_size: int = 64,
    lr: float = 3e-3,
    seed: int = 0,
    augment: Callable[[Utterances], Utterances] | None = None,
    desc: str = "training",
) -> list[dict[str, float]]:
    """Train a :class:`SpeechClassifier` with :func:`attnlib.training.fit_classifier`.

    Each minibatch is cut to its longest clip
    (:meth:`~attnlib.data.speech_features.Utterances.trimmed`) before the forward pass, so
    padding costs little, and then passed through ``augment`` if given (its ``transform``).
    Seeded: the same arguments (and a model built after the same ``seed_everything(seed)``,
    and a fresh, equally seeded ``augment``) give the same model on one machine.

    Args:
        model: the :class:`SpeechClassifier` to train (left in evaluation mode).
        train: :class:`~attnlib.data.speech_features.Utterances` ``(N, M, T)`` / ``(N, T)``,
            normalised.
        labels: ``(N,)`` int64 digits.
        epochs, batch_size, lr, seed, desc: as for :func:`~attnlib.training.fit_classifier`
            (Adam with a one-cycle schedule).
        augment: maps each training minibatch of
            :class:`~attnlib.data.speech_features.Utterances` ``(b, M, T_b)`` to
            another of the same clips, for example
            :class:`attnlib.data.speech_augment.SpecAugment`; None trains on the features as
            they are.

    Returns:
        One dict per epoch: ``loss`` (mean cross-entropy) and ``seconds``.
    """
    if not isinstance(model, SpeechClassifier):
        raise TypeError(f"model must be a SpeechClassifier, got {describe(model)}")
    _check_utterances(train, labels)
    if augment is not None and not callable(augment):
        raise TypeError(
            f"augment must be a callable Utterances -> Utterances or None, got {describe(augment)}"
        )

    def transform(index: torch.Tensor) -> Utterances:
        batch = train.select(index).trimmed()
        return batch if augment is None else augment(batch)

    return fit_classifier(
        model,
        torch.arange(len(labels)),
        labels,
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        seed=seed,
        transform=transform,
        desc=desc,
    )


@torch.no_grad()
def predict_with_weights(
    model: SpeechClassifier, utterances: Utterances, *, batch_size: int = 100
) -> tuple[torch.Tensor, torch.Tensor]:
    """Predicted digits and the pooling weights over frames, in eval mode.

    Args:
        model: a :class:`SpeechClassifier`.
        utterances: :class:`~attnlib.data.speech_features.Utterances` ``(N, M, T)`` / ``(N, T)``.
        batch_size: clips per forward pass.

    Returns:
        predictions ``(N,)`` int64 and weights ``(N, T)`` (0 on padding; each row sums to 1).
    """
    _check_utterances(utterances)
    model.eval()
    predictions = torch.zeros(len(utterances.mask), dtype=torch.int64)  # (N,)
    weights = torch.zeros(utterances.mask.shape)  # (N, T)
    for index in torch.arange(len(utterances.mask)).split(batch_size):
        batch = utterances.select(index).trimmed()
        logits, alpha = model(batch, return_weights=True)  # (b, K), (b, T_b)
        predictions[index] = logits.argmax(-1)
        weights[index, : alpha.shape[-1]] = alpha
    return predictions, weights
