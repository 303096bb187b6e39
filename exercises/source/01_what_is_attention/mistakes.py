"""Planted mistakes of exercise set 01_what_is_attention: each `# %% N.k: name` section
replaces the answer to N.k and must lose points on it."""

# ruff: noqa: F811, B905  (sections redefine names; zip as learners write it)
import math

import torch


# %% 1.1: normalised over the queries
def nadaraya_watson(queries, keys, values, h):
    scores = -((queries[:, None] - keys[None, :]) ** 2) / (2 * h**2)
    return torch.softmax(scores, dim=0) @ values


# %% 1.1: kernel not normalised
def nadaraya_watson(queries, keys, values, h):
    kernel = torch.exp(-((queries[:, None] - keys[None, :]) ** 2) / (2 * h**2))
    return kernel @ values


# %% 1.1: h instead of h squared
def nadaraya_watson(queries, keys, values, h):
    scores = -((queries[:, None] - keys[None, :]) ** 2) / (2 * h)
    return torch.softmax(scores, dim=1) @ values


# %% 1.2: forgot the factor 2
alpha_q0_k1 = math.exp(-1) / (1 + math.exp(-1) + math.exp(-4))


# %% 1.2: unnormalised kernel
alpha_q0_k1 = math.exp(-0.5)


# %% 1.3: swapped
bandwidth_limits = {"h_to_0": "a", "h_to_inf": "b"}


# %% 1.3: vanishing weights
bandwidth_limits = {"h_to_0": "c", "h_to_inf": "a"}


# %% 1.4: static weights
def weights_for(query, keys):
    return torch.full((keys.shape[0],), 1.0 / keys.shape[0])


weights_change = "a"
