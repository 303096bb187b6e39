"""Planted mistakes of exercise set 02_soft_attention: each `# %% N.k: name` section
replaces the answer to N.k and must lose points on it."""

# ruff: noqa: F811, B905  (sections redefine names; zip as learners write it)

import torch


# %% 2.1: no max subtraction
def stable_softmax(x, dim=-1):
    e = torch.exp(x)
    return e / e.sum(dim=dim, keepdim=True)


# %% 2.1: wrong axis (always the last)
def stable_softmax(x, dim=-1):
    z = x - x.amax(dim=-1, keepdim=True)
    e = torch.exp(z)
    return e / e.sum(dim=-1, keepdim=True)


# %% 2.1: normalised over the whole array
def stable_softmax(x, dim=-1):
    e = torch.exp(x - x.max())
    return e / e.sum()


# %% 2.2: multiplies by tau
def softmax_with_temperature(x, tau):
    return torch.softmax(x * tau, dim=-1)


# %% 2.2: ignores tau
def softmax_with_temperature(x, tau):
    return torch.softmax(x, dim=-1)


# %% 2.3: inverted mask
def masked_softmax(scores, mask):
    scores = scores.masked_fill(mask, float("-inf"))
    return torch.nan_to_num(torch.softmax(scores, dim=-1), nan=0.0)


# %% 2.3: masked scores set to 0, not -inf
def masked_softmax(scores, mask):
    return torch.softmax(scores.masked_fill(~mask, 0.0), dim=-1)


# %% 2.3: NaN on a fully masked row
def masked_softmax(scores, mask):
    return torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)


# %% 2.4: element-wise rescaling
def attend(weights, values):
    return weights.unsqueeze(-1) * values  # (L, S, D): keeps every position


# %% 2.4: transposed weights
def attend(weights, values):
    return weights.T @ values


# %% 2.5: diagonal only
def softmax_jacobian_at(x):
    a = torch.softmax(x, dim=-1)
    return torch.diag(a * (1 - a))


# %% 2.5: sign flipped
def softmax_jacobian_at(x):
    a = torch.softmax(x, dim=-1)
    return torch.outer(a, a) - torch.diag(a)


# %% 2.6: float64's threshold
overflow_at = 710


# %% 2.6: rounded down
overflow_at = 88
