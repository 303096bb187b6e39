"""Planted mistakes, exercise set 11_applications: each `# %% N.k: name` section replaces the
answer to N.k and must lose points on it. Sections redefine the same names, hence F811."""

# ruff: noqa: F811
import math

import torch


# %% 11.1: softmax over the channels instead of a sigmoid gate per channel
def se_gate(u, w1, b1, w2, b2):
    hidden = torch.relu(u.mean(dim=(2, 3)) @ w1.T + b1)
    return torch.softmax(hidden @ w2.T + b2, dim=1)


# %% 11.1: max instead of mean in the squeeze
def se_gate(u, w1, b1, w2, b2):
    squeeze = u.amax(dim=(2, 3))
    return torch.sigmoid(torch.relu(squeeze @ w1.T + b1) @ w2.T + b2)


# %% 11.1: no ReLU between the two linear maps
def se_gate(u, w1, b1, w2, b2):
    return torch.sigmoid((u.mean(dim=(2, 3)) @ w1.T + b1) @ w2.T + b2)


# %% 11.2: softmax over the batch instead of the history
def target_attention(history, target):
    scores = (history @ target.unsqueeze(-1)).squeeze(-1) / math.sqrt(history.shape[-1])
    alpha = torch.softmax(scores, dim=0)
    return (alpha.unsqueeze(-1) * history).sum(dim=1), alpha


# %% 11.2: no 1/sqrt(E) scaling
def target_attention(history, target):
    alpha = torch.softmax((history @ target.unsqueeze(-1)).squeeze(-1), dim=1)
    return (alpha.unsqueeze(-1) * history).sum(dim=1), alpha


# %% 11.2: weights * history, no sum (a rescaling, not attention)
def target_attention(history, target):
    scores = (history @ target.unsqueeze(-1)).squeeze(-1) / math.sqrt(history.shape[-1])
    alpha = torch.softmax(scores, dim=1)
    return alpha.unsqueeze(-1) * history, alpha


# %% 11.3: mean instead of sum, and top-1 over the whole batch
def relevant_mass(weights, relevant):
    return (weights * relevant).mean(dim=1)


def top1_hit(weights, relevant):
    return relevant.any(dim=1).float()


# %% 11.3: counts the relevant items instead of weighing them
def relevant_mass(weights, relevant):
    return relevant.float().sum(dim=1) / relevant.shape[1]


def top1_hit(weights, relevant):
    best = weights.argmin(dim=1, keepdim=True)
    return relevant.gather(1, best).squeeze(1).float()


# %% 11.4: ties count as losses
def auc(scores, labels):
    pos, neg = scores[labels == 1], scores[labels == 0]
    return float((pos[:, None] > neg[None, :]).double().mean())


# %% 11.4: accuracy at a threshold of 0.5 instead of AUC
def auc(scores, labels):
    return float(((scores > 0.5).long() == labels).double().mean())
