"""Specification of the four scoring functions."""

import math

import pytest
import torch

from attnlib import AdditiveScore, BilinearScore, dot_score, scaled_dot_score

g = torch.Generator().manual_seed(0)


def test_dot_score_is_every_pairwise_inner_product():
    q, k = torch.randn(2, 3, 4, generator=g), torch.randn(2, 5, 4, generator=g)
    expected = torch.einsum("ble,bse->bls", q, k)
    torch.testing.assert_close(dot_score(q, k), expected)


def test_scaled_dot_divides_by_sqrt_dk():
    q, k = torch.randn(3, 16, generator=g), torch.randn(4, 16, generator=g)
    torch.testing.assert_close(scaled_dot_score(q, k), dot_score(q, k) / 4.0)


def test_scaled_dot_has_unit_variance_for_unit_variance_inputs():
    # q.k = sum of d_k products of independent unit-variance terms: variance d_k (chapter 4).
    d = 256
    q, k = torch.randn(4000, d, generator=g), torch.randn(4000, d, generator=g)
    raw = (q * k).sum(-1)
    assert abs(raw.var().item() / d - 1) < 0.1
    assert abs((raw / math.sqrt(d)).var().item() - 1) < 0.1


def test_bilinear_with_identity_is_dot():
    score = BilinearScore(4, 4)
    with torch.no_grad():
        score.weight.copy_(torch.eye(4))
    q, k = torch.randn(3, 4, generator=g), torch.randn(5, 4, generator=g)
    torch.testing.assert_close(score(q, k), dot_score(q, k))


def test_bilinear_matches_the_formula_with_different_sizes():
    score = BilinearScore(3, 5)
    q, k = torch.randn(2, 4, 3, generator=g), torch.randn(2, 6, 5, generator=g)
    expected = torch.einsum("bld,de,bse->bls", q, score.weight, k)
    torch.testing.assert_close(score(q, k), expected)


def test_additive_matches_the_formula():
    score = AdditiveScore(3, 5, hidden_dim=7)
    q, k = torch.randn(2, 4, 3, generator=g), torch.randn(2, 6, 5, generator=g)
    W_q, W_k, b, v = (
        score.query_proj.weight,
        score.key_proj.weight,
        score.key_proj.bias,
        score.v.weight[0],
    )
    expected = torch.empty(2, 4, 6)
    for bi in range(2):
        for i in range(4):
            for j in range(6):
                expected[bi, i, j] = v @ torch.tanh(W_q @ q[bi, i] + W_k @ k[bi, j] + b)
    torch.testing.assert_close(score(q, k), expected)


def test_scores_broadcast_over_batch_dimensions():
    q, k = torch.randn(2, 1, 3, 4, generator=g), torch.randn(1, 5, 6, 4, generator=g)
    assert dot_score(q, k).shape == (2, 5, 3, 6)


BAD = [
    (lambda: dot_score("q", torch.ones(2, 3)), TypeError, "query must be a torch.Tensor, got str"),
    (
        lambda: dot_score(torch.ones(2, 3), torch.ones(2, 4)),
        ValueError,
        "key must have last dimension 3 to match query, got shape (2, 4)",
    ),
    (
        lambda: scaled_dot_score(torch.ones(3), torch.ones(2, 3)),
        ValueError,
        "query must have at least 2 dimensions",
    ),
    (lambda: BilinearScore(0, 3), ValueError, "query_dim must be >= 1, got 0"),
    (
        lambda: BilinearScore(3, 4)(torch.ones(2, 4), torch.ones(2, 4)),
        ValueError,
        "query must have last dimension 3",
    ),
    (lambda: AdditiveScore(3, 4, 2.5), TypeError, "hidden_dim must be an int, got float"),
    (
        lambda: AdditiveScore(3, 4, 5)(torch.ones(2, 3), torch.ones(2, 3)),
        ValueError,
        "key must have last dimension 4",
    ),
]


@pytest.mark.parametrize("call, error, message", BAD)
def test_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_additive_score_from_projected_keys_equals_the_full_score():
    score = AdditiveScore(query_dim=4, key_dim=6, hidden_dim=8)
    generator = torch.Generator().manual_seed(3)
    query, key = (
        torch.randn(2, 3, 4, generator=generator),
        torch.randn(2, 5, 6, generator=generator),
    )
    projected = score.project_key(key)
    assert projected.shape == (2, 5, 8)
    torch.testing.assert_close(score.score_projected(query, projected), score(query, key))


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda s: s.project_key(torch.ones(5, 7)), ValueError, "key must have last dimension 6"),
        (lambda s: s.project_key("k"), TypeError, "key must be a torch.Tensor, got str"),
        (
            lambda s: s.score_projected(torch.ones(3, 4), torch.ones(5, 6)),
            ValueError,
            "projected_key must have last dimension 8",
        ),
        (
            lambda s: s.score_projected(torch.ones(3, 5), torch.ones(5, 8)),
            ValueError,
            "query must have last dimension 4",
        ),
    ],
)
def test_additive_score_projected_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call(AdditiveScore(query_dim=4, key_dim=6, hidden_dim=8))
