"""Specification of attention pooling and scaled dot-product attention (golden: torch)."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlib import attention_pooling, gaussian_kernel_scores, scaled_dot_product_attention

g = torch.Generator().manual_seed(0)


@given(
    batch=st.lists(st.integers(1, 3), min_size=0, max_size=2),
    L=st.integers(1, 6),
    S=st.integers(1, 6),
    E=st.integers(1, 8),
    Ev=st.integers(1, 5),
    seed=st.integers(0, 2**16),
)
@settings(max_examples=60, deadline=None)
def test_equals_torch_sdpa_with_boolean_mask(batch, L, S, E, Ev, seed):
    gen = torch.Generator().manual_seed(seed)
    q = torch.randn(*batch, L, E, generator=gen)
    k = torch.randn(*batch, S, E, generator=gen)
    v = torch.randn(*batch, S, Ev, generator=gen)
    mask = torch.rand(*batch, L, S, generator=gen) > 0.4
    mask[..., 0] = True  # fully masked rows are specified separately below
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(
        scaled_dot_product_attention(q, k, v, mask), expected, atol=1e-5, rtol=1e-4
    )


def test_no_mask_equals_torch_and_weights_sum_to_one():
    q, k, v = (
        torch.randn(2, 3, 5, 4, generator=g),
        torch.randn(2, 3, 7, 4, generator=g),
        torch.randn(2, 3, 7, 6, generator=g),
    )
    out, weights = scaled_dot_product_attention(q, k, v, return_weights=True)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v), atol=1e-5, rtol=1e-4)
    assert weights.shape == (2, 3, 5, 7)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 3, 5))


def test_causal_mask_equals_torch_is_causal():
    q, k, v = (torch.randn(2, 6, 8, generator=g) for _ in range(3))
    causal = torch.ones(6, 6, dtype=torch.bool).tril()
    expected = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    torch.testing.assert_close(
        scaled_dot_product_attention(q, k, v, causal), expected, atol=1e-5, rtol=1e-4
    )


def test_fully_masked_query_gives_zero_output_not_nan():
    # Specified independently of torch, whose behaviour for such rows has varied by release.
    q, k, v = torch.randn(1, 2, 4), torch.randn(1, 3, 4), torch.randn(1, 3, 5)
    mask = torch.tensor([[True, False, True], [False, False, False]])
    out, weights = scaled_dot_product_attention(q, k, v, mask, return_weights=True)
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out[0, 1], torch.zeros(5))
    torch.testing.assert_close(weights[0, 1], torch.zeros(3))


def test_output_is_a_weighted_sum_of_values():
    q, k, v = torch.randn(4, 3), torch.randn(5, 3), torch.randn(5, 2)
    out, weights = scaled_dot_product_attention(q, k, v, return_weights=True)
    by_hand = torch.stack([sum(weights[i, j] * v[j] for j in range(5)) for i in range(4)])
    torch.testing.assert_close(out, by_hand)


def test_gradients_match_torch():
    q, k, v = (torch.randn(2, 4, 3, generator=g, requires_grad=True) for _ in range(3))
    ours = torch.autograd.grad(scaled_dot_product_attention(q, k, v).square().sum(), (q, k, v))
    theirs = torch.autograd.grad(F.scaled_dot_product_attention(q, k, v).square().sum(), (q, k, v))
    for a, b in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)


def test_attention_pooling_is_nadaraya_watson():
    x = torch.tensor([0.0, 1.0, 2.0, 3.0])
    y = torch.tensor([1.0, 3.0, 2.0, 5.0])
    q = torch.tensor([0.5, 2.5])
    h = 0.7
    kernel = torch.exp(-((q[:, None] - x[None, :]) ** 2) / (2 * h**2))
    expected = (kernel * y).sum(1) / kernel.sum(1)
    out, weights = attention_pooling(q, x, y, bandwidth=h, return_weights=True)
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(weights.sum(1), torch.ones(2))


def test_attention_pooling_limits_of_the_bandwidth():
    x = torch.linspace(0, 1, 6)
    y = torch.randn(6, generator=g)
    # Tiny bandwidth: each training point predicts its own target (nearest neighbour).
    torch.testing.assert_close(attention_pooling(x, x, y, bandwidth=1e-3), y)
    # Huge bandwidth: every prediction is the mean of the targets.
    torch.testing.assert_close(attention_pooling(x, x, y, bandwidth=1e4), y.mean().expand(6))


def test_attention_pooling_vector_inputs_and_values():
    x = torch.randn(7, 2, generator=g)
    y = torch.randn(7, 3, generator=g)
    out = attention_pooling(x[:3], x, y, bandwidth=0.5)
    assert out.shape == (3, 3)


def test_gaussian_scores_are_minus_half_squared_distance():
    q, k = torch.tensor([[0.0, 0.0]]), torch.tensor([[3.0, 4.0]])
    torch.testing.assert_close(gaussian_kernel_scores(q, k, bandwidth=1.0), torch.tensor([[-12.5]]))


q3, k3, v3 = torch.ones(2, 3, 4), torch.ones(2, 5, 4), torch.ones(2, 5, 6)
BAD_SDPA = [
    (("abc", k3, v3), {}, TypeError, "query must be a torch.Tensor, got str"),
    ((q3, k3.int(), v3), {}, TypeError, "key must have a floating-point dtype"),
    (
        (torch.ones(4), k3, v3),
        {},
        ValueError,
        "query must have at least 2 dimensions, got shape (4,)",
    ),
    (
        (q3, torch.ones(2, 5, 7), v3),
        {},
        ValueError,
        "key must have last dimension 4 to match query, got shape (2, 5, 7)",
    ),
    ((q3, k3, torch.ones(2, 4, 6)), {}, ValueError, "value must have 5 rows"),
    (
        (q3, torch.ones(3, 5, 4), torch.ones(3, 5, 6)),
        {},
        ValueError,
        "batch dimensions must broadcast",
    ),
    ((q3, k3, v3, torch.ones(3, 5)), {}, TypeError, "mask must have dtype torch.bool"),
    (
        (q3, k3, v3, torch.ones(3, 4, dtype=torch.bool)),
        {},
        ValueError,
        "mask of shape (3, 4) does not broadcast",
    ),
    ((q3, k3, v3), {"return_weights": "yes"}, TypeError, "return_weights must be a bool, got str"),
]


@pytest.mark.parametrize("args, kwargs, error, message", BAD_SDPA)
def test_sdpa_bad_input_names_the_argument(args, kwargs, error, message):
    with pytest.raises(error) as info:
        scaled_dot_product_attention(*args, **kwargs)
    assert message in str(info.value)


BAD_POOLING = [
    (
        (torch.ones(3), torch.ones(4), torch.ones(4)),
        {"bandwidth": 0},
        ValueError,
        "bandwidth must be > 0, got 0.0",
    ),
    (
        (torch.ones(3), torch.ones(4), torch.ones(5)),
        {},
        ValueError,
        "value must have shape (4,) or (4, Ev)",
    ),
    (
        (torch.ones(3), torch.ones(4, 2), torch.ones(4)),
        {},
        ValueError,
        "query and key must both have shape",
    ),
    (
        (torch.ones(3, 2), torch.ones(4, 3), torch.ones(4)),
        {},
        ValueError,
        "key must have last dimension 2",
    ),
    ((torch.ones(3), "key", torch.ones(4)), {}, TypeError, "key must be a torch.Tensor, got str"),
]


@pytest.mark.parametrize("args, kwargs, error, message", BAD_POOLING)
def test_pooling_bad_input_names_the_argument(args, kwargs, error, message):
    with pytest.raises(error) as info:
        attention_pooling(*args, **kwargs)
    assert message in str(info.value)
