"""Handout stubs, exercise set 04_scoring_and_multihead: each `# %% N.k` section is the answer cell
learners start from; it must score zero."""


# %% 4.1
def sdpa(q, k, v, mask=None):
    raise NotImplementedError("write sdpa")


# %% 4.2
variances = {"unscaled": None, "scaled": None}


def dot_variance(d_k, scaled):
    raise NotImplementedError("write dot_variance")


# %% 4.3
def causal_mask(n):
    raise NotImplementedError("write causal_mask")


# %% 4.4
def split_heads(x, num_heads):
    raise NotImplementedError("write split_heads")


# %% 4.5
cost = {"mib": None, "factor": None}


def weights_mib(n, heads):
    raise NotImplementedError("write weights_mib")
