"""Reference solutions, exercise set 03_hard_attention: one section per answer cell.

The `# %% setup` section is the notebook's set-up cell; each `# %% N.k` section is the
reference answer to exercise N.k. Golden tests import this file as a module."""

# %% setup
import math  # noqa: F401  (the set-up cell imports it for the answers)

import torch

# %% 3.1
gate = {"dy_dtheta": 0.0, "what": "b"}


def gate_grads(x, theta):
    a = [1.0 if xi >= theta else 0.0 for xi in x]  # the gate: piecewise constant in x and theta
    y = sum(ai * xi for ai, xi in zip(a, x, strict=True))
    return {"y": y, "dy_dx": a, "dy_dtheta": 0.0}  # d(a_i x_i)/dx_i = a_i; da_i/dtheta = 0


# %% 3.2
def reinforce_grad(logits, actions, rewards, baseline):
    probs = torch.softmax(logits, dim=-1)  # (N, K)
    onehot = torch.nn.functional.one_hot(actions, logits.shape[-1]).to(logits.dtype)
    grad_log_p = onehot - probs  # d log p(a) / d z
    return (rewards - baseline)[:, None] * grad_log_p  # (N, K)


# %% 3.3
def gumbel_max_sample(logits, u):
    g = -torch.log(-torch.log(u))  # Gumbel(0, 1) noise
    return torch.argmax(logits + g, dim=-1)


# %% 3.4
def gumbel_softmax_sample(logits, u, tau):
    g = -torch.log(-torch.log(u))
    return torch.softmax((logits + g) / tau, dim=-1)


# %% 3.5
exact_grad = [0.25, -0.25]  # p0 (r0 - E r) = 0.5 * 0.5, and the opposite


def exact_grad_for(logits, rewards):
    p = torch.softmax(torch.tensor(logits, dtype=torch.float64), dim=0)
    r = torch.tensor(rewards, dtype=torch.float64)
    return (p * (r - (p * r).sum())).tolist()  # d E[r] / d z_k = p_k (r_k - E r)
