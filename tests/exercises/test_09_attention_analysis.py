"""Golden tests: the reference solutions of exercise set 09 agree with attnlib, scipy and Captum."""

import torch
from scipy.stats import kendalltau

from attnlib.analysis import area_under_curve, attention_entropy, attention_rollout
from attnlib.analysis.attribution import integrated_gradients
from attnlib.grading.content import solution_module

sol = solution_module("09_attention_analysis")
g = torch.Generator().manual_seed(9)


def test_masked_entropy_is_attnlib_attention_entropy():
    w = torch.softmax(torch.randn(5, 7, generator=g), -1)
    mask = torch.rand(5, 7, generator=g) > 0.4
    mask[-1] = False
    w = torch.where(mask, w, torch.zeros_like(w))
    w = w / w.sum(-1, keepdim=True).clamp_min(1e-12)
    torch.testing.assert_close(sol.masked_entropy(w, mask), attention_entropy(w, mask=mask))


def test_rollout_two_layers_is_attnlib_attention_rollout():
    a = torch.softmax(torch.randn(2, 4, 4, generator=g), -1)
    want = attention_rollout([a[0][None], a[1][None]])[0]
    torch.testing.assert_close(sol.rollout_two_layers(a[0], a[1]), want)


def test_deletion_area_is_the_trapezoid_rule():
    p = torch.rand(17, generator=g)
    want = area_under_curve(torch.linspace(0, 1, 17), p).item()
    assert abs(sol.deletion_area(p) - want) < 1e-6


def test_kendall_tau_is_scipys():
    a, b = torch.randperm(10, generator=g).float(), torch.randperm(10, generator=g).float()
    assert abs(sol.kendall_tau(a, b) - kendalltau(a.numpy(), b.numpy()).statistic) < 1e-9


def test_integrated_gradients_agrees_with_captum_and_is_complete():
    W = torch.randn(3, 4, generator=g)
    x, baseline = torch.randn(4, generator=g), torch.zeros(4)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3, bias=False), torch.nn.Tanh())
    with torch.no_grad():
        model[0].weight.copy_(W)
    summed = torch.nn.Sequential(model, torch.nn.Linear(3, 1, bias=False))
    with torch.no_grad():
        summed[1].weight.fill_(1.0)
    want, _ = integrated_gradients(summed, x[None], torch.tensor([0]), baseline=0.0, steps=200)
    got = sol.integrated_gradients(W, x, baseline, 200)
    torch.testing.assert_close(got, want[0], atol=1e-4, rtol=1e-3)
    gap = got.sum() - (torch.tanh(W @ x).sum() - torch.tanh(W @ baseline).sum())
    assert abs(gap.item()) < 1e-3
