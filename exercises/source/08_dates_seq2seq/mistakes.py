"""Planted mistakes of exercise set 08_dates_seq2seq: each `# %% N.k: name` section
replaces the answer to N.k and must lose points on it."""

# ruff: noqa: F811, B905  (sections redefine names; zip as learners write it)
import math

import torch

import attnlib


# %% 8.1: no tanh
def additive_scores(s_prev, h, W, U, v):
    return ((s_prev @ W.T).unsqueeze(1) + h @ U.T) @ v


# %% 8.1: tanh of each term separately
def additive_scores(s_prev, h, W, U, v):
    return (torch.tanh(s_prev @ W.T).unsqueeze(1) + torch.tanh(h @ U.T)) @ v


# %% 8.1: sum over the hidden units instead of v
def additive_scores(s_prev, h, W, U, v):
    return torch.tanh((s_prev @ W.T).unsqueeze(1) + h @ U.T).sum(-1)


# %% 8.2: padding not masked
_z = 1 + 2 + 5 + math.exp(3)
by_hand = {
    "alpha": [1 / _z, 2 / _z, 5 / _z, math.exp(3) / _z],
    "context": (2 + 8 + 30 + 10 * math.exp(3)) / _z,
}


def masked_step(h, e, length):
    w = [math.exp(s) for s in e]
    alpha = [wj / sum(w) for wj in w]
    return {"alpha": alpha, "context": sum(a * hj for a, hj in zip(alpha, h))}


# %% 8.2: context as the mean of h
by_hand = {"alpha": [1 / 8, 2 / 8, 5 / 8, 0.0], "context": 4.0}


def masked_step(h, e, length):
    w = [math.exp(s) for s in e[:length]] + [0.0] * (len(e) - length)
    return {"alpha": [wj / sum(w) for wj in w], "context": sum(h[:length]) / length}


# %% 8.2: padding filled with score 0, not -inf
by_hand = {
    "alpha": [1 / 9, 2 / 9, 5 / 9, 1 / 9],
    "context": (2 * 1 + 4 * 2 + 6 * 5 + 10 * 1) / 9,
}


def masked_step(h, e, length):
    w = [math.exp(s) for s in e[:length]] + [1.0] * (len(e) - length)
    alpha = [wj / sum(w) for wj in w]
    return {"alpha": alpha, "context": sum(a * hj for a, hj in zip(alpha, h))}


# %% 8.3: softmax over the batch
def attention_step(s_prev, h, mask, W, U, v):
    e = torch.tanh((s_prev @ W.T).unsqueeze(1) + h @ U.T) @ v
    alpha = attnlib.softmax(e, dim=0, mask=mask)
    return (alpha.unsqueeze(-1) * h).sum(1), alpha


# %% 8.3: padding not masked
def attention_step(s_prev, h, mask, W, U, v):
    e = torch.tanh((s_prev @ W.T).unsqueeze(1) + h @ U.T) @ v
    alpha = torch.softmax(e, dim=-1)
    return (alpha.unsqueeze(-1) * h).sum(1), alpha


# %% 8.3: context as the mean of h
def attention_step(s_prev, h, mask, W, U, v):
    e = torch.tanh((s_prev @ W.T).unsqueeze(1) + h @ U.T) @ v
    alpha = attnlib.softmax(e, dim=-1, mask=mask)
    keep = mask.to(h.dtype).unsqueeze(-1)
    return (h * keep).sum(1) / keep.sum(1), alpha


# %% 8.4: scores with s_i, not s_{i-1}
def alignment_matrix(s0, h, mask, y_prev, params):
    W, U, v, R, C, Y = (params[name] for name in "WUvRCY")
    s, c, rows = s0, torch.zeros(h.shape[0], h.shape[2]), []
    for i in range(y_prev.shape[1]):
        s = torch.tanh(s @ R.T + c @ C.T + y_prev[:, i] @ Y.T)  # updated first
        e = torch.tanh((s @ W.T).unsqueeze(1) + h @ U.T) @ v
        alpha = attnlib.softmax(e, dim=-1, mask=mask)
        c = (alpha.unsqueeze(-1) * h).sum(1)
        rows.append(alpha)
    return torch.stack(rows, dim=1)


# %% 8.4: padding not masked
def alignment_matrix(s0, h, mask, y_prev, params):
    W, U, v, R, C, Y = (params[name] for name in "WUvRCY")
    s, rows = s0, []
    for i in range(y_prev.shape[1]):
        alpha = torch.softmax(torch.tanh((s @ W.T).unsqueeze(1) + h @ U.T) @ v, dim=-1)
        c = (alpha.unsqueeze(-1) * h).sum(1)
        s = torch.tanh(s @ R.T + c @ C.T + y_prev[:, i] @ Y.T)
        rows.append(alpha)
    return torch.stack(rows, dim=1)


# %% 8.4: context as the mean of h
def alignment_matrix(s0, h, mask, y_prev, params):
    W, U, v, R, C, Y = (params[name] for name in "WUvRCY")
    s, rows = s0, []
    for i in range(y_prev.shape[1]):
        alpha = attnlib.softmax(torch.tanh((s @ W.T).unsqueeze(1) + h @ U.T) @ v, dim=-1, mask=mask)
        c = h.mean(1)
        s = torch.tanh(s @ R.T + c @ C.T + y_prev[:, i] @ Y.T)
        rows.append(alpha)
    return torch.stack(rows, dim=1)


# %% 8.5: rows and columns swapped
def read_alignment(alpha, source):
    return [source[j] for j in alpha.argmax(dim=0).tolist()]


def coverage(alpha):
    return alpha.sum(dim=1)


# %% 8.5: least attended character
def read_alignment(alpha, source):
    return [source[j] for j in alpha.argmin(dim=1).tolist()]


def coverage(alpha):
    return alpha.mean(dim=0)


# %% 8.6: exact match computed per character
def exact_match(predictions, targets):
    correct = sum(
        i < len(p) and p[i] == c for p, t in zip(predictions, targets) for i, c in enumerate(t)
    )
    return correct / sum(len(t) for t in targets)


def char_accuracy(predictions, targets):
    correct = sum(
        i < len(p) and p[i] == c for p, t in zip(predictions, targets) for i, c in enumerate(t)
    )
    return correct / sum(len(t) for t in targets)


# %% 8.6: characters compared only where both exist
def exact_match(predictions, targets):
    return sum(p == t for p, t in zip(predictions, targets)) / len(targets)


def char_accuracy(predictions, targets):
    pairs = [(a, b) for p, t in zip(predictions, targets) for a, b in zip(p, t)]
    return sum(a == b for a, b in pairs) / len(pairs)


# %% 8.7: per-character accuracy taken for exact match
decoding = {"exact_if_independent": 0.99, "what": "a"}


# %% 8.7: right number, believes nothing changes
decoding = {"exact_if_independent": 0.99**10, "what": "c"}
