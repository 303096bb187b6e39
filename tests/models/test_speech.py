"""Specification of attnlib.models.speech: pooling weights, padding invariance, the scores are
attnlib's AdditiveScore, hard attention's straight-through gradient, similar sizes, seeded
training, and bad inputs."""

import dataclasses

import pytest
import torch

from attnlib.data.speech_augment import SpecAugment
from attnlib.data.speech_features import Utterances
from attnlib.models.speech import (
    SpeechClassifier,
    SpeechConfig,
    predict_with_weights,
    train_speech_classifier,
)
from attnlib.scoring import AdditiveScore
from attnlib.softmax import softmax
from attnlib.training import seed_everything

SMALL_QUERY_DIM = 5
SMALL = dict(
    n_mels=6,
    channels=8,
    kernel_size=3,
    dilations=(1, 2),
    score_hidden=4,
    query_dim=SMALL_QUERY_DIM,
    num_classes=3,
    dropout=0.0,
)


def _batch(lengths=(7, 12, 3), n_mels=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    T = max(lengths)
    mask = torch.arange(T) < torch.tensor(lengths)[:, None]  # (B, T)
    features = torch.randn(len(lengths), n_mels, T, generator=g) * mask[:, None]
    return Utterances(features, mask)


def _model(pooling, **kw):
    torch.manual_seed(0)
    return SpeechClassifier(SpeechConfig(**SMALL, pooling=pooling, **kw)).eval()


@pytest.mark.parametrize("pooling", ["soft", "mean", "hard"])
def test_weights_sum_to_one_over_real_frames_and_vanish_on_padding(pooling):
    batch = _batch()
    logits, weights = _model(pooling, k=4)(batch, return_weights=True)
    assert logits.shape == (3, 3) and weights.shape == batch.mask.shape
    torch.testing.assert_close(weights.sum(-1), torch.ones(3))
    assert (weights[~batch.mask] == 0).all() and (weights >= 0).all()


@pytest.mark.parametrize("pooling", ["soft", "mean", "hard"])
def test_padding_changes_nothing(pooling):
    model = _model(pooling, k=4)
    batch = _batch()
    logits = model(batch)
    for i, n in enumerate([7, 12, 3]):
        alone = Utterances(batch.features[i : i + 1, :, :n], batch.mask[i : i + 1, :n])
        torch.testing.assert_close(model(alone)[0], logits[i], atol=1e-5, rtol=1e-5)


def test_soft_pooling_is_softmax_of_the_scores_over_real_frames():
    model, batch = _model("soft"), _batch()
    h = model.encoder(*batch)
    expected = softmax(model.scores(h), dim=-1, mask=batch.mask)
    torch.testing.assert_close(model(batch, return_weights=True)[1], expected)


@pytest.mark.parametrize("pooling", ["soft", "hard"])
def test_scores_are_the_library_additive_score_of_the_learned_query(pooling):
    model, batch = _model(pooling), _batch()
    assert isinstance(model.score, AdditiveScore) and model.query.shape == (SMALL_QUERY_DIM,)
    with torch.no_grad():
        model.query.normal_()  # zero at initialisation: make the query's term count
    h = model.encoder(*batch)  # (B, T, C)
    B = h.shape[0]
    # Oracle 1: the public AdditiveScore, the query as one (L = 1) query per clip.
    public = model.score(model.query.expand(B, 1, -1), h)[:, 0]  # (B, 1, T) -> (B, T)
    torch.testing.assert_close(model.scores(h), public)
    # Oracle 2: the formula s_t = v^T tanh(W_q q + W_k h_t + b), written out.
    s = model.score
    hidden = torch.tanh(
        s.query_proj.weight @ model.query + h @ s.key_proj.weight.T + s.key_proj.bias
    )
    torch.testing.assert_close(model.scores(h), hidden @ s.v.weight[0])


def test_the_learned_query_starts_at_zero_and_is_trained():
    model, batch = _model("soft"), _batch()
    assert (model.query == 0).all()
    model(batch).sum().backward()
    assert model.query.grad is not None and model.query.grad.abs().sum() > 0


def test_mean_pooling_weighs_every_real_frame_equally():
    batch = _batch()
    _, weights = _model("mean")(batch, return_weights=True)
    expected = batch.mask.float() / batch.mask.sum(-1, keepdim=True)
    torch.testing.assert_close(weights, expected)


def test_hard_attention_keeps_the_k_best_frames_or_all_of_a_short_clip():
    model, batch = _model("hard", k=4), _batch()
    _, weights = model(batch, return_weights=True)
    scores = model.scores(model.encoder(*batch))
    for i, n in enumerate([7, 12, 3]):
        kept = weights[i] > 0
        assert kept.sum() == min(4, n)
        torch.testing.assert_close(weights[i][kept], torch.full((int(kept.sum()),), 1 / min(4, n)))
        top = scores[i, :n].topk(min(4, n)).indices
        assert set(top.tolist()) == set(kept.nonzero().flatten().tolist())


def test_hard_attention_trains_its_scores_through_straight_through():
    model, batch = _model("hard", k=4), _batch()
    model(batch).sum().backward()
    grads = [p.grad for p in (*model.score.parameters(), model.query)]
    assert all(g is not None for g in grads)
    assert sum(g.abs().sum() for g in grads) > 0  # top-k alone would give exactly zero


def test_sampled_hard_attention_varies_in_training_and_is_fixed_in_eval():
    model, batch = _model("hard", k=2, sample=True), _batch(lengths=(12, 12, 12))
    model.train()
    draws = {
        tuple(model(batch, return_weights=True)[1][0].nonzero().flatten().tolist())
        for _ in range(20)
    }
    assert len(draws) > 1
    model.eval()
    first = model(batch, return_weights=True)[1]
    torch.testing.assert_close(model(batch, return_weights=True)[1], first)


def test_models_of_the_three_poolings_have_similar_sizes():
    sizes = {
        p: sum(q.numel() for q in SpeechClassifier(SpeechConfig(pooling=p)).parameters())
        for p in ("soft", "mean", "hard")
    }
    assert sizes["soft"] == sizes["hard"]
    assert abs(sizes["soft"] - sizes["mean"]) / sizes["soft"] < 0.05


def _toy_data(n=60, seed=0):
    """Class c has a loud burst in mel band 2c somewhere in a clip of silence."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 3
    lengths = torch.randint(6, 15, (n,), generator=g)
    features = torch.randn(n, 6, 15, generator=g) * 0.3
    for i in range(n):
        t = int(torch.randint(0, int(lengths[i]) - 2, (1,), generator=g))
        features[i, 2 * labels[i], t : t + 2] += 3.0
    mask = torch.arange(15) < lengths[:, None]
    return Utterances(features * mask[:, None], mask), labels


def test_training_learns_a_toy_task_and_is_seeded():
    data, labels = _toy_data()
    config = SpeechConfig(**SMALL, pooling="soft")
    seed_everything(0)
    model = SpeechClassifier(config)
    history = train_speech_classifier(model, data, labels, epochs=15, batch_size=16, lr=1e-2)
    predictions, weights = predict_with_weights(model, data, batch_size=7)
    assert set(history[0]) == {"loss", "seconds"}
    assert history[-1]["loss"] < history[0]["loss"]
    assert (predictions == labels).float().mean() > 0.9
    assert weights.shape == data.mask.shape
    seed_everything(0)
    again = SpeechClassifier(config)
    train_speech_classifier(again, data, labels, epochs=15, batch_size=16, lr=1e-2)
    for p, q in zip(model.parameters(), again.parameters(), strict=True):
        torch.testing.assert_close(p, q, atol=0, rtol=0)


def test_augment_sees_every_trimmed_minibatch_and_training_stays_seeded():
    data, labels = _toy_data()
    config = SpeechConfig(**SMALL, pooling="mean")
    seen = []

    def record(batch):
        seen.append(batch)
        return SpecAugment(freq_masks=1, freq_width=1, time_masks=1, time_width=2, seed=0)(batch)

    seed_everything(0)
    model = SpeechClassifier(config)
    train_speech_classifier(model, data, labels, epochs=2, batch_size=16, augment=record)
    assert len(seen) == 2 * -(-len(labels) // 16)
    assert all(b.mask[:, -1].any() for b in seen)  # trimmed before the augmentation
    weights = []
    for _ in range(2):
        seed_everything(0)
        again = SpeechClassifier(config)
        train_speech_classifier(
            again, data, labels, epochs=2, batch_size=16, augment=SpecAugment(seed=1)
        )
        weights.append(again.classifier.weight.detach().clone())
    torch.testing.assert_close(weights[0], weights[1], atol=0, rtol=0)
    assert not torch.equal(weights[0], model.classifier.weight)
    with pytest.raises(TypeError, match="augment must be a callable"):
        train_speech_classifier(model, data, labels, epochs=1, augment="specaugment")


CONFIG_BAD = [
    (dict(channels=0), ValueError, "channels must be >= 1, got 0"),
    (dict(kernel_size=4), ValueError, "kernel_size must be odd"),
    (dict(dilations=[1, 2]), TypeError, "dilations must be a non-empty tuple of ints, got list"),
    (dict(dilations=(1, 0)), ValueError, "dilations entries must be >= 1, got 0"),
    (dict(dropout=1.0), ValueError, "dropout must be in [0, 1), got 1.0"),
    (dict(pooling="max"), ValueError, "pooling must be one of ['soft', 'mean', 'hard'], got 'max'"),
    (dict(sample=1), TypeError, "sample must be a bool, got int"),
    (dict(k=1.5), TypeError, "k must be an int, got float"),
    (dict(query_dim=0), ValueError, "query_dim must be >= 1, got 0"),
]


@pytest.mark.parametrize("change, error, message", CONFIG_BAD)
def test_bad_configs_name_the_field(change, error, message):
    with pytest.raises(error) as info:
        dataclasses.replace(SpeechConfig(), **change)
    assert message in str(info.value)


FORWARD_BAD = [
    (
        lambda b: (b.features, b.mask),
        TypeError,
        "batch must be an attnlib.data.speech_features.Utterances",
    ),
    (
        lambda b: Utterances(b.features[:, :4], b.mask),
        ValueError,
        "features must have shape (B, 6, T) to match config.n_mels, got shape (3, 4, 12)",
    ),
    (
        lambda b: Utterances(b.features.long(), b.mask),
        TypeError,
        "features must have a floating-point dtype",
    ),
    (
        lambda b: Utterances(b.features, b.mask.float()),
        TypeError,
        "mask must be a boolean torch.Tensor (True = real frame)",
    ),
    (
        lambda b: Utterances(b.features, b.mask[:, :5]),
        ValueError,
        "mask must have shape (3, 12) to match features, got shape (3, 5)",
    ),
    (
        lambda b: Utterances(b.features, b.mask & False),
        ValueError,
        "mask must keep at least one frame of every clip",
    ),
]


@pytest.mark.parametrize("bad, error, message", FORWARD_BAD)
def test_bad_batches_name_the_argument(bad, error, message):
    with pytest.raises(error) as info:
        _model("soft")(bad(_batch()))
    assert message in str(info.value)


SCORES_BAD = [
    (lambda h: h.numpy(), TypeError, "h must be a torch.Tensor, got ndarray"),
    (lambda h: h[0], ValueError, "h must have 3 dimensions, got shape (12, 8)"),
    (lambda h: h.long(), TypeError, "h must have a floating-point dtype"),
    (
        lambda h: h[..., :5],
        ValueError,
        "h must have shape (B, T, 8) to match config.channels, got shape (3, 12, 5)",
    ),
]


@pytest.mark.parametrize("bad, error, message", SCORES_BAD)
def test_bad_frames_for_scores_name_the_argument(bad, error, message):
    model, batch = _model("soft"), _batch()
    h = model.encoder(*batch).detach()
    with pytest.raises(error) as info:
        model.scores(bad(h))
    assert message in str(info.value)


def test_mean_pooling_has_no_scores():
    model, batch = _model("mean"), _batch()
    assert not hasattr(model, "score") and not hasattr(model, "query")
    with pytest.raises(
        ValueError, match="scores needs config.pooling 'soft' or 'hard', got 'mean'"
    ):
        model.scores(model.encoder(*batch))


def test_bad_training_inputs_name_the_argument():
    data, labels = _toy_data(n=6)
    with pytest.raises(
        TypeError, match="utterances must be an attnlib.data.speech_features.Utterances"
    ):
        train_speech_classifier(SpeechClassifier(SpeechConfig(**SMALL)), data.features, labels)
    with pytest.raises(ValueError, match=r"labels must have one entry per clip \(6\), got 5"):
        train_speech_classifier(SpeechClassifier(SpeechConfig(**SMALL)), data, labels[:5])
    with pytest.raises(TypeError, match="model must be a SpeechClassifier, got SpeechConfig"):
        train_speech_classifier(SpeechConfig(**SMALL), data, labels)
    with pytest.raises(TypeError, match="config must be a SpeechConfig, got dict"):
        SpeechClassifier(SMALL)
