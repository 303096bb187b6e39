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


def nw_limits(q, keys, values):
    nearest = min(range(len(keys)), key=lambda i: abs(q - keys[i]))
    return {"h_to_0": sum(values) / len(values), "h_to_inf": values[nearest]}


# %% 1.3: vanishing weights
bandwidth_limits = {"h_to_0": "c", "h_to_inf": "a"}


def nw_limits(q, keys, values):
    return {"h_to_0": 0.0, "h_to_inf": sum(values) / len(values)}


# %% 1.3: sign of the score dropped (farthest key)
bandwidth_limits = {"h_to_0": "d", "h_to_inf": "a"}


def nw_limits(q, keys, values):
    farthest = max(range(len(keys)), key=lambda i: abs(q - keys[i]))
    return {"h_to_0": values[farthest], "h_to_inf": sum(values) / len(values)}


# %% 1.3: right letters, keys taken as sorted
bandwidth_limits = {"h_to_0": "b", "h_to_inf": "a"}


def nw_limits(q, keys, values):
    i = sum(k < q for k in keys)  # where q would be inserted in a sorted list
    if i == len(keys) or (i > 0 and q - keys[i - 1] < keys[i] - q):
        i -= 1
    return {"h_to_0": values[i], "h_to_inf": sum(values) / len(values)}


# %% 1.4: static weights
def weights_for(query, keys):
    return torch.full((keys.shape[0],), 1.0 / keys.shape[0])


weights_change = "a"
