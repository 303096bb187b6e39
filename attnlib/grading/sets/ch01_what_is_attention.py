"""Exercises for chapter 1, what attention is: Nadaraya–Watson attention pooling, its
bandwidth limits, and why attention weights change with the input."""

import torch

from attnlib.grading.spec import ExerciseSet, Question, call, value

POOLING = Question(
    id="1.1",
    title="Nadaraya–Watson attention pooling",
    kind="implement",
    points=3,
    prompt=r"""
Write `nadaraya_watson(queries, keys, values, h)` for 1-D tensors `queries` `(L,)`, `keys`
`(S,)` and `values` `(S,)`: the prediction at each query is the weighted sum

$$f(q) = \sum_i \alpha_i(q)\, v_i, \qquad
\alpha_i(q) = \frac{\exp(-(q - k_i)^2 / 2h^2)}{\sum_j \exp(-(q - k_j)^2 / 2h^2)}.$$

Return the `(L,)` predictions. Each query's weights are normalised over the keys.
""",
    stub='''def nadaraya_watson(queries, keys, values, h):
    raise NotImplementedError("write nadaraya_watson")''',
    solution='''def nadaraya_watson(queries, keys, values, h):
    scores = -(queries[:, None] - keys[None, :]) ** 2 / (2 * h**2)  # (L, S)
    weights = torch.softmax(scores, dim=1)  # normalise over the keys
    return weights @ values  # (L, S) @ (S,) -> (L,)''',
    hint="build the (L, S) matrix of scores -(q - k)^2 / (2 h^2), take the softmax over the "
         "keys (dim=1), then a matrix-vector product with the values.",
    public=(
        call("nadaraya_watson", torch.tensor([0.0, 1.5]), torch.tensor([0.0, 1.0, 2.0]),
             torch.tensor([0.0, 10.0, 20.0]), 1.0, label="two queries, three keys, h = 1"),
        call("nadaraya_watson", torch.tensor([0.5]), torch.tensor([0.0, 1.0]),
             torch.tensor([1.0, 3.0]), 0.5, label="one query half-way, h = 0.5"),
    ),
    wrong={
        "normalised over the queries": '''def nadaraya_watson(queries, keys, values, h):
    scores = -(queries[:, None] - keys[None, :]) ** 2 / (2 * h**2)
    return torch.softmax(scores, dim=0) @ values''',
        "kernel not normalised": '''def nadaraya_watson(queries, keys, values, h):
    kernel = torch.exp(-(queries[:, None] - keys[None, :]) ** 2 / (2 * h**2))
    return kernel @ values''',
        "h instead of h squared": '''def nadaraya_watson(queries, keys, values, h):
    scores = -(queries[:, None] - keys[None, :]) ** 2 / (2 * h)
    return torch.softmax(scores, dim=1) @ values''',
    },
)

WEIGHT = Question(
    id="1.2",
    title="One attention weight by hand",
    kind="compute",
    points=2,
    prompt=r"""
With keys $k = (0, 1, 2)$ and bandwidth $h = 1$, compute by hand the weight
$\alpha_2(q)$ that the query $q = 0$ gives to the key $k_2 = 1$, as a closed form in
$e$, then its value. Set `alpha_q0_k1` to that number (a float).
""",
    stub="alpha_q0_k1 = None  # a float",
    solution="alpha_q0_k1 = math.exp(-0.5) / (1 + math.exp(-0.5) + math.exp(-2))  # 0.3392",
    hint="the scores are -(0-0)^2/2 = 0, -(0-1)^2/2 = -1/2 and -(0-2)^2/2 = -2; the weight "
         "is exp(-1/2) over the sum of the three exponentials.",
    public=(value("alpha_q0_k1", label="alpha_q0_k1", rtol=1e-3),),
    wrong={"forgot the factor 2": "alpha_q0_k1 = math.exp(-1) / (1 + math.exp(-1) + math.exp(-4))",
           "unnormalised kernel": "alpha_q0_k1 = math.exp(-0.5)"},
)

LIMITS = Question(
    id="1.3",
    title="Bandwidth limits",
    kind="predict",
    points=2,
    prompt=r"""
Predict the Nadaraya–Watson prediction $f(q)$ at a query $q$ that is not a key, with distinct
keys, in each limit, then check with your function:

- (a) the mean of all values; (b) the value of the key nearest to $q$; (c) zero;
  (d) the value of the key farthest from $q$.

Set `bandwidth_limits = {"h_to_0": ..., "h_to_inf": ...}` with one letter each, and explain
in the markdown cell below.
""",
    stub='bandwidth_limits = {"h_to_0": None, "h_to_inf": None}',
    solution='bandwidth_limits = {"h_to_0": "b", "h_to_inf": "a"}',
    hint="as h -> 0 the largest score, that of the nearest key, dominates the softmax; as "
         "h -> infinity every score tends to 0 and the weights to uniform.",
    public=(value("bandwidth_limits", label="bandwidth_limits"),),
    wrong={"swapped": 'bandwidth_limits = {"h_to_0": "a", "h_to_inf": "b"}',
           "vanishing weights": 'bandwidth_limits = {"h_to_0": "c", "h_to_inf": "a"}'},
    explanation="As $h \\to 0$ the scores $-(q-k_i)^2/2h^2$ separate without bound, so softmax "
                "becomes one-hot on the nearest key; as $h \\to \\infty$ all scores tend to 0, "
                "softmax tends to uniform and $f(q)$ to the mean of the values.",
)

DYNAMIC = Question(
    id="1.4",
    title="Are attention weights fixed after training?",
    kind="predict",
    points=2,
    prompt=r"""
A trained attention layer computes weights from a query and keys with fixed projection
parameters. Write `weights_for(query, keys)` returning `torch.softmax(keys @ query, dim=0)`
(keys `(S, D)`, query `(D,)`), then answer: after training, the attention weights are
(a) the same for every input, since the parameters are fixed; (b) recomputed from each
input's queries and keys, so they change with the input and the position. Set
`weights_change = "a"` or `"b"` and explain in the markdown cell below.
""",
    stub='''def weights_for(query, keys):
    raise NotImplementedError("write weights_for")

weights_change = None''',
    solution='''def weights_for(query, keys):
    return torch.softmax(keys @ query, dim=0)  # (S, D) @ (D,) -> (S,)

weights_change = "b"''',
    hint="compute the weights for two different queries: are they equal?",
    public=(
        call("weights_for", torch.tensor([1.0, 0.0]), torch.tensor([[1.0, 0.0], [0.0, 1.0]]),
             label="query [1, 0]"),
        call("weights_for", torch.tensor([0.0, 2.0]), torch.tensor([[1.0, 0.0], [0.0, 1.0]]),
             label="query [0, 2]"),
        value("weights_change", label="weights_change"),
    ),
    wrong={"static weights": '''def weights_for(query, keys):
    return torch.full((keys.shape[0],), 1.0 / keys.shape[0])

weights_change = "a"'''},
    explanation="What training fixes are the projection parameters; the weights are a "
                "function of each input's queries and keys, so they differ from input to "
                "input and from position to position.",
)

SET = ExerciseSet(
    name="01_what_is_attention",
    chapter="chapters/01_what_is_attention",
    title="Exercises: what attention is",
    intro="Four exercises on chapter 1: Nadaraya–Watson attention pooling, one weight by "
          "hand, the bandwidth's limits, and why attention weights depend on the input.",
    setup="import math\nimport torch",
    questions=(POOLING, WEIGHT, LIMITS, DYNAMIC),
)
