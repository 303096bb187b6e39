"""Reference solutions, exercise set 11_applications: one section per answer cell.

The `# %% setup` section is the notebook's set-up cell; each `# %% N.k` section is the
reference answer to exercise N.k. Golden tests import this file as a module."""

# %% setup
import math

import torch


# %% 11.1
def se_gate(u, w1, b1, w2, b2):
    squeeze = u.mean(dim=(2, 3))  # (B, C, H, W) -> (B, C)
    hidden = torch.relu(squeeze @ w1.T + b1)  # (B, C) -> (B, C')
    return torch.sigmoid(hidden @ w2.T + b2)  # (B, C') -> (B, C)


# %% 11.2
def target_attention(history, target):
    scores = (history @ target.unsqueeze(-1)).squeeze(-1) / math.sqrt(history.shape[-1])  # (B, L)
    alpha = torch.softmax(scores, dim=1)  # over each user's own history
    u = (alpha.unsqueeze(-1) * history).sum(dim=1)  # (B, L, E) -> (B, E)
    return u, alpha


# %% 11.3
def relevant_mass(weights, relevant):
    return (weights * relevant).sum(dim=1)


def top1_hit(weights, relevant):
    best = weights.argmax(dim=1, keepdim=True)  # (B, 1)
    return relevant.gather(1, best).squeeze(1).float()


# %% 11.4
def auc(scores, labels):
    pos, neg = scores[labels == 1], scores[labels == 0]
    wins = (pos[:, None] > neg[None, :]).double().sum()
    ties = (pos[:, None] == neg[None, :]).double().sum()
    return float((wins + 0.5 * ties) / (len(pos) * len(neg)))
