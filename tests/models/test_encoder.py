"""Specification of attnlib.models.encoder: sinusoidal encodings, permutation equivariance without
them, attention weights, seeded training, and bad inputs."""

import math

import pytest
import torch

from attnlib.models.encoder import (
    EncoderClassifier,
    EncoderConfig,
    sinusoidal_positional_encoding,
    train_encoder,
)

SMALL = dict(
    vocab_size=5, num_classes=5, max_len=6, embed_dim=8, num_heads=2, num_layers=2, ff_dim=16
)


def _model(**kw):
    torch.manual_seed(0)
    return EncoderClassifier(EncoderConfig(**{**SMALL, **kw})).eval()


def _tokens(batch=3, length=6, seed=0):
    return torch.randint(0, 5, (batch, length), generator=torch.Generator().manual_seed(seed))


def test_sinusoidal_encoding_matches_the_formula():
    pe = sinusoidal_positional_encoding(7, 6)
    for p in range(7):
        for i in range(3):
            angle = p / 10000 ** (2 * i / 6)
            assert pe[p, 2 * i].item() == pytest.approx(math.sin(angle), abs=1e-6)
            assert pe[p, 2 * i + 1].item() == pytest.approx(math.cos(angle), abs=1e-6)
    assert pe.dtype == torch.float32 and pe.shape == (7, 6)


def test_sinusoidal_encoding_dot_product_depends_only_on_the_offset():
    # sin a sin b + cos a cos b = cos(a - b): PE[p] . PE[p + k] is the same for every p.
    pe = sinusoidal_positional_encoding(20, 16).double()
    dots = torch.stack([pe[p] @ pe[p + 3] for p in range(17)])
    torch.testing.assert_close(dots, dots[:1].expand(17))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (dict(length=4, dim=5), ValueError, "dim must be even"),
        (dict(length=0, dim=4), ValueError, "length"),
        (dict(length=4, dim=4, base=1.0), ValueError, "base must be a number > 1"),
        (dict(length=2.5, dim=4), TypeError, "length"),
    ],
)
def test_sinusoidal_encoding_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        sinusoidal_positional_encoding(**kwargs)


def test_shapes_and_weights_are_distributions():
    logits, weights = _model()(_tokens(), return_weights=True)
    assert logits.shape == (3, 6, 5)
    assert len(weights) == 2 and all(w.shape == (3, 2, 6, 6) for w in weights)
    for w in weights:
        torch.testing.assert_close(w.sum(-1), torch.ones(3, 2, 6))


def test_without_positions_self_attention_is_permutation_equivariant():
    model, tokens = _model(positional=False), _tokens()
    perm = torch.tensor([3, 0, 5, 1, 4, 2])
    with torch.no_grad():
        torch.testing.assert_close(model(tokens[:, perm]), model(tokens)[:, perm])


def test_with_positions_it_is_not():
    model, tokens = _model(positional=True), _tokens()
    perm = torch.tensor([3, 0, 5, 1, 4, 2])
    with torch.no_grad():
        assert not torch.allclose(model(tokens[:, perm]), model(tokens)[:, perm], atol=1e-3)


def test_training_is_seeded_and_lowers_the_loss():
    tokens = _tokens(batch=64, seed=1)
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = EncoderClassifier(EncoderConfig(**SMALL))
        runs.append(train_encoder(model, tokens, tokens.flip(1), epochs=3, batch_size=16, seed=0))
    assert runs[0] == runs[1]
    assert runs[0][-1] < runs[0][0]
    assert not model.training  # evaluation mode after training


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (dict(embed_dim=6, num_heads=4), ValueError, "num_heads must divide embed_dim=6"),
        (dict(embed_dim=7, num_heads=7), ValueError, "embed_dim must be even"),
        (dict(num_layers=0), ValueError, "num_layers"),
        (dict(positional=1), TypeError, "positional must be a bool, got int"),
    ],
)
def test_config_rejects_bad_values(kwargs, error, message):
    with pytest.raises(error, match=message):
        EncoderConfig(**{**SMALL, **kwargs})


@pytest.mark.parametrize(
    ("tokens", "error", "message"),
    [
        ([[1, 2]], TypeError, "tokens must be a torch.Tensor, got list"),
        (torch.ones(2, 3), TypeError, "tokens must be int64 token ids"),
        (torch.ones(2, 3, 1, dtype=torch.long), ValueError, "tokens must have 2 dimensions"),
        (torch.zeros(1, 7, dtype=torch.long), ValueError, "at most max_len=6 positions"),
        (torch.full((1, 3), 5), ValueError, r"tokens must lie in \[0, 5\)"),
    ],
)
def test_forward_rejects_bad_tokens(tokens, error, message):
    with pytest.raises(error, match=message):
        _model()(tokens)


def test_train_encoder_rejects_mismatched_targets():
    tokens = _tokens()
    with pytest.raises(ValueError, match="targets must have one entry per sequence"):
        train_encoder(_model(), tokens, tokens[:2], epochs=1)
    with pytest.raises(ValueError, match="targets must have the shape of tokens"):
        train_encoder(_model(), tokens, tokens[:, :3], epochs=1)
    with pytest.raises(TypeError, match="model must be an EncoderClassifier"):
        train_encoder(torch.nn.Linear(2, 2), tokens, tokens, epochs=1)
