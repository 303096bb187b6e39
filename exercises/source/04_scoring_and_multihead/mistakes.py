"""Planted mistakes of exercise set 04_scoring_and_multihead: each `# %% N.k: name` section
replaces the answer to N.k and must lose points on it."""

# ruff: noqa: F811, B905  (sections redefine names; zip as learners write it)
import math

import torch


# %% 4.1: missing sqrt(d_k)
def sdpa(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


# %% 4.1: inverted mask
def sdpa(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    return torch.nan_to_num(torch.softmax(scores, dim=-1)) @ v


# %% 4.1: softmax over the queries
def sdpa(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.nan_to_num(torch.softmax(scores, dim=-2)) @ v


# %% 4.1: divided by d_k
def sdpa(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / q.shape[-1]
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


# %% 4.2: standard deviation instead
variances = {"unscaled": 8.0, "scaled": 1.0}


# %% 4.2: scaled by d_k
variances = {"unscaled": 64.0, "scaled": 0.015625}


# %% 4.3: inverted (True = masked)
def causal_mask(n):
    return torch.ones(n, n, dtype=torch.bool).triu(1)


# %% 4.3: diagonal excluded
def causal_mask(n):
    return torch.ones(n, n, dtype=torch.bool).tril(-1)


# %% 4.3: upper triangle
def causal_mask(n):
    return torch.ones(n, n, dtype=torch.bool).triu()


# %% 4.4: view straight to (B, H, L, D)
def split_heads(x, num_heads):
    B, L, E = x.shape
    return x.view(B, num_heads, L, E // num_heads)


# %% 4.4: heads interleaved
def split_heads(x, num_heads):
    B, L, E = x.shape
    return x.view(B, L, E // num_heads, num_heads).permute(0, 3, 1, 2)


# %% 4.5: linear in n
cost = {"mib": 512.0, "factor": 2}


# %% 4.5: forgot the heads
cost = {"mib": 64.0, "factor": 4}
