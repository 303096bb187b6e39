"""Reference solutions, exercise set 02_soft_attention: one section per answer cell.

The `# %% setup` section is the notebook's set-up cell; each `# %% N.k` section is the
reference answer to exercise N.k. Golden tests import this file as a module."""

# %% setup
import math

import torch


# %% 2.1
def stable_softmax(x, dim=-1):
    """Softmax of x along dim, safe for large scores."""
    z = x - x.amax(dim=dim, keepdim=True)  # every exponent <= 0
    e = torch.exp(z)
    return e / e.sum(dim=dim, keepdim=True)


# %% 2.2
def softmax_with_temperature(x, tau):
    return torch.softmax(x / tau, dim=-1)


# %% 2.3
def masked_softmax(scores, mask):
    scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)  # a fully masked row is NaN here
    return torch.nan_to_num(weights, nan=0.0)


# %% 2.4
def attend(weights, values):
    return weights @ values  # (L, S) @ (S, D) -> (L, D)


# %% 2.5
def softmax_jacobian_at(x):
    a = torch.softmax(x, dim=-1)
    return torch.diag(a) - torch.outer(a, a)  # alpha_i (delta_ij - alpha_j)


# %% 2.6
overflow_at = 89  # ln(3.4e38) = 88.72...


def overflow_threshold(max_value):
    return math.floor(math.log(max_value)) + 1  # e^x > max exactly when x > ln(max)
