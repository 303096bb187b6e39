"""Planted mistakes of exercise set 05_mnist_soft_attention: each `# %% N.k: name` section
replaces the answer to N.k and must lose points on it."""

# ruff: noqa: F811, B905  (sections redefine names; zip as learners write it)
import math

import torch


# %% 5.1: softmax over the channels
def spatial_attention_pool(features, w):
    B, C, H, W = features.shape
    alpha_c = torch.softmax(features * w[None, :, None, None], dim=1)
    alpha = alpha_c.mean(1)
    return (alpha_c * features).sum((2, 3)), alpha


# %% 5.1: rescaled map, averaged
def spatial_attention_pool(features, w):
    B, C, H, W = features.shape
    scores = torch.einsum("c,bchw->bhw", w, features)
    alpha = torch.softmax(scores.flatten(1), dim=-1).view(B, H, W)
    return (features * alpha[:, None]).mean((2, 3)), alpha


# %% 5.1: softmax over the batch
def spatial_attention_pool(features, w):
    B, C, H, W = features.shape
    v = features.flatten(2)
    alpha = torch.softmax(torch.einsum("c,bcn->bn", w, v), dim=0)
    return torch.einsum("bn,bcn->bc", alpha, v), alpha.view(B, H, W)


# %% 5.2: one pool only
positions = {"n": 196, "uniform": 1 / 196}


# %% 5.2: side, not area
positions = {"n": 7, "uniform": 1 / 7}


# %% 5.3: NaN on zeros
def attention_entropy(alpha):
    p = alpha.flatten(1)
    return -(p * torch.log(p)).sum(-1)


# %% 5.3: log base 2
def attention_entropy(alpha):
    p = alpha.flatten(1)
    return -torch.special.xlogy(p, p).sum(-1) / math.log(2)


# %% 5.4: believes the map
def posthoc_map(activations, h, w):
    return torch.softmax(activations, dim=-1).view(-1, h, w)


posthoc = "a"
