"""Handout stubs, exercise set 02_soft_attention: each `# %% N.k` section is the answer cell
learners start from; it must score zero."""


# %% 2.1
def stable_softmax(x, dim=-1):
    """Softmax of x along dim, safe for large scores."""
    raise NotImplementedError("write stable_softmax")


# %% 2.2
def softmax_with_temperature(x, tau):
    raise NotImplementedError("write softmax_with_temperature")


# %% 2.3
def masked_softmax(scores, mask):
    raise NotImplementedError("write masked_softmax")


# %% 2.4
def attend(weights, values):
    raise NotImplementedError("write attend")


# %% 2.5
def softmax_jacobian_at(x):
    raise NotImplementedError("write softmax_jacobian_at")


# %% 2.6
overflow_at = None  # an integer


def overflow_threshold(max_value):
    raise NotImplementedError("write overflow_threshold")
