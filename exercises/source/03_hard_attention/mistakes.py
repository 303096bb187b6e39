"""Planted mistakes of exercise set 03_hard_attention: each `# %% N.k: name` section
replaces the answer to N.k and must lose points on it."""

# ruff: noqa: F811, B905  (sections redefine names; zip as learners write it)

import torch

# %% 3.1: thinks it is hard attention
gate = {"dy_dtheta": 0.0, "what": "a"}


def gate_grads(x, theta):
    a = [float(xi >= theta) for xi in x]
    return {"y": sum(ai * xi for ai, xi in zip(a, x)), "dy_dx": a, "dy_dtheta": 0.0}


# %% 3.1: non-zero gradient (minus the smallest kept value)
gate = {"dy_dtheta": -1.0, "what": "b"}


def gate_grads(x, theta):
    a = [float(xi >= theta) for xi in x]
    kept = [xi for xi in x if xi >= theta]
    return {
        "y": sum(kept),
        "dy_dx": a,
        "dy_dtheta": -min(kept) if kept else 0.0,
    }


# %% 3.1: no gradient reaches the kept values either
gate = {"dy_dtheta": 0.0, "what": "b"}


def gate_grads(x, theta):
    y = sum(xi for xi in x if xi >= theta)
    return {"y": y, "dy_dx": [0.0] * len(x), "dy_dtheta": 0.0}


# %% 3.1: the gate left out of dy/dx (every value gets 1)
gate = {"dy_dtheta": 0.0, "what": "b"}


def gate_grads(x, theta):
    y = sum(xi for xi in x if xi >= theta)
    return {"y": y, "dy_dx": [1.0] * len(x), "dy_dtheta": 0.0}


# %% 3.2: no log: gradient of p(a)
def reinforce_grad(logits, actions, rewards, baseline):
    probs = torch.softmax(logits, dim=-1)
    onehot = torch.nn.functional.one_hot(actions, logits.shape[-1]).to(logits.dtype)
    p_a = (probs * onehot).sum(-1, keepdim=True)
    return (rewards - baseline)[:, None] * p_a * (onehot - probs)


# %% 3.2: baseline ignored
def reinforce_grad(logits, actions, rewards, baseline):
    probs = torch.softmax(logits, dim=-1)
    onehot = torch.nn.functional.one_hot(actions, logits.shape[-1]).to(logits.dtype)
    return rewards[:, None] * (onehot - probs)


# %% 3.2: sign flipped
def reinforce_grad(logits, actions, rewards, baseline):
    probs = torch.softmax(logits, dim=-1)
    onehot = torch.nn.functional.one_hot(actions, logits.shape[-1]).to(logits.dtype)
    return (rewards - baseline)[:, None] * (probs - onehot)


# %% 3.3: noise ignored (argmax)
def gumbel_max_sample(logits, u):
    return torch.argmax(logits, dim=-1)


# %% 3.3: sign of the noise flipped
def gumbel_max_sample(logits, u):
    return torch.argmax(logits + torch.log(-torch.log(u)), dim=-1)


# %% 3.4: noise not divided by tau
def gumbel_softmax_sample(logits, u, tau):
    return torch.softmax(logits / tau - torch.log(-torch.log(u)), dim=-1)


# %% 3.4: no temperature
def gumbel_softmax_sample(logits, u, tau):
    return torch.softmax(logits - torch.log(-torch.log(u)), dim=-1)


# %% 3.5: forgot the softmax's normalisation
exact_grad = [0.5, 0.0]


# %% 3.5: sign flipped
exact_grad = [-0.25, 0.25]
