"""Reference solutions, exercise set 09_attention_analysis: one section per answer cell.

The `# %% setup` section is the notebook's set-up cell; each `# %% N.k` section is the
reference answer to exercise N.k. Golden tests import this file as a module."""

# %% setup
import torch


# %% 9.1
def masked_entropy(weights, mask):
    w = weights.masked_fill(~mask, 0.0)  # masked entries carry no weight
    return -torch.special.xlogy(w, w).sum(dim=-1)  # 0 log 0 = 0, so a masked row gives 0


# %% 9.2
def rollout_two_layers(a1, a2):
    eye = torch.eye(a1.shape[-1])
    t1 = 0.5 * a1 + 0.5 * eye
    t1 = t1 / t1.sum(dim=-1, keepdim=True)
    t2 = 0.5 * a2 + 0.5 * eye
    t2 = t2 / t2.sum(dim=-1, keepdim=True)
    return t2 @ t1  # the later layer on the left


# %% 9.3
def deletion_area(p):
    U = len(p) - 1
    return ((p[:-1] + p[1:]) / 2).sum().item() / U


# %% 9.4
def kendall_tau(a, b):
    n = len(a)
    s = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            s += torch.sign((a[i] - a[j]) * (b[i] - b[j])).item()
    return s / (n * (n - 1) / 2)


# %% 9.5
def integrated_gradients(W, x, baseline, m):
    def f(z):
        return torch.tanh(W @ z).sum()

    total = torch.zeros_like(x)
    for k in range(m):
        point = (baseline + (k + 0.5) / m * (x - baseline)).detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(f(point), point)
        total += grad
    return (x - baseline) * total / m
