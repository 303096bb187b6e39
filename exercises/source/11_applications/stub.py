"""Handout stubs, exercise set 11_applications: each `# %% N.k` section is the answer cell
learners start from; it must score zero."""


# %% 11.1
def se_gate(u, w1, b1, w2, b2):
    raise NotImplementedError("write se_gate")


# %% 11.2
def target_attention(history, target):
    raise NotImplementedError("write target_attention")


# %% 11.3
def relevant_mass(weights, relevant):
    raise NotImplementedError("write relevant_mass")


def top1_hit(weights, relevant):
    raise NotImplementedError("write top1_hit")


# %% 11.4
def auc(scores, labels):
    raise NotImplementedError("write auc")
