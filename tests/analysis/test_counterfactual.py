"""Specification of counterfactual attention (attnlib.analysis.counterfactual, chapter 9)."""

import math

import pytest
import torch

from attnlib.analysis.counterfactual import (
    adversarial_weights,
    js_divergence,
    permute_weights,
    total_variation,
    uniform_weights,
)


def test_jsd_and_tvd_bounds_and_symmetry():
    p = torch.softmax(torch.randn(6, 5, generator=torch.Generator().manual_seed(0)), -1)
    q = torch.softmax(torch.randn(6, 5, generator=torch.Generator().manual_seed(1)), -1)
    torch.testing.assert_close(js_divergence(p, q), js_divergence(q, p))
    assert (js_divergence(p, q) <= math.log(2)).all() and (js_divergence(p, p).abs() < 1e-6).all()
    one_hot = torch.eye(2)
    torch.testing.assert_close(js_divergence(one_hot[0], one_hot[1]), torch.tensor(math.log(2)))
    torch.testing.assert_close(total_variation(one_hot[0], one_hot[1]), torch.tensor(1.0))
    m = 0.5 * (p + q)
    kl = lambda x, y: (x * (x / y).log()).sum(-1)  # noqa: E731
    torch.testing.assert_close(js_divergence(p, q), 0.5 * kl(p, m) + 0.5 * kl(q, m))


def test_permutation_keeps_the_weights_and_the_mask():
    w = torch.tensor([[0.6, 0.3, 0.1, 0.0], [0.25, 0.25, 0.25, 0.25]])
    mask = torch.tensor([[True, True, True, False], [True, True, True, True]])
    out = permute_weights(w, mask=mask, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(out.sort(-1).values, w.sort(-1).values)
    assert out[0, 3] == 0


def test_uniform_weights():
    w = torch.tensor([[0.6, 0.3, 0.1]])
    torch.testing.assert_close(uniform_weights(w), torch.full((1, 3), 1 / 3))


def test_adversarial_weights_move_far_when_the_output_allows_it_and_not_otherwise():
    w = torch.full((1, 4), 0.25)
    v = torch.tensor([1.0, 1.0, 2.0, 2.0])
    out = lambda a: torch.stack([a @ v / 2, 1 - a @ v / 2], dim=-1)  # noqa: E731
    adv = adversarial_weights(w, out, generator=torch.Generator().manual_seed(0))
    assert js_divergence(adv, w).item() > 0.1
    assert total_variation(out(adv), out(w)).item() <= 0.01
    # An output that reads every weight on its own: any move changes it, so JSD stays small.
    strict = lambda a: torch.softmax(50 * a, -1)  # noqa: E731
    adv = adversarial_weights(w, strict, epsilon=0.01, generator=torch.Generator().manual_seed(0))
    assert js_divergence(adv, w).item() < 0.01


@pytest.mark.parametrize(
    "p, q, message",
    [
        (
            torch.tensor([0.5, 0.5]),
            torch.tensor([0.2, 0.2]),
            "q must hold probability distributions",
        ),
        (
            torch.tensor([0.5, 0.5]),
            torch.tensor([1.0, 0.0, 0.0]),
            r"q must have the shape of p \(2,\)",
        ),
        (torch.tensor([]), torch.tensor([]), "p must not be empty"),
    ],
)
def test_bad_input(p, q, message):
    with pytest.raises(ValueError, match=message):
        js_divergence(p, q)
