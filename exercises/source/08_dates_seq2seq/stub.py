"""Handout stubs, exercise set 08_dates_seq2seq: each `# %% N.k` section is the answer cell
learners start from; it must score zero."""


# %% 8.1
def additive_scores(s_prev, h, W, U, v):
    raise NotImplementedError("write additive_scores")


# %% 8.2
by_hand = {"alpha": None, "context": None}


def masked_step(h, e, length):
    raise NotImplementedError("write masked_step")


# %% 8.3
def attention_step(s_prev, h, mask, W, U, v):
    raise NotImplementedError("write attention_step")


# %% 8.4
def alignment_matrix(s0, h, mask, y_prev, params):
    raise NotImplementedError("write alignment_matrix")


# %% 8.5
def read_alignment(alpha, source):
    raise NotImplementedError("write read_alignment")


def coverage(alpha):
    raise NotImplementedError("write coverage")


# %% 8.6
def exact_match(predictions, targets):
    raise NotImplementedError("write exact_match")


def char_accuracy(predictions, targets):
    raise NotImplementedError("write char_accuracy")


# %% 8.7
decoding = {"exact_if_independent": None, "what": None}


def exact_if_independent(p, length):
    raise NotImplementedError("write exact_if_independent")
