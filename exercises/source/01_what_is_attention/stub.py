"""Handout stubs, exercise set 01_what_is_attention: each `# %% N.k` section is the answer cell
learners start from; it must score zero."""


# %% 1.1
def nadaraya_watson(queries, keys, values, h):
    raise NotImplementedError("write nadaraya_watson")


# %% 1.2
alpha_q0_k1 = None  # a float


def nw_weight(q, keys, h, i):
    raise NotImplementedError("write nw_weight")


# %% 1.3
bandwidth_limits = {"h_to_0": None, "h_to_inf": None}


def nw_limits(q, keys, values):
    raise NotImplementedError("write nw_limits")


# %% 1.4
def weights_for(query, keys):
    raise NotImplementedError("write weights_for")


weights_change = None
