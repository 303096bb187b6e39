"""Reference solutions, exercise set 01_what_is_attention: one section per answer cell.

The `# %% setup` section is the notebook's set-up cell; each `# %% N.k` section is the
reference answer to exercise N.k. Golden tests import this file as a module."""

# %% setup
import math

import torch


# %% 1.1
def nadaraya_watson(queries, keys, values, h):
    scores = -((queries[:, None] - keys[None, :]) ** 2) / (2 * h**2)  # (L, S)
    weights = torch.softmax(scores, dim=1)  # normalise over the keys
    return weights @ values  # (L, S) @ (S,) -> (L,)


# %% 1.2
alpha_q0_k1 = math.exp(-0.5) / (1 + math.exp(-0.5) + math.exp(-2))  # 0.3482


def nw_weight(q, keys, h, i):
    scores = [-((q - k) ** 2) / (2 * h**2) for k in keys]
    return math.exp(scores[i]) / sum(math.exp(s) for s in scores)


# %% 1.3
bandwidth_limits = {"h_to_0": "b", "h_to_inf": "a"}


def nw_limits(q, keys, values):
    nearest = min(range(len(keys)), key=lambda i: abs(q - keys[i]))  # the largest score
    return {"h_to_0": values[nearest], "h_to_inf": sum(values) / len(values)}  # one-hot, uniform


# %% 1.4
def weights_for(query, keys):
    return torch.softmax(keys @ query, dim=0)  # (S, D) @ (D,) -> (S,)


weights_change = "b"
