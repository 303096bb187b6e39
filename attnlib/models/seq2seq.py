r"""Character-level encoder–decoder with additive (Bahdanau) attention (chapter 8).

The encoder is a bidirectional GRU whose outputs are the annotations
:math:`h_j = [\overrightarrow{h}_j; \overleftarrow{h}_j]`. At output step ``i`` the decoder scores
every annotation against its previous state, :math:`e_{ij} = v^\top \tanh(W s_{i-1} + U h_j)`,
normalises over ``j``, :math:`\alpha_{ij} = \mathrm{softmax}_j(e_{ij})`, reads the context
:math:`c_i = \sum_j \alpha_{ij} h_j` and updates
:math:`s_i = \mathrm{GRU}([E y_{i-1}; c_i], s_{i-1})`
(Bahdanau, Cho and Bengio, ICLR 2015). The baseline (``attention=False``) replaces every
:math:`c_i` by the encoder's last states :math:`[\overrightarrow{h}_S; \overleftarrow{h}_1]`, the
fixed-length summary of the encoder–decoders that attention was invented to replace.

Shape legend: ``B`` batch, ``S`` source length, ``T`` target length, ``E`` embedding size,
``H`` encoder units per direction, ``D`` decoder units, ``V`` vocabulary size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from attnlib.scoring import AdditiveScore
from attnlib.softmax import _softmax
from attnlib.training import minibatches, train_loop
from attnlib.validation import check_int, check_tensor, describe

__all__ = [
    "CharVocab",
    "Seq2SeqConfig",
    "Seq2Seq",
    "train_seq2seq",
    "translate",
    "exact_match",
]

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"


def _check_texts(texts: object, name: str) -> list[str]:
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError(f"{name} must be a sequence of strings, got {describe(texts)}")
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"{name} must contain only strings, got {describe(text)}")
    return list(texts)


@dataclass(frozen=True)
class CharVocab:
    """A character vocabulary: index 0 is padding, then ``<bos>``, ``<eos>``, ``<unk>``.

    Example:
        >>> vocab = CharVocab.build(["2021-03-03"])
        >>> ids, lengths = vocab.encode(["2021", "03"], eos=True)
        >>> ids.shape, lengths.tolist(), vocab.decode(ids)
        (torch.Size([2, 5]), [5, 3], ['2021', '03'])
    """

    tokens: tuple[str, ...]

    @classmethod
    def build(cls, texts: Sequence[str]) -> CharVocab:
        """The vocabulary of every character in ``texts``, sorted by code point."""
        texts = _check_texts(texts, "texts")
        return cls((PAD, BOS, EOS, UNK, *sorted(set("".join(texts)))))

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def index(self) -> dict[str, int]:
        """``{token: index}``."""
        return {t: i for i, t in enumerate(self.tokens)}

    def encode(
        self, texts: Sequence[str], *, bos: bool = False, eos: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Indices of ``texts``, right-padded with 0; unknown characters become ``<unk>``.

        Args:
            texts: ``B`` strings.
            bos, eos: put ``<bos>`` before / ``<eos>`` after each string.

        Returns:
            ``(ids, lengths)``: ``ids`` ``(B, T)`` int64 with ``T`` the longest length,
            ``lengths`` ``(B,)`` int64 (counting ``<bos>``/``<eos>``).
        """
        texts = _check_texts(texts, "texts")
        index, unk = self.index, self.tokens.index(UNK)
        rows = [
            [1] * bos + [index.get(c, unk) for c in text] + [2] * eos for text in texts
        ]  # fmt: skip
        lengths = torch.tensor([len(r) for r in rows], dtype=torch.long)  # (B,)
        ids = torch.zeros(len(rows), int(lengths.max()) if rows else 0, dtype=torch.long)
        for b, row in enumerate(rows):
            ids[b, : len(row)] = torch.tensor(row, dtype=torch.long)
        return ids, lengths  # (B, T), (B,)

    def decode(self, ids: torch.Tensor) -> list[str]:
        """Strings from ``ids`` ``(B, T)``: stop at ``<eos>``, skip ``<pad>`` and ``<bos>``."""
        ids = check_tensor(ids, "ids", ndim=2)
        out = []
        for row in ids.tolist():
            chars = []
            for i in row:
                if i == 2:
                    break
                if i > 2:
                    chars.append(self.tokens[i])
            out.append("".join(chars))
        return out


@dataclass(frozen=True)
class Seq2SeqConfig:
    """Sizes of :class:`Seq2Seq`; the defaults train in about half a minute on a laptop CPU."""

    source_vocab_size: int  # V_src, len(CharVocab) of the inputs
    target_vocab_size: int  # V_tgt, len(CharVocab) of the outputs
    embed_dim: int = 32  # E, character embedding size (source and target)
    hidden_dim: int = 64  # H, encoder GRU units per direction (annotations have 2H)
    decoder_dim: int = 128  # D, decoder GRU units
    attention_dim: int = 64  # hidden size of the additive score v^T tanh(W s + U h)
    attention: bool = True  # False: the no-attention baseline (the encoder's last state only)

    def __post_init__(self) -> None:
        for name in ("source_vocab_size", "target_vocab_size"):
            check_int(getattr(self, name), name, minimum=5)
        for name in ("embed_dim", "hidden_dim", "decoder_dim", "attention_dim"):
            check_int(getattr(self, name), name, minimum=1)
        if not isinstance(self.attention, bool):
            raise TypeError(f"attention must be a bool, got {describe(self.attention)}")


class Seq2Seq(nn.Module):
    r"""Bidirectional-GRU encoder and GRU decoder with additive attention, or without it.

    One decoder step, from the previous state :math:`s_{i-1}` and output :math:`y_{i-1}`:

    .. math::
        e_{ij} = v^\top \tanh(W s_{i-1} + U h_j), \quad
        \alpha_{ij} = \frac{\exp e_{ij}}{\sum_{k} \exp e_{ik}}, \quad
        c_i = \sum_j \alpha_{ij} h_j,

    then :math:`s_i = \mathrm{GRU}([E y_{i-1}; c_i], s_{i-1})` and
    :math:`p(y_i) = \mathrm{softmax}(W_o [s_i; c_i; E y_{i-1}])`. Padding positions are masked
    out of the softmax. The scores use :class:`attnlib.AdditiveScore` (its ``U h_j`` computed
    once per sequence), the weights :func:`attnlib.softmax`. Derived in chapter 8.

    Args:
        config: a :class:`Seq2SeqConfig`.

    Shapes: ``source`` ``(B, S)``, ``source_lengths`` ``(B,)``, ``target_in`` ``(B, T)``
    (``<bos>`` then the target without ``<eos>``) -> logits ``(B, T, V)`` and attention weights
    ``(B, T, S)`` (``None`` for the baseline).
    """

    def __init__(self, config: Seq2SeqConfig) -> None:
        super().__init__()
        if not isinstance(config, Seq2SeqConfig):
            raise TypeError(f"config must be a Seq2SeqConfig, got {describe(config)}")
        self.config = c = config
        self.source_embed = nn.Embedding(c.source_vocab_size, c.embed_dim, padding_idx=0)
        self.target_embed = nn.Embedding(c.target_vocab_size, c.embed_dim, padding_idx=0)
        self.encoder = nn.GRU(c.embed_dim, c.hidden_dim, batch_first=True, bidirectional=True)
        self.init_state = nn.Linear(
            2 * c.hidden_dim, c.decoder_dim
        )  # s_0 = tanh(W_s [h->_S; h<-_1])
        self.score = AdditiveScore(c.decoder_dim, 2 * c.hidden_dim, c.attention_dim)
        self.cell = nn.GRUCell(c.embed_dim + 2 * c.hidden_dim, c.decoder_dim)
        self.output = nn.Linear(c.decoder_dim + 2 * c.hidden_dim + c.embed_dim, c.target_vocab_size)

    def encode(
        self, source: torch.Tensor, source_lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Annotations ``(B, S, 2H)``, the last states ``(B, 2H)`` and the mask ``(B, S)``."""
        x = self.source_embed(source)  # (B, S) -> (B, S, E)
        packed = nn.utils.rnn.pack_padded_sequence(
            x, source_lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        out, last = self.encoder(packed)  # last: (2, B, H), forward after h_S, backward after h_1
        h, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=source.shape[1])
        summary = torch.cat([last[0], last[1]], dim=-1)  # (B, 2H)
        mask = torch.arange(source.shape[1]) < source_lengths.unsqueeze(1)  # (B, S), True = real
        return h, summary, mask  # (B, S, 2H), (B, 2H), (B, S)

    def attend(
        self, s: torch.Tensor, h: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """One attention step: context ``(B, 2H)`` and weights ``(B, S)`` for states ``(B, D)``.

        ``keys`` ``(B, S, A)`` is ``self.score.project_key(h)`` (``U h_j`` plus its bias),
        computed once per sequence; the result equals
        ``softmax(self.score(s[:, None], h)[:, 0], mask=mask)``.
        """
        e = self.score._score_projected(s.unsqueeze(1), keys).squeeze(1)  # (B, 1, S) -> (B, S)
        alpha = _softmax(e, -1, 1.0, mask)  # (B, S)
        context = (alpha.unsqueeze(1) @ h).squeeze(1)  # (B, 1, S) @ (B, S, 2H) -> (B, 2H)
        return context, alpha

    def _step(self, y_prev, s, h, keys, mask, summary):
        if self.config.attention:
            context, alpha = self.attend(s, h, keys, mask)  # (B, 2H), (B, S)
        else:
            context, alpha = summary, None  # the same fixed summary at every step
        emb = self.target_embed(y_prev)  # (B,) -> (B, E)
        s = self.cell(torch.cat([emb, context], dim=-1), s)  # (B, E + 2H) -> (B, D)
        logits = self.output(torch.cat([s, context, emb], dim=-1))  # (B, D + 2H + E) -> (B, V)
        return logits, s, alpha

    def _start(self, source, source_lengths):
        h, summary, mask = self.encode(source, source_lengths)
        keys = self.score._project_key(h) if self.config.attention else None  # (B, S, A)
        s = torch.tanh(self.init_state(summary))  # (B, 2H) -> (B, D)
        return h, summary, mask, keys, s

    def forward(
        self, source: torch.Tensor, source_lengths: torch.Tensor, target_in: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Teacher forcing: logits ``(B, T, V)`` and weights ``(B, T, S)`` (or ``None``)."""
        source = check_tensor(source, "source", ndim=2)
        source_lengths = check_tensor(source_lengths, "source_lengths", ndim=1)
        target_in = check_tensor(target_in, "target_in", ndim=2)
        h, summary, mask, keys, s = self._start(source, source_lengths)
        logits, weights = [], []
        for i in range(target_in.shape[1]):
            step_logits, s, alpha = self._step(target_in[:, i], s, h, keys, mask, summary)
            logits.append(step_logits)
            weights.append(alpha)
        alphas = torch.stack(weights, dim=1) if self.config.attention else None  # (B, T, S)
        return torch.stack(logits, dim=1), alphas  # (B, T, V), (B, T, S)

    @torch.no_grad()
    def greedy_decode(
        self, source: torch.Tensor, source_lengths: torch.Tensor, max_len: int
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Feed back the most probable character: ids ``(B, max_len)``, weights ``(B, max_len, S)``.

        Decoding runs ``max_len`` steps for the whole batch; :meth:`CharVocab.decode` cuts each
        row at its first ``<eos>``.
        """
        source = check_tensor(source, "source", ndim=2)
        source_lengths = check_tensor(source_lengths, "source_lengths", ndim=1)
        max_len = check_int(max_len, "max_len", minimum=1)
        h, summary, mask, keys, s = self._start(source, source_lengths)
        y = torch.full((source.shape[0],), 1, dtype=torch.long)  # <bos>, (B,)
        ids, weights = [], []
        for _ in range(max_len):
            logits, s, alpha = self._step(y, s, h, keys, mask, summary)
            y = logits.argmax(dim=-1)  # (B, V) -> (B,)
            ids.append(y)
            weights.append(alpha)
        alphas = torch.stack(weights, dim=1) if self.config.attention else None  # (B, T, S)
        return torch.stack(ids, dim=1), alphas  # (B, T), (B, T, S)


def train_seq2seq(
    model: Seq2Seq,
    source: torch.Tensor,
    source_lengths: torch.Tensor,
    target: torch.Tensor,
    *,
    epochs: int,
    batch_size: int = 128,
    lr: float = 3e-3,
    seed: int = 0,
    desc: str = "training",
) -> list[dict[str, float]]:
    """Train with teacher forcing, Adam and a one-cycle schedule (through ``train_loop``).

    Args:
        model: a :class:`Seq2Seq`.
        source: ``(N, S)`` source ids; ``source_lengths`` ``(N,)``.
        target: ``(N, T + 1)`` target ids from ``CharVocab.encode(..., bos=True, eos=True)``;
            the model reads ``target[:, :-1]`` and is scored (cross-entropy, padding ignored)
            on ``target[:, 1:]``.
        epochs, batch_size, lr, seed: the usual; ``seed`` fixes the batch order. Gradients are
            clipped to norm 1.
        desc: the progress bar's label.

    Returns:
        One dict per epoch: ``loss`` (mean cross-entropy per character) and ``seconds``.
    """
    source = check_tensor(source, "source", ndim=2)
    source_lengths = check_tensor(source_lengths, "source_lengths", ndim=1)
    target = check_tensor(target, "target", ndim=2)
    for name, t in (("source_lengths", source_lengths), ("target", target)):
        if len(t) != len(source):
            raise ValueError(f"{name} must have one row per source ({len(source)}), got {len(t)}")

    def batch_loss(index: torch.Tensor) -> tuple[torch.Tensor, dict[str, float]]:
        lengths = source_lengths[index]
        x = source[index, : int(lengths.max())]  # trim padding shared by the batch
        y = target[index]
        logits, _ = model(x, lengths, y[:, :-1])  # (b, T, V)
        loss = nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), y[:, 1:].reshape(-1), ignore_index=0
        )
        return loss, {"loss": loss.item()}

    return train_loop(
        model,
        len(source),
        batch_loss,
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        seed=seed,
        clip_grad_norm=1.0,
        desc=desc,
    )


def translate(
    model: Seq2Seq,
    texts: Sequence[str],
    source_vocab: CharVocab,
    target_vocab: CharVocab,
    *,
    max_len: int = 11,
    batch_size: int = 1000,
) -> tuple[list[str], list[torch.Tensor | None]]:
    """Greedy translations of ``texts`` and, for each, its ``(len(out) + 1, len(text))`` weights.

    The weights keep one row per output character plus the ``<eos>`` step (when produced within
    ``max_len``) and one column per input character; they are ``None`` for the baseline.
    """
    texts = _check_texts(texts, "texts")
    max_len = check_int(max_len, "max_len", minimum=1)
    model.eval()
    outputs: list[str] = []
    weights: list[torch.Tensor | None] = []
    for index in minibatches(len(texts), batch_size):
        batch = [texts[i] for i in index.tolist()]
        ids, lengths = source_vocab.encode(batch)
        out, alphas = model.greedy_decode(ids, lengths, max_len)
        decoded = target_vocab.decode(out)
        outputs += decoded
        for b, (text, result) in enumerate(zip(batch, decoded, strict=True)):
            rows = min(len(result) + 1, max_len)
            weights.append(None if alphas is None else alphas[b, :rows, : len(text)].clone())
    return outputs, weights


def exact_match(predictions: Sequence[str], targets: Sequence[str]) -> float:
    """The fraction of ``predictions`` equal to their ``targets``, character for character."""
    predictions = _check_texts(predictions, "predictions")
    targets = _check_texts(targets, "targets")
    if len(predictions) != len(targets) or not targets:
        raise ValueError(
            f"predictions must have one entry per target ({len(targets)}, at least 1), "
            f"got {len(predictions)}"
        )
    return sum(p == t for p, t in zip(predictions, targets, strict=True)) / len(targets)
