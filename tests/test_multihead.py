"""Specification of MultiHeadAttention: equal to torch.nn.MultiheadAttention."""

import pytest
import torch
from torch import nn

from attnlib import MultiHeadAttention

g = torch.Generator().manual_seed(0)


@pytest.mark.parametrize(
    "embed_dim, num_heads, bias", [(8, 1, True), (8, 2, True), (12, 3, False), (16, 4, True)]
)
def test_from_torch_equals_torch_self_attention(embed_dim, num_heads, bias):
    torch.manual_seed(embed_dim + num_heads)
    ref = nn.MultiheadAttention(embed_dim, num_heads, bias=bias, batch_first=True)
    ours = MultiHeadAttention.from_torch(ref)
    x = torch.randn(3, 5, embed_dim, generator=g)
    expected, expected_w = ref(x, x, x, average_attn_weights=False)
    out, weights = ours(x, x, x, return_weights=True)
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(weights, expected_w, atol=1e-5, rtol=1e-5)


def test_cross_attention_with_padding_mask_equals_torch():
    torch.manual_seed(1)
    ref = nn.MultiheadAttention(8, 2, batch_first=True)
    ours = MultiHeadAttention.from_torch(ref)
    q, kv = torch.randn(2, 4, 8, generator=g), torch.randn(2, 6, 8, generator=g)
    # torch: key_padding_mask True = IGNORE this key. attnlib: mask True = MAY attend.
    key_padding_mask = torch.tensor([[False] * 6, [False] * 4 + [True] * 2])
    expected, _ = ref(q, kv, kv, key_padding_mask=key_padding_mask)
    mask = (~key_padding_mask)[:, None, None, :]  # (B, 1, 1, S)
    torch.testing.assert_close(ours(q, kv, kv, mask), expected, atol=1e-5, rtol=1e-5)


def test_causal_mask_equals_torch():
    torch.manual_seed(2)
    ref = nn.MultiheadAttention(8, 4, batch_first=True)
    ours = MultiHeadAttention.from_torch(ref)
    x = torch.randn(2, 5, 8, generator=g)
    # torch: a boolean attn_mask True = NOT allowed; ours: True = allowed.
    blocked = torch.ones(5, 5, dtype=torch.bool).triu(1)
    expected, _ = ref(x, x, x, attn_mask=blocked)
    torch.testing.assert_close(ours(x, x, x, ~blocked), expected, atol=1e-5, rtol=1e-5)


def test_gradients_match_torch():
    torch.manual_seed(3)
    ref = nn.MultiheadAttention(8, 2, batch_first=True)
    ours = MultiHeadAttention.from_torch(ref)
    x = torch.randn(2, 3, 8, generator=g)
    ref(x, x, x)[0].square().sum().backward()
    ours(x, x, x).square().sum().backward()
    w_q = ref.in_proj_weight.grad[:8]
    torch.testing.assert_close(ours.q_proj.weight.grad, w_q, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(
        ours.out_proj.weight.grad, ref.out_proj.weight.grad, atol=1e-5, rtol=1e-4
    )


def test_one_head_is_scaled_dot_product_attention_of_the_projections():
    mha = MultiHeadAttention(4, 1, bias=False)
    x = torch.randn(1, 3, 4, generator=g)
    q, k, v = mha.q_proj(x), mha.k_proj(x), mha.v_proj(x)
    expected = mha.out_proj(torch.softmax(q @ k.transpose(1, 2) / 2.0, -1) @ v)
    torch.testing.assert_close(mha(x, x, x), expected)


BAD = [
    (lambda: MultiHeadAttention(10, 3), ValueError, "num_heads must divide embed_dim=10, got 3"),
    (lambda: MultiHeadAttention("8", 2), TypeError, "embed_dim must be an int, got str"),
    (lambda: MultiHeadAttention(8, 0), ValueError, "num_heads must be >= 1, got 0"),
    (
        lambda: MultiHeadAttention.from_torch(nn.Linear(2, 2)),
        TypeError,
        "module must be a torch.nn.MultiheadAttention, got Linear",
    ),
    (
        lambda: MultiHeadAttention.from_torch(nn.MultiheadAttention(8, 2)),
        ValueError,
        "batch_first=True",
    ),
    (
        lambda: MultiHeadAttention(8, 2)(
            torch.ones(2, 3, 6), torch.ones(2, 3, 8), torch.ones(2, 3, 8)
        ),
        ValueError,
        "query must have last dimension embed_dim=8, got shape (2, 3, 6)",
    ),
    (
        lambda: MultiHeadAttention(8, 2)(torch.ones(3, 8), torch.ones(3, 8), torch.ones(3, 8)),
        ValueError,
        "query must have 3 dimensions",
    ),
    (
        lambda: MultiHeadAttention(8, 2)(
            torch.ones(2, 3, 8), torch.ones(2, 4, 8), torch.ones(2, 5, 8)
        ),
        ValueError,
        "key and value must share batch and length",
    ),
]


@pytest.mark.parametrize("call, error, message", BAD)
def test_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
