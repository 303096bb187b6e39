"""Specification of attnlib.models.seq2seq: vocabulary, additive-attention encoder–decoder."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlib.models.seq2seq import (
    CharVocab,
    Seq2Seq,
    Seq2SeqConfig,
    exact_match,
    train_seq2seq,
    translate,
)
from attnlib.scoring import AdditiveScore
from attnlib.softmax import softmax


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny matrices: a second thread only adds overhead on a shared 2-core machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def small_model(attention: bool = True, vocab: int = 12, seed: int = 0) -> Seq2Seq:
    torch.manual_seed(seed)
    return Seq2Seq(
        Seq2SeqConfig(
            vocab,
            vocab,
            embed_dim=8,
            hidden_dim=6,
            decoder_dim=10,
            attention_dim=7,
            attention=attention,
        )
    )


def batch(seed: int = 0, B: int = 4, S: int = 7, V: int = 12):
    g = torch.Generator().manual_seed(seed)
    lengths = torch.tensor([S, 3, 5, 1][:B])
    source = torch.randint(4, V, (B, S), generator=g)
    source[torch.arange(S) >= lengths[:, None]] = 0  # right padding
    target_in = torch.randint(4, V, (B, 5), generator=g)
    target_in[:, 0] = 1
    return source, lengths, target_in


# --- vocabulary ---------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=6))
def test_vocab_round_trip(texts):
    vocab = CharVocab.build(texts)
    ids, lengths = vocab.encode(texts, bos=True, eos=True)
    assert lengths.tolist() == [len(t) + 2 for t in texts]
    assert ids.shape == (len(texts), max(len(t) for t in texts) + 2)
    assert (ids[:, 0] == 1).all()
    assert vocab.decode(ids) == texts


def test_vocab_layout_and_unknown_characters():
    vocab = CharVocab.build(["b a", "年"])
    assert vocab.tokens == ("<pad>", "<bos>", "<eos>", "<unk>", " ", "a", "b", "年")
    ids, _ = vocab.encode(["a?"])
    assert ids.tolist() == [[5, 3]]
    assert vocab.decode(torch.tensor([[1, 5, 0, 6, 2, 7]])) == ["ab"]


# --- the attention step equals attnlib's AdditiveScore + softmax -------------------------


def test_attend_equals_additive_score_and_masked_softmax():
    model = small_model()
    source, lengths, _ = batch()
    h, _, mask = model.encode(source, lengths)
    s = torch.randn(4, 10)
    context, alpha = model.attend(s, h, model.score.project_key(h), mask)
    scores = model.score(s.unsqueeze(1), h).squeeze(1)  # (B, 1, S) -> (B, S)
    expected = softmax(scores, mask=mask)
    torch.testing.assert_close(alpha, expected, rtol=1e-6, atol=1e-7)
    torch.testing.assert_close(context, torch.einsum("bs,bsd->bd", expected, h))
    assert (alpha[~mask] == 0).all()
    torch.testing.assert_close(alpha.sum(-1), torch.ones(4))
    assert isinstance(model.score, AdditiveScore)


def test_from_scratch_bahdanau_step():
    """e_ij = v^T tanh(W s + U h_j + b), written with the raw weight matrices."""
    model = small_model()
    source, lengths, _ = batch()
    h, _, mask = model.encode(source, lengths)
    s = torch.randn(4, 10)
    W = model.score.query_proj.weight
    U, b = model.score.key_proj.weight, model.score.key_proj.bias
    v = model.score.v.weight.squeeze(0)
    e = torch.tanh((s @ W.T)[:, None, :] + h @ U.T + b) @ v  # (B, S)
    e = e.masked_fill(~mask, float("-inf"))
    expected = torch.softmax(e, dim=-1)
    _, alpha = model.attend(s, h, model.score.project_key(h), mask)
    torch.testing.assert_close(alpha, expected)


def test_encoder_ignores_padding_and_last_states_are_the_ends():
    model = small_model()
    source, lengths, _ = batch()
    h, summary, mask = model.encode(source, lengths)
    longer = torch.cat([source, torch.zeros(4, 3, dtype=torch.long)], dim=1)
    h2, summary2, _ = model.encode(longer, lengths)
    torch.testing.assert_close(h2[:, :7], h)
    torch.testing.assert_close(summary2, summary)
    assert (h[~mask] == 0).all()
    H = 6
    for b, n in enumerate(lengths.tolist()):
        torch.testing.assert_close(summary[b, :H], h[b, n - 1, :H])  # forward ends at h_S
        torch.testing.assert_close(summary[b, H:], h[b, 0, H:])  # backward ends at h_1


@pytest.mark.parametrize("attention", [True, False])
def test_forward_shapes_and_decoding_matches_teacher_forcing(attention):
    model = small_model(attention).eval()
    source, lengths, target_in = batch()
    logits, weights = model(source, lengths, target_in)
    assert logits.shape == (4, 5, 12)
    assert (weights is None) == (not attention)
    if attention:
        assert weights.shape == (4, 5, 7)
    ids, greedy_weights = model.greedy_decode(source, lengths, 5)
    assert ids.shape == (4, 5)
    # Teacher-forcing the greedy output reproduces its logits' argmax step by step.
    forced = torch.cat([torch.ones(4, 1, dtype=torch.long), ids[:, :-1]], dim=1)
    logits, forced_weights = model(source, lengths, forced)
    assert torch.equal(logits.argmax(-1), ids)
    if attention:
        torch.testing.assert_close(forced_weights, greedy_weights)


def test_baseline_context_does_not_depend_on_the_step():
    """Without attention, the decoder sees the same encoder summary at every step."""
    model = small_model(attention=False).eval()
    source, lengths, target_in = batch()
    h, summary, mask, keys, s = model._start(source, lengths)
    assert keys is None
    _, _, alpha = model._step(target_in[:, 0], s, h, keys, mask, summary)
    assert alpha is None


def test_training_learns_to_copy_and_translate_reports_weights():
    torch.manual_seed(0)
    texts = ["".join(map(str, torch.randint(0, 10, (3,)).tolist())) for _ in range(400)]
    vocab = CharVocab.build([str(i) for i in range(10)])
    source, lengths = vocab.encode(texts)
    target, _ = vocab.encode(texts, bos=True, eos=True)
    model = Seq2Seq(
        Seq2SeqConfig(
            len(vocab), len(vocab), embed_dim=16, hidden_dim=32, decoder_dim=32, attention_dim=32
        )
    )
    history = train_seq2seq(model, source, lengths, target, epochs=5, batch_size=32, lr=1e-2)
    assert history[-1]["loss"] < 0.2 * history[0]["loss"]
    out, weights = translate(model, texts[:100], vocab, vocab, max_len=5)
    assert exact_match(out, texts[:100]) > 0.9
    for text, o, w in zip(texts[:100], out, weights, strict=True):
        assert w.shape == (min(len(o) + 1, 5), len(text))
        torch.testing.assert_close(w.sum(-1), torch.ones(len(w)))
    again = train_seq2seq(
        small_model(vocab=len(vocab)), source, lengths, target, epochs=1, batch_size=64, seed=3
    )
    assert (
        again[0]["loss"]
        == train_seq2seq(
            small_model(vocab=len(vocab)), source, lengths, target, epochs=1, batch_size=64, seed=3
        )[0]["loss"]
    )


def test_exact_match():
    assert exact_match(["2021-03-03", "x"], ["2021-03-03", "2021-03-04"]) == 0.5


# --- bad inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"source_vocab_size": 3}, ValueError, "source_vocab_size must be >= 5, got 3"),
        ({"target_vocab_size": 1.5}, TypeError, "target_vocab_size must be an int, got float"),
        ({"hidden_dim": 0}, ValueError, "hidden_dim must be >= 1, got 0"),
        ({"attention": 1}, TypeError, "attention must be a bool, got int"),
    ],
)
def test_config_bad_arguments(kwargs, error, message):
    args = {"source_vocab_size": 10, "target_vocab_size": 10} | kwargs
    with pytest.raises(error) as info:
        Seq2SeqConfig(**args)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: Seq2Seq({"source_vocab_size": 10}),
            TypeError,
            "config must be a Seq2SeqConfig, got dict",
        ),
        (lambda: CharVocab.build("abc"), TypeError, "texts must be a sequence of strings, got str"),
        (lambda: CharVocab.build(["a", 1]), TypeError, "texts must contain only strings, got int"),
        (
            lambda: exact_match(["a"], ["a", "b"]),
            ValueError,
            "predictions must have one entry per target (2",
        ),
        (
            lambda: small_model().greedy_decode(*batch()[:2], 0),
            ValueError,
            "max_len must be >= 1, got 0",
        ),
        (
            lambda: small_model()(batch()[0][0], batch()[1], batch()[2]),
            ValueError,
            "source must have 2 dimensions, got shape (7,)",
        ),
        (
            lambda: train_seq2seq(small_model(), *batch()[:2], batch()[2][:2], epochs=1),
            ValueError,
            "target must have one row per source (4), got 2",
        ),
        (
            lambda: train_seq2seq(small_model(), *batch(), epochs=0),
            ValueError,
            "epochs must be >= 1, got 0",
        ),
        (
            lambda: train_seq2seq(small_model(), *batch(), epochs=1, lr=-1),
            ValueError,
            "lr must be > 0, got -1.0",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
