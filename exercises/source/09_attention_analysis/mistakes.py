"""Planted mistakes, exercise set 09_attention_analysis: each `# %% N.k: name` section replaces the
answer to N.k and must lose points on it. Sections redefine the same names, hence F811."""

# ruff: noqa: F811
import math

import torch


# %% 9.1: masked leftovers counted
def masked_entropy(weights, mask):
    return -torch.special.xlogy(weights, weights).sum(dim=-1)


# %% 9.1: bits instead of nats
def masked_entropy(weights, mask):
    w = weights.masked_fill(~mask, 0.0)
    return -(torch.special.xlogy(w, w) / math.log(2)).sum(dim=-1)


# %% 9.1: 0 log 0 gives NaN
def masked_entropy(weights, mask):
    w = weights.masked_fill(~mask, 0.0)
    return -(w * torch.log(w)).sum(dim=-1)


# %% 9.2: layers multiplied in the wrong order
def rollout_two_layers(a1, a2):
    eye = torch.eye(a1.shape[-1])
    return (0.5 * a1 + 0.5 * eye) @ (0.5 * a2 + 0.5 * eye)


# %% 9.2: no residual path
def rollout_two_layers(a1, a2):
    return a2 @ a1


# %% 9.2: identity added but rows not re-normalised
def rollout_two_layers(a1, a2):
    eye = torch.eye(a1.shape[-1])
    return (a2 + eye) @ (a1 + eye)


# %% 9.3: the mean of the probabilities
def deletion_area(p):
    return p.mean().item()


# %% 9.3: left Riemann sum
def deletion_area(p):
    U = len(p) - 1
    return p[:-1].sum().item() / U


# %% 9.3: fractions in percent
def deletion_area(p):
    U = len(p) - 1
    return ((p[:-1] + p[1:]) / 2).sum().item() * 100 / U


# %% 9.4: only concordant pairs counted
def kendall_tau(a, b):
    n = len(a)
    c = sum(1 for i in range(n) for j in range(i + 1, n) if (a[i] - a[j]) * (b[i] - b[j]) > 0)
    return c / (n * (n - 1) / 2)


# %% 9.4: every ordered pair, divided by n squared
def kendall_tau(a, b):
    n = len(a)
    s = sum(torch.sign((a[i] - a[j]) * (b[i] - b[j])).item() for i in range(n) for j in range(n))
    return s / n**2


# %% 9.5: the gradient at the input only (input x gradient)
def integrated_gradients(W, x, baseline, m):
    def f(z):
        return torch.tanh(W @ z).sum()

    point = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(point), point)
    return (x - baseline) * grad


# %% 9.5: forgot the factor (x - baseline)
def integrated_gradients(W, x, baseline, m):
    def f(z):
        return torch.tanh(W @ z).sum()

    total = torch.zeros_like(x)
    for k in range(m):
        point = (baseline + (k + 0.5) / m * (x - baseline)).detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(f(point), point)
        total += grad
    return total / m
