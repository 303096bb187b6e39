"""Reference solutions, exercise set 08_dates_seq2seq: one section per answer cell.

The `# %% setup` section is the notebook's set-up cell; each `# %% N.k` section is the
reference answer to exercise N.k. Golden tests import this file as a module."""

# %% setup
import math  # noqa: F401  (the set-up cell imports it for the answers)

import torch

import attnlib  # noqa: F401  (the set-up cell imports it for the answers)


# %% 8.1
def additive_scores(s_prev, h, W, U, v):
    query = (s_prev @ W.T).unsqueeze(1)  # (B, D) @ (D, A) -> (B, 1, A)
    keys = h @ U.T  # (B, S, K) @ (K, A) -> (B, S, A)
    return torch.tanh(query + keys) @ v  # (B, S, A) @ (A,) -> (B, S)


# %% 8.2
by_hand = {"alpha": [1 / 8, 2 / 8, 5 / 8, 0.0], "context": (2 * 1 + 4 * 2 + 6 * 5) / 8}  # 5.0


def masked_step(h, e, length):
    top = max(e[:length])  # subtracted for stability: the weights do not change
    w = [math.exp(s - top) for s in e[:length]] + [0.0] * (len(e) - length)  # padding: 0
    alpha = [wj / sum(w) for wj in w]
    return {"alpha": alpha, "context": sum(a * hj for a, hj in zip(alpha, h, strict=True))}


# %% 8.3
def attention_step(s_prev, h, mask, W, U, v):
    e = torch.tanh((s_prev @ W.T).unsqueeze(1) + h @ U.T) @ v  # (B, S)
    e = e.masked_fill(~mask, float("-inf"))  # padding: exp(-inf) = 0
    alpha = torch.softmax(e, dim=-1)  # over the source positions j
    context = (alpha.unsqueeze(-1) * h).sum(1)  # (B, S, 1) * (B, S, K) -> (B, K)
    return context, alpha


# %% 8.4
def alignment_matrix(s0, h, mask, y_prev, params):
    W, U, v, R, C, Y = (params[name] for name in "WUvRCY")
    keys = h @ U.T  # (B, S, A): the same at every step
    s, rows = s0, []
    for i in range(y_prev.shape[1]):
        e = torch.tanh((s @ W.T).unsqueeze(1) + keys) @ v  # scored with s_{i-1}: (B, S)
        alpha = torch.softmax(e.masked_fill(~mask, float("-inf")), dim=-1)  # (B, S)
        c = (alpha.unsqueeze(-1) * h).sum(1)  # (B, K)
        s = torch.tanh(s @ R.T + c @ C.T + y_prev[:, i] @ Y.T)  # s_i: (B, D)
        rows.append(alpha)
    return torch.stack(rows, dim=1)  # (B, T, S)


# %% 8.5
def read_alignment(alpha, source):
    return [source[j] for j in alpha.argmax(dim=1).tolist()]  # the best column of each row


def coverage(alpha):
    return alpha.sum(dim=0)  # (T, S) -> (S,): summed over the outputs


# %% 8.6
def exact_match(predictions, targets):
    return sum(p == t for p, t in zip(predictions, targets, strict=True)) / len(targets)


def char_accuracy(predictions, targets):
    correct = sum(
        i < len(p) and p[i] == c
        for p, t in zip(predictions, targets, strict=True)
        for i, c in enumerate(t)
    )
    return correct / sum(len(t) for t in targets)


# %% 8.7
decoding = {"exact_if_independent": 0.99**10, "what": "b"}  # 0.904


def exact_if_independent(p, length):
    return p**length  # every character right
