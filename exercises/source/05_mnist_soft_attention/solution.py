"""Reference solutions, exercise set 05_mnist_soft_attention: one section per answer cell.

The `# %% setup` section is the notebook's set-up cell; each `# %% N.k` section is the
reference answer to exercise N.k. Golden tests import this file as a module."""

# %% setup
import math  # noqa: F401  (the set-up cell imports it for the answers)

import torch


# %% 5.1
def spatial_attention_pool(features, w):
    B, C, H, W = features.shape
    v = features.flatten(2)  # (B, C, H*W)
    scores = torch.einsum("c,bcn->bn", w, v)  # (B, H*W)
    alpha = torch.softmax(scores, dim=-1)  # over the positions
    pooled = torch.einsum("bn,bcn->bc", alpha, v)  # sum_i alpha_i v_i
    return pooled, alpha.view(B, H, W)


# %% 5.2
positions = {"n": 49, "uniform": 1 / 49}  # 28 -> 14 -> 7


def attention_positions(size, blocks):
    for _ in range(blocks):
        size //= 2  # the padded 3x3 convolution keeps the size; the 2x2 pool halves it
    return size * size


# %% 5.3
def attention_entropy(alpha):
    p = alpha.flatten(1)  # (B, H*W)
    terms = torch.where(p > 0, -p * torch.log(p), torch.zeros_like(p))  # 0 log 0 = 0
    return terms.sum(-1)


# %% 5.4
def posthoc_map(activations, h, w):
    return torch.softmax(activations, dim=-1).view(-1, h, w)


posthoc = "b"
