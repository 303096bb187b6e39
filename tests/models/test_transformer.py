"""Specification of attnlib.models.transformer: the encoder block against torch's pre-norm
nn.TransformerEncoderLayer, the stack, dropout 0 as the identity, and bad arguments."""

import pytest
import torch
from torch import nn

from attnlib.models.transformer import TransformerBlock, TransformerEncoder
from attnlib.multihead import MultiHeadAttention


@pytest.mark.parametrize("activation", ["gelu", "relu"])
def test_block_matches_torchs_pre_norm_encoder_layer(activation):
    torch.manual_seed(0)
    reference = nn.TransformerEncoderLayer(
        8, 2, 16, dropout=0.0, activation=activation, batch_first=True, norm_first=True
    ).eval()
    block = TransformerBlock(8, 2, 16, activation=activation).eval()
    block.attn = MultiHeadAttention.from_torch(reference.self_attn)
    block.norm1.load_state_dict(reference.norm1.state_dict())
    block.norm2.load_state_dict(reference.norm2.state_dict())
    block.mlp[0].load_state_dict(reference.linear1.state_dict())
    block.mlp[2].load_state_dict(reference.linear2.state_dict())
    x = torch.randn(3, 5, 8)
    with torch.no_grad():
        y, weights = block(x)
        torch.testing.assert_close(y, reference(x))
        h = reference.norm1(x)
        _, expected = reference.self_attn(h, h, h, average_attn_weights=False)
    torch.testing.assert_close(weights, expected)  # (B, H, N, N)


def test_encoder_is_its_blocks_then_a_layer_norm():
    torch.manual_seed(0)
    encoder = TransformerEncoder(8, 3, 2, 16).eval()
    x = torch.randn(2, 4, 8)
    y, attentions = encoder(x)
    h, expected = x, []
    for block in encoder.blocks:
        h, w = block(h)
        expected.append(w)
    torch.testing.assert_close(y, encoder.norm(h))
    assert len(attentions) == 3
    for w, e in zip(attentions, expected, strict=True):
        torch.testing.assert_close(w, e)
        torch.testing.assert_close(w.sum(-1), torch.ones(2, 2, 4))


def test_dropout_zero_is_the_identity_in_training_and_draws_no_random_numbers():
    """What lets chapter 4 (no dropout) train the same model it trained before the encoders
    were shared: the dropout layers change neither the arithmetic nor the random stream."""
    torch.manual_seed(0)
    encoder = TransformerEncoder(8, 2, 2, 16, activation="relu")
    x = torch.randn(2, 4, 8)
    torch.manual_seed(1)
    y_train, _ = encoder.train()(x)
    after_train = torch.rand(1)
    torch.manual_seed(1)
    y_eval, _ = encoder.eval()(x)
    assert torch.equal(y_train, y_eval) and torch.equal(torch.rand(1), after_train)


def test_dropout_acts_while_training():
    torch.manual_seed(0)
    block = TransformerBlock(8, 2, 16, dropout=0.5)
    x = torch.randn(2, 4, 8)
    assert not torch.equal(block.train()(x)[0], block.eval()(x)[0])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (dict(activation="tanh"), ValueError, r"activation must be one of \['gelu', 'relu'\]"),
        (dict(activation=None), TypeError, "activation must be one of"),
        (dict(num_heads=3), ValueError, "num_heads must divide embed_dim=8, got 3"),
        (dict(depth=0), ValueError, "depth must be >= 1, got 0"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    arguments = {"dim": 8, "depth": 2, "num_heads": 2, "mlp_dim": 16, **kwargs}
    with pytest.raises(error, match=message):
        TransformerEncoder(**arguments)
