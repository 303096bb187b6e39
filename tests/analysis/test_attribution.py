"""Specification of gradient attributions (attnlib.analysis.attribution, chapter 9)."""

import pytest
import torch
from torch import nn

from attnlib.analysis.attribution import (
    completeness_gap,
    gradient_saliency,
    input_x_gradient,
    integrated_gradients,
    pool_patches,
)


def small_net(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 3))


def autograd_grad(model, x, target):
    x = x.clone().requires_grad_(True)
    model(x)[torch.arange(len(x)), target].sum().backward()
    return x.grad


def test_saliency_and_input_x_gradient_equal_autograd():
    model, x = small_net(), torch.randn(4, 1, 4, 4, generator=torch.Generator().manual_seed(1))
    t = torch.tensor([0, 1, 2, 0])
    grad = autograd_grad(model, x, t)
    torch.testing.assert_close(gradient_saliency(model, x, t), grad.abs())
    torch.testing.assert_close(input_x_gradient(model, x, t), x * grad)


def test_integrated_gradients_is_complete_and_exact_for_a_linear_model():
    model, x = small_net(), torch.randn(4, 1, 4, 4, generator=torch.Generator().manual_seed(1))
    t = torch.tensor([0, 1, 2, 0])
    ig, gap = integrated_gradients(model, x, t, baseline=-0.5, steps=64)
    own_gap = completeness_gap(model, x, t, ig, baseline=-0.5)
    torch.testing.assert_close(own_gap, gap, atol=1e-5, rtol=0)
    assert own_gap.abs().max() < 1e-3
    linear = nn.Sequential(nn.Flatten(), nn.Linear(16, 3))
    ig, _ = integrated_gradients(linear, x, t, baseline=0.0, steps=4)
    w = linear[1].weight[t].view(4, 1, 4, 4)
    torch.testing.assert_close(ig, x * w)  # IG of a linear model is (x - x') * w


def test_a_wrong_attribution_fails_the_completeness_check():
    model, x = small_net(), torch.randn(2, 1, 4, 4, generator=torch.Generator().manual_seed(1))
    t = torch.tensor([0, 1])
    ig, _ = integrated_gradients(model, x, t)
    assert completeness_gap(model, x, t, 2 * ig).abs().max() > 1e-3


def test_pool_patches():
    maps = torch.arange(16.0).view(1, 4, 4) - 8
    torch.testing.assert_close(pool_patches(maps, 2), torch.tensor([[[22.0, 14.0], [10.0, 18.0]]]))
    torch.testing.assert_close(
        pool_patches(maps[:, None], 2, absolute=False),
        torch.tensor([[[-22.0, -14.0], [10.0, 18.0]]]),
    )


@pytest.mark.parametrize(
    "args, error, message",
    [
        (
            ("net", torch.zeros(1, 16), torch.tensor([0])),
            TypeError,
            "model must be a torch.nn.Module, got str",
        ),
        (
            (None, torch.zeros(2, 16), torch.tensor([0])),
            ValueError,
            r"target must be int64 class indices, one per input \(2\)",
        ),
        (
            (None, torch.zeros(16), torch.tensor([0])),
            ValueError,
            "x must have at least 2 dimensions",
        ),
    ],
)
def test_bad_input(args, error, message):
    model = small_net()
    args = tuple(model if a is None else a for a in args)
    with pytest.raises(error, match=message):
        gradient_saliency(*args)
