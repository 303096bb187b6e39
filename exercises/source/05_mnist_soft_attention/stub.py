"""Handout stubs, exercise set 05_mnist_soft_attention: each `# %% N.k` section is the answer cell
learners start from; it must score zero."""


# %% 5.1
def spatial_attention_pool(features, w):
    raise NotImplementedError("write spatial_attention_pool")


# %% 5.2
positions = {"n": None, "uniform": None}


def attention_positions(size, blocks):
    raise NotImplementedError("write attention_positions")


# %% 5.3
def attention_entropy(alpha):
    raise NotImplementedError("write attention_entropy")


# %% 5.4
def posthoc_map(activations, h, w):
    raise NotImplementedError("write posthoc_map")


posthoc = None
