"""Reference solutions, exercise set 04_scoring_and_multihead: one section per answer cell.

The `# %% setup` section is the notebook's set-up cell; each `# %% N.k` section is the
reference answer to exercise N.k. Golden tests import this file as a module."""

# %% setup
import math

import torch

import attnlib  # noqa: F401  (the set-up cell imports it for the answers)


# %% 4.1
def sdpa(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., L, S)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v  # (..., L, d_v)


# %% 4.2
variances = {"unscaled": 64.0, "scaled": 1.0}  # d_k terms of variance 1 each


def dot_variance(d_k, scaled):
    return 1.0 if scaled else float(d_k)  # d_k terms of variance 1; Var(X / c) = Var(X) / c^2


# %% 4.3
def causal_mask(n):
    return torch.ones(n, n, dtype=torch.bool).tril()


# %% 4.4
def split_heads(x, num_heads):
    B, L, E = x.shape
    return x.view(B, L, num_heads, E // num_heads).transpose(1, 2)  # (B, H, L, D)


# %% 4.5
cost = {"mib": 8 * 4096**2 * 4 / 2**20, "factor": 4}  # 512 MiB; n^2


def weights_mib(n, heads):
    return heads * n * n * 4 / 2**20  # 4 bytes per float32 weight
