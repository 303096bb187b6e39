"""Handout stubs, exercise set 09_attention_analysis: each `# %% N.k` section is the answer cell
learners start from; it must score zero."""


# %% 9.1
def masked_entropy(weights, mask):
    raise NotImplementedError("write masked_entropy")


# %% 9.2
def rollout_two_layers(a1, a2):
    raise NotImplementedError("write rollout_two_layers")


# %% 9.3
def deletion_area(p):
    raise NotImplementedError("write deletion_area")


# %% 9.4
def kendall_tau(a, b):
    raise NotImplementedError("write kendall_tau")


# %% 9.5
def integrated_gradients(W, x, baseline, m):
    raise NotImplementedError("write integrated_gradients")
