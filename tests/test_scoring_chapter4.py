"""Behaviours of attnlib's attention that chapter 4 relies on and test_multihead.py leaves out."""

import pytest
import torch
from torch import nn

from attnlib import MultiHeadAttention


def _padding_and_causal(lengths, L):
    valid = torch.arange(L) < torch.tensor(lengths)[:, None]  # (B, S): True = may attend
    causal = torch.ones(L, L, dtype=torch.bool).tril()  # (L, S): True = may attend
    return valid, causal


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("num_heads", [1, 2, 4])
def test_per_head_weights_equal_torch_under_padding_and_causal_masks(seed, num_heads):
    torch.manual_seed(seed)
    B, L, E = 3, 6, 8
    valid, causal = _padding_and_causal([6, 4, 1], L)
    mask = (valid[:, None, :] & causal)[:, None]  # (B, 1, L, S)
    torch_mha = nn.MultiheadAttention(E, num_heads, batch_first=True)
    x = torch.randn(B, L, E)
    # nn.MultiheadAttention's boolean masks mean True = NOT allowed: invert both.
    want_out, want_w = torch_mha(
        x, x, x, key_padding_mask=~valid, attn_mask=~causal, average_attn_weights=False
    )  # weights (B, H, L, S)
    out, w = MultiHeadAttention.from_torch(torch_mha)(x, x, x, mask, return_weights=True)
    torch.testing.assert_close(out, want_out)
    torch.testing.assert_close(w, want_w)
    assert (w.masked_select(~mask.expand_as(w)) == 0).all()


@pytest.mark.parametrize("seed", range(3))
def test_self_attention_is_permutation_equivariant(seed):
    torch.manual_seed(seed)
    layer = MultiHeadAttention(8, 2)
    x = torch.randn(2, 7, 8)
    perm = torch.randperm(7)
    xp = x[:, perm]
    torch.testing.assert_close(layer(xp, xp, xp), layer(x, x, x)[:, perm])


@pytest.mark.parametrize("seed", range(3))
def test_cross_attention_ignores_the_order_of_the_memory(seed):
    torch.manual_seed(seed)
    layer = MultiHeadAttention(8, 2)
    y, memory = torch.randn(2, 3, 8), torch.randn(2, 7, 8)
    perm = torch.randperm(7)
    torch.testing.assert_close(layer(y, memory[:, perm], memory[:, perm]), layer(y, memory, memory))


def test_inverted_convention_is_not_silently_equivalent():
    """Passing True = may-attend to torch's key_padding_mask gives another (here NaN) result."""
    torch.manual_seed(0)
    torch_mha = nn.MultiheadAttention(8, 2, batch_first=True)
    x = torch.randn(1, 5, 8)
    valid = torch.ones(1, 5, dtype=torch.bool)  # no padding: every key may be attended
    ours = MultiHeadAttention.from_torch(torch_mha)(x, x, x, valid[:, None, None, :])
    wrong, _ = torch_mha(x, x, x, key_padding_mask=valid)
    assert torch.isfinite(ours).all()
    assert torch.isnan(wrong).all()
