"""Exercises for chapter 8, dates to ISO dates with additive (Bahdanau) attention: the additive
score, one attention step by hand and in code, the alignment matrix under teacher forcing,
reading an alignment, exact match against per-character accuracy, and greedy decoding."""

import torch

from attnlib.grading.spec import ExerciseSet, Question, call, value

_g = torch.Generator().manual_seed(8)
_B, _S, _K, _D, _A, _E, _T = 2, 5, 4, 3, 6, 2, 4
_s = torch.randn(_B, _D, generator=_g)  # decoder states s_{i-1}
_h = torch.randn(_B, _S, _K, generator=_g)  # annotations (padding included)
_mask = torch.tensor([[True] * 5, [True] * 3 + [False] * 2])  # lengths 5 and 3
_P = {"W": torch.randn(_A, _D, generator=_g), "U": torch.randn(_A, _K, generator=_g),
      "v": torch.randn(_A, generator=_g), "R": torch.randn(_D, _D, generator=_g) * 0.5,
      "C": torch.randn(_D, _K, generator=_g), "Y": torch.randn(_D, _E, generator=_g)}
_y = torch.randn(_B, _T, _E, generator=_g)  # embeddings of <bos>, y_1, ..., y_{T-1}
_alpha = torch.softmax(torch.randn(4, 6, generator=_g) * 3, -1)  # (T, S)

SCORE = Question(
    id="8.1",
    title="The additive score",
    kind="implement",
    points=2,
    prompt=r"""
Bahdanau attention scores every encoder annotation $h_j$ against the decoder's **previous**
state $s_{i-1}$ with a one-hidden-layer network,

$$e_{ij} = v^\top \tanh\bigl(W s_{i-1} + U h_j\bigr).$$

Write `additive_scores(s_prev, h, W, U, v)` for `s_prev` `(B, D)`, annotations `h`
`(B, S, K)`, `W` `(A, D)`, `U` `(A, K)` and `v` `(A,)`; return the scores `(B, S)`. (It equals
`attnlib.AdditiveScore(D, K, A)` with `query_proj.weight = W`, `key_proj.weight = U`, a zero
`key_proj.bias` and `v.weight = v[None]`, on `s_prev[:, None]`.)
""",
    stub='''def additive_scores(s_prev, h, W, U, v):
    raise NotImplementedError("write additive_scores")''',
    solution='''def additive_scores(s_prev, h, W, U, v):
    query = (s_prev @ W.T).unsqueeze(1)  # (B, D) @ (D, A) -> (B, 1, A)
    keys = h @ U.T  # (B, S, K) @ (K, A) -> (B, S, A)
    return torch.tanh(query + keys) @ v  # (B, S, A) @ (A,) -> (B, S)''',
    hint="project s_prev with W and every h_j with U, add them (broadcast over the S "
         "positions), apply tanh to the sum, then take the dot product with v.",
    public=(
        call("additive_scores", _s, _h, _P["W"], _P["U"], _P["v"], label="B = 2, S = 5, A = 6"),
        call("additive_scores", torch.zeros(1, 3), torch.ones(1, 2, 4), torch.ones(6, 3),
             torch.full((6, 4), 0.25), torch.ones(6), label="s = 0, h = 1: every score 6 tanh(1)"),
    ),
    wrong={
        "no tanh": '''def additive_scores(s_prev, h, W, U, v):
    return ((s_prev @ W.T).unsqueeze(1) + h @ U.T) @ v''',
        "tanh of each term separately": '''def additive_scores(s_prev, h, W, U, v):
    return (torch.tanh(s_prev @ W.T).unsqueeze(1) + torch.tanh(h @ U.T)) @ v''',
        "sum over the hidden units instead of v": '''def additive_scores(s_prev, h, W, U, v):
    return torch.tanh((s_prev @ W.T).unsqueeze(1) + h @ U.T).sum(-1)''',
    },
)

BY_HAND = Question(
    id="8.2",
    title="One attention step by hand",
    kind="compute",
    points=2,
    prompt=r"""
A source of 3 characters is padded to 4 positions. The scalar annotations are
$h = (2, 4, 6, 10)$ (the 10 is padding) and the scores are
$e = (0, \ln 2, \ln 5, 3)$. Derive the weights $\alpha_j = \mathrm{softmax}_j(e_j)$ over the
source positions, padding masked (weight exactly 0), and the context
$c = \sum_j \alpha_j h_j$. Set `by_hand = {"alpha": [a1, a2, a3, a4], "context": c}`.
""",
    stub='by_hand = {"alpha": None, "context": None}',
    solution='by_hand = {"alpha": [1 / 8, 2 / 8, 5 / 8, 0.0], "context": (2 * 1 + 4 * 2 + 6 * 5) / 8}  # 5.0',
    hint="exp(0), exp(ln 2), exp(ln 5) are 1, 2, 5; the padding is left out of the sum; the "
         "context is a weighted sum of h, not its mean.",
    public=(value("by_hand", label="by_hand"),),
    wrong={
        "padding not masked": '''_z = 1 + 2 + 5 + math.exp(3)
by_hand = {"alpha": [1 / _z, 2 / _z, 5 / _z, math.exp(3) / _z],
           "context": (2 + 8 + 30 + 10 * math.exp(3)) / _z}''',
        "context as the mean of h": 'by_hand = {"alpha": [1 / 8, 2 / 8, 5 / 8, 0.0], "context": 4.0}',
    },
    explanation=r"$\alpha = (1, 2, 5, 0)/8 = (0.125, 0.25, 0.625, 0)$ and "
                r"$c = (2 \cdot 1 + 4 \cdot 2 + 6 \cdot 5)/8 = 5$. Unmasked, the padding "
                r"would take $e^3/(8 + e^3) \approx 72\%$ of the weight.",
)

STEP = Question(
    id="8.3",
    title="One step of Bahdanau attention",
    kind="implement",
    points=3,
    prompt=r"""
Write `attention_step(s_prev, h, mask, W, U, v)`: the scores of 8.1, the weights
$\alpha_{ij} = \mathrm{softmax}_j(e_{ij})$ **over the source positions** $j$ with padding
(`mask` `(B, S)`, **`True` = real character**) given weight exactly 0, and the context
$c_i = \sum_j \alpha_{ij} h_j$. Return `(context, alpha)`, shapes `(B, K)` and `(B, S)`.
Write the score again here (do not call 8.1's function), so that each answer is graded on its
own.
""",
    stub='''def attention_step(s_prev, h, mask, W, U, v):
    raise NotImplementedError("write attention_step")''',
    solution='''def attention_step(s_prev, h, mask, W, U, v):
    e = torch.tanh((s_prev @ W.T).unsqueeze(1) + h @ U.T) @ v  # (B, S)
    e = e.masked_fill(~mask, float("-inf"))  # padding: exp(-inf) = 0
    alpha = torch.softmax(e, dim=-1)  # over the source positions j
    context = (alpha.unsqueeze(-1) * h).sum(1)  # (B, S, 1) * (B, S, K) -> (B, K)
    return context, alpha''',
    hint="normalise over dim=-1 (the S source positions, not the batch), fill the padding "
         "scores with -inf first, and weight each h_j by alpha_ij before summing over j.",
    public=(
        call("attention_step", _s, _h, _mask, _P["W"], _P["U"], _P["v"],
             label="source lengths 5 and 3, padded to 5"),
        call("attention_step", _s[:1], _h[:1], _mask[:1], _P["W"], _P["U"], _P["v"],
             label="one source, no padding"),
    ),
    wrong={
        "softmax over the batch": '''def attention_step(s_prev, h, mask, W, U, v):
    e = torch.tanh((s_prev @ W.T).unsqueeze(1) + h @ U.T) @ v
    alpha = attnlib.softmax(e, dim=0, mask=mask)
    return (alpha.unsqueeze(-1) * h).sum(1), alpha''',
        "padding not masked": '''def attention_step(s_prev, h, mask, W, U, v):
    e = torch.tanh((s_prev @ W.T).unsqueeze(1) + h @ U.T) @ v
    alpha = torch.softmax(e, dim=-1)
    return (alpha.unsqueeze(-1) * h).sum(1), alpha''',
        "context as the mean of h": '''def attention_step(s_prev, h, mask, W, U, v):
    e = torch.tanh((s_prev @ W.T).unsqueeze(1) + h @ U.T) @ v
    alpha = attnlib.softmax(e, dim=-1, mask=mask)
    keep = mask.to(h.dtype).unsqueeze(-1)
    return (h * keep).sum(1) / keep.sum(1), alpha''',
    },
)

ALIGN = Question(
    id="8.4",
    title="The alignment matrix under teacher forcing",
    kind="implement",
    points=3,
    prompt=r"""
The decoder of the chapter, simplified: at output step $i = 1, \dots, T$ it attends with its
**previous** state, then updates,

$$\alpha_i = \mathrm{attn}(s_{i-1}, h), \quad c_i = \sum_j \alpha_{ij} h_j, \quad
s_i = \tanh\bigl(R\, s_{i-1} + C\, c_i + Y\, y_{i-1}\bigr).$$

Under teacher forcing $y_{i-1}$ is the **true** previous character (the start symbol for
$i = 1$), so all $T$ inputs are known in advance: `y_prev` `(B, T, E)` holds their
embeddings. Write `alignment_matrix(s0, h, mask, y_prev, params)`, with `params` a dict of
tensors `W` `(A, D)`, `U` `(A, K)`, `v` `(A,)`, `R` `(D, D)`, `C` `(D, K)`, `Y` `(D, E)`, that
runs the $T$ steps from $s_0$ `(B, D)` and returns the alignment $\alpha$ `(B, T, S)` (row $i$
holds $\alpha_{i+1}$; padding columns 0).
""",
    stub='''def alignment_matrix(s0, h, mask, y_prev, params):
    raise NotImplementedError("write alignment_matrix")''',
    solution='''def alignment_matrix(s0, h, mask, y_prev, params):
    W, U, v, R, C, Y = (params[name] for name in "WUvRCY")
    keys = h @ U.T  # (B, S, A): the same at every step
    s, rows = s0, []
    for i in range(y_prev.shape[1]):
        e = torch.tanh((s @ W.T).unsqueeze(1) + keys) @ v  # scored with s_{i-1}: (B, S)
        alpha = torch.softmax(e.masked_fill(~mask, float("-inf")), dim=-1)  # (B, S)
        c = (alpha.unsqueeze(-1) * h).sum(1)  # (B, K)
        s = torch.tanh(s @ R.T + c @ C.T + y_prev[:, i] @ Y.T)  # s_i: (B, D)
        rows.append(alpha)
    return torch.stack(rows, dim=1)  # (B, T, S)''',
    hint="score with the state from before the update (s_{i-1}), then build c_i, then "
         "update s; the same s0 scores the first output.",
    public=(
        call("alignment_matrix", _s, _h, _mask, _y, _P, label="B = 2, T = 4, S = 5, one padded source"),
        call("alignment_matrix", _s[1:], _h[1:], _mask[1:], _y[1:, :1], _P,
             label="a single step (T = 1)"),
    ),
    wrong={
        "scores with s_i, not s_{i-1}": '''def alignment_matrix(s0, h, mask, y_prev, params):
    W, U, v, R, C, Y = (params[name] for name in "WUvRCY")
    s, c, rows = s0, torch.zeros(h.shape[0], h.shape[2]), []
    for i in range(y_prev.shape[1]):
        s = torch.tanh(s @ R.T + c @ C.T + y_prev[:, i] @ Y.T)  # updated first
        e = torch.tanh((s @ W.T).unsqueeze(1) + h @ U.T) @ v
        alpha = attnlib.softmax(e, dim=-1, mask=mask)
        c = (alpha.unsqueeze(-1) * h).sum(1)
        rows.append(alpha)
    return torch.stack(rows, dim=1)''',
        "padding not masked": '''def alignment_matrix(s0, h, mask, y_prev, params):
    W, U, v, R, C, Y = (params[name] for name in "WUvRCY")
    s, rows = s0, []
    for i in range(y_prev.shape[1]):
        alpha = torch.softmax(torch.tanh((s @ W.T).unsqueeze(1) + h @ U.T) @ v, dim=-1)
        c = (alpha.unsqueeze(-1) * h).sum(1)
        s = torch.tanh(s @ R.T + c @ C.T + y_prev[:, i] @ Y.T)
        rows.append(alpha)
    return torch.stack(rows, dim=1)''',
        "context as the mean of h": '''def alignment_matrix(s0, h, mask, y_prev, params):
    W, U, v, R, C, Y = (params[name] for name in "WUvRCY")
    s, rows = s0, []
    for i in range(y_prev.shape[1]):
        alpha = attnlib.softmax(torch.tanh((s @ W.T).unsqueeze(1) + h @ U.T) @ v, dim=-1, mask=mask)
        c = h.mean(1)
        s = torch.tanh(s @ R.T + c @ C.T + y_prev[:, i] @ Y.T)
        rows.append(alpha)
    return torch.stack(rows, dim=1)''',
    },
    explanation=r"Bahdanau et al. (2015) score with $s_{i-1}$ and feed $c_i$ into the update "
                r"that produces $s_i$; Luong et al. (2015) score with the current state "
                r"instead. Under greedy decoding `y_prev[:, i]` would be the model's own "
                r"previous output, so the steps could not all be given in advance.",
)

READ = Question(
    id="8.5",
    title="Reading an alignment matrix",
    kind="implement",
    points=2,
    prompt=r"""
An alignment matrix $\alpha$ `(T, S)` has one row per **output** character and one column per
**source** character; each row sums to 1. Write `read_alignment(alpha, source)`, which returns
the list of $T$ source characters (one-character strings) that each output attends to most,
and `coverage(alpha)`, which returns the `(S,)` total weight each source character receives
over all outputs (characters such as a weekday name, which an ISO date does not need, get
almost none).
""",
    stub='''def read_alignment(alpha, source):
    raise NotImplementedError("write read_alignment")


def coverage(alpha):
    raise NotImplementedError("write coverage")''',
    solution='''def read_alignment(alpha, source):
    return [source[j] for j in alpha.argmax(dim=1).tolist()]  # the best column of each row


def coverage(alpha):
    return alpha.sum(dim=0)  # (T, S) -> (S,): summed over the outputs''',
    hint="rows are outputs and columns are source characters: take the argmax along each "
         "row (dim=1) and sum down each column (dim=0).",
    public=(
        call("read_alignment", _alpha, "3 May!", label="read_alignment: 4 outputs, source '3 May!'"),
        call("coverage", _alpha, label="coverage of a (4, 6) alignment"),
    ),
    wrong={
        "rows and columns swapped": '''def read_alignment(alpha, source):
    return [source[j] for j in alpha.argmax(dim=0).tolist()]


def coverage(alpha):
    return alpha.sum(dim=1)''',
        "least attended character": '''def read_alignment(alpha, source):
    return [source[j] for j in alpha.argmin(dim=1).tolist()]


def coverage(alpha):
    return alpha.mean(dim=0)''',
    },
)

METRICS = Question(
    id="8.6",
    title="Exact match and per-character accuracy",
    kind="implement",
    points=2,
    prompt=r"""
Write `exact_match(predictions, targets)`: the fraction of predictions equal to their target
as whole strings, and `char_accuracy(predictions, targets)`: the fraction of **target**
characters predicted correctly at the same position,
$\sum_n \sum_{i < |t_n|} [\,i < |p_n| \wedge p_n[i] = t_n[i]\,] / \sum_n |t_n|$. Both take
two lists of strings of the same length and return a float. A date with one wrong digit
counts as 0 for exact match but 0.9 for per-character accuracy.
""",
    stub='''def exact_match(predictions, targets):
    raise NotImplementedError("write exact_match")


def char_accuracy(predictions, targets):
    raise NotImplementedError("write char_accuracy")''',
    solution='''def exact_match(predictions, targets):
    return sum(p == t for p, t in zip(predictions, targets)) / len(targets)


def char_accuracy(predictions, targets):
    correct = sum(i < len(p) and p[i] == c for p, t in zip(predictions, targets)
                  for i, c in enumerate(t))
    return correct / sum(len(t) for t in targets)''',
    hint="exact match compares whole strings; per-character accuracy counts matching "
         "positions over the total length of the targets (a missing character is wrong).",
    public=(
        call("exact_match", ["2021-03-05", "2021-03-06", "1999-12-31"],
             ["2021-03-05", "2021-03-05", "1999-12-13"], label="exact_match: 1 of 3 right"),
        call("char_accuracy", ["2021-03-05", "2021-03-06", "1999-12-31"],
             ["2021-03-05", "2021-03-05", "1999-12-13"], label="char_accuracy: 27 of 30 characters"),
        call("char_accuracy", ["2021-03", "1999-12-31"], ["2021-03-05", "1999-12-31"],
             label="char_accuracy: a prediction that stops early"),
    ),
    wrong={
        "exact match computed per character": '''def exact_match(predictions, targets):
    correct = sum(i < len(p) and p[i] == c for p, t in zip(predictions, targets)
                  for i, c in enumerate(t))
    return correct / sum(len(t) for t in targets)


def char_accuracy(predictions, targets):
    correct = sum(i < len(p) and p[i] == c for p, t in zip(predictions, targets)
                  for i, c in enumerate(t))
    return correct / sum(len(t) for t in targets)''',
        "characters compared only where both exist": '''def exact_match(predictions, targets):
    return sum(p == t for p, t in zip(predictions, targets)) / len(targets)


def char_accuracy(predictions, targets):
    pairs = [(a, b) for p, t in zip(predictions, targets) for a, b in zip(p, t)]
    return sum(a == b for a, b in pairs) / len(pairs)''',
    },
)

DECODING = Question(
    id="8.7",
    title="Teacher forcing against greedy decoding",
    kind="predict",
    points=2,
    prompt=r"""
A model trained with teacher forcing predicts 99% of the characters right when it is fed the
true previous characters. Suppose first that its errors were independent, with probability
0.99 of each of the 10 characters of an ISO date `YYYY-MM-DD` being right: what exact-match
accuracy would that give (`exact_if_independent`)? Then predict what happens at test time,
under greedy decoding, where each step is fed the model's **own** previous output: (a)
exact match is at least the teacher-forced per-character accuracy, 99%; (b) a wrong character
is fed back as input, so later steps start from a state never seen in training and errors
can compound: exact match can fall below even the independent estimate, and only
greedy-decoded exact match measures the task; (c) nothing changes, since the model is the
same. Set `decoding = {"exact_if_independent": ..., "what": <a letter>}` and explain below.
""",
    stub='decoding = {"exact_if_independent": None, "what": None}',
    solution='decoding = {"exact_if_independent": 0.99**10, "what": "b"}  # 0.904',
    hint="a date is exactly right only if all 10 characters are; under greedy decoding a "
         "mistake becomes the next step's input.",
    public=(value("decoding", label="decoding", rtol=2e-3),),
    wrong={
        "per-character accuracy taken for exact match": 'decoding = {"exact_if_independent": 0.99, "what": "a"}',
        "right number, believes nothing changes": 'decoding = {"exact_if_independent": 0.99**10, "what": "c"}',
    },
    explanation=r"$0.99^{10} \approx 0.904$: even independent 1% errors cost a tenth of the "
                r"dates. Teacher-forced accuracy never lets an error propagate; greedy "
                r"decoding does, so report greedy exact match (the chapter's "
                r"`translate` and `exact_match`).",
)

SET = ExerciseSet(
    name="08_dates_seq2seq",
    chapter="chapters/08_dates_seq2seq",
    title="Exercises: dates with additive attention",
    intro="Seven exercises on chapter 8, on small random tensors and strings (no training, no "
          "dataset): the additive score, one attention step by hand and in code, the "
          "alignment matrix under teacher forcing, reading an alignment, exact match against "
          "per-character accuracy, and greedy decoding.",
    setup="import math\nimport torch\nimport attnlib",
    questions=(SCORE, BY_HAND, STEP, ALIGN, READ, METRICS, DECODING),
)
