import math

import torch

import attnlib
from attnlib.grading.content import solution_module

sol = solution_module("03_hard_attention")


def test_gate_gradient_is_zero_for_autograd():
    x = torch.tensor([0.2, 1.5, -0.3, 0.9])
    theta = torch.tensor(0.5, requires_grad=True)
    y = (attnlib.threshold_gate(x, theta) * x).sum()
    (grad,) = torch.autograd.grad(y, theta, allow_unused=True)
    assert (0.0 if grad is None else grad.item()) == sol.gate["dy_dtheta"]
    assert sol.gate["what"] == "b"


def test_gate_grads_are_autograd_through_attnlib_threshold_gate():
    for x, theta in [([0.2, 1.5, -0.3, 0.9], 0.5), ([-1.0, 2.5, 0.25, -4.0, 3.0], -2.0)]:
        xs = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        th = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
        y = (attnlib.threshold_gate(xs, th) * xs).sum()
        dy_dx, dy_dtheta = torch.autograd.grad(y, (xs, th), allow_unused=True)
        got = sol.gate_grads(x, theta)
        assert math.isclose(got["y"], y.item())
        assert got["dy_dx"] == dy_dx.tolist()
        assert got["dy_dtheta"] == (0.0 if dy_dtheta is None else dy_dtheta.item())


def test_reinforce_grad_is_autograd_of_the_log_probability():
    logits = torch.randn(5, 4)
    actions, rewards = torch.randint(0, 4, (5,)), torch.randn(5)
    z = logits.clone().requires_grad_(True)
    log_p = attnlib.categorical_log_prob(z, actions)  # (N,)
    want = (
        torch.stack([torch.autograd.grad(log_p[n], z, retain_graph=True)[0][n] for n in range(5)])
        * (rewards - 0.3)[:, None]
    )
    torch.testing.assert_close(sol.reinforce_grad(logits, actions, rewards, 0.3), want)


def test_gumbel_max_sample_is_the_argmax_of_attnlib_gumbel_softmax_hard():
    logits, u = torch.randn(6, 5), torch.rand(6, 5).clamp(1e-6, 1 - 1e-6)
    g = -torch.log(-torch.log(u))
    hard = attnlib.argmax_one_hot(logits + g)
    assert torch.equal(sol.gumbel_max_sample(logits, u), hard.argmax(-1))


def test_gumbel_softmax_sample_is_torch_softmax_of_perturbed_logits():
    logits, u = torch.randn(3, 4), torch.rand(3, 4).clamp(1e-6, 1 - 1e-6)
    g = -torch.log(-torch.log(u))
    torch.testing.assert_close(
        sol.gumbel_softmax_sample(logits, u, 0.5), torch.softmax((logits + g) / 0.5, -1)
    )


def test_exact_grad_is_autograd_of_the_expected_reward():
    z = torch.zeros(2, requires_grad=True)
    expected = (torch.softmax(z, -1) * torch.tensor([1.0, 0.0])).sum()
    (grad,) = torch.autograd.grad(expected, z)
    torch.testing.assert_close(torch.tensor(sol.exact_grad), grad)


def test_exact_grad_for_is_autograd_of_the_expected_reward():
    for logits, rewards in [([0.0, 0.0], [1.0, 0.0]), ([0.0, 1.0, -1.0], [1.0, 0.0, 2.0])]:
        z = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
        expected = (torch.softmax(z, -1) * torch.tensor(rewards, dtype=torch.float64)).sum()
        (grad,) = torch.autograd.grad(expected, z)
        got = torch.tensor(sol.exact_grad_for(logits, rewards), dtype=torch.float64)
        torch.testing.assert_close(got, grad)
