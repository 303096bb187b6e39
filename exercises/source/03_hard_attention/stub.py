"""Handout stubs, exercise set 03_hard_attention: each `# %% N.k` section is the answer cell
learners start from; it must score zero."""

# %% 3.1
gate = {"dy_dtheta": None, "what": None}


def gate_grads(x, theta):
    raise NotImplementedError("write gate_grads")


# %% 3.2
def reinforce_grad(logits, actions, rewards, baseline):
    raise NotImplementedError("write reinforce_grad")


# %% 3.3
def gumbel_max_sample(logits, u):
    raise NotImplementedError("write gumbel_max_sample")


# %% 3.4
def gumbel_softmax_sample(logits, u, tau):
    raise NotImplementedError("write gumbel_softmax_sample")


# %% 3.5
exact_grad = None  # [d/dz0, d/dz1]


def exact_grad_for(logits, rewards):
    raise NotImplementedError("write exact_grad_for")
