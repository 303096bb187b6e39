"""Exercises for chapter 2, soft attention: stable softmax, temperature, masking, the weighted
sum, the softmax Jacobian and where float32 overflows."""

import torch

from attnlib.grading.spec import ExerciseSet, Question, call, value

_g = torch.Generator().manual_seed(2)
_x = torch.randn(2, 4, generator=_g)

SOFTMAX = Question(
    id="2.1",
    title="A numerically stable softmax",
    kind="implement",
    points=3,
    prompt=r"""
Write `stable_softmax(x, dim=-1)`: the softmax of `x` along the axis `dim`,

$$\alpha_i = \frac{\exp(x_i - \max_j x_j)}{\sum_j \exp(x_j - \max_j x_j)}.$$

Normalise along `dim` only (every other index is a separate distribution), and subtract the
maximum first, so that scores such as 1000 do not overflow. Use `torch.exp`, not
`torch.softmax`.
""",
    stub='''def stable_softmax(x, dim=-1):
    """Softmax of x along dim, safe for large scores."""
    raise NotImplementedError("write stable_softmax")''',
    solution='''def stable_softmax(x, dim=-1):
    """Softmax of x along dim, safe for large scores."""
    z = x - x.amax(dim=dim, keepdim=True)  # every exponent <= 0
    e = torch.exp(z)
    return e / e.sum(dim=dim, keepdim=True)''',
    hint="subtract x.amax(dim=dim, keepdim=True) before torch.exp, and sum with "
         "dim=dim, keepdim=True so that each slice along dim sums to 1.",
    public=(
        call("stable_softmax", torch.tensor([1.0, 2.0, 3.0]), label="scores [1, 2, 3]"),
        call("stable_softmax", torch.tensor([1000.0, 1001.0, 1002.0]),
             label="scores [1000, 1001, 1002] (naive exp overflows)"),
        call("stable_softmax", _x, dim=0, label="a (2, 4) tensor along dim=0"),
    ),
    wrong={
        "no max subtraction": '''def stable_softmax(x, dim=-1):
    e = torch.exp(x)
    return e / e.sum(dim=dim, keepdim=True)''',
        "wrong axis (always the last)": '''def stable_softmax(x, dim=-1):
    z = x - x.amax(dim=-1, keepdim=True)
    e = torch.exp(z)
    return e / e.sum(dim=-1, keepdim=True)''',
        "normalised over the whole array": '''def stable_softmax(x, dim=-1):
    e = torch.exp(x - x.max())
    return e / e.sum()''',
    },
    explanation="Softmax is shift-invariant, so subtracting the maximum changes nothing "
                "mathematically and keeps every exponent at most 0: no overflow.",
)

TEMPERATURE = Question(
    id="2.2",
    title="Temperature",
    kind="implement",
    points=2,
    prompt=r"""
Write `softmax_with_temperature(x, tau)`: the softmax of $x / \tau$ along the last axis,
for $\tau > 0$. Small $\tau$ sharpens the weights towards the argmax; large $\tau$ flattens
them towards uniform. You may use `torch.softmax`.
""",
    stub='''def softmax_with_temperature(x, tau):
    raise NotImplementedError("write softmax_with_temperature")''',
    solution='''def softmax_with_temperature(x, tau):
    return torch.softmax(x / tau, dim=-1)''',
    hint="divide the scores by tau (do not multiply), then take the softmax over dim=-1.",
    public=(
        call("softmax_with_temperature", torch.tensor([1.0, 2.0, 3.0]), 0.5, label="tau = 0.5"),
        call("softmax_with_temperature", torch.tensor([1.0, 2.0, 3.0]), 10.0, label="tau = 10"),
    ),
    wrong={
        "multiplies by tau": '''def softmax_with_temperature(x, tau):
    return torch.softmax(x * tau, dim=-1)''',
        "ignores tau": '''def softmax_with_temperature(x, tau):
    return torch.softmax(x, dim=-1)''',
    },
)

MASK = Question(
    id="2.3",
    title="Masked softmax",
    kind="implement",
    points=3,
    prompt=r"""
Write `masked_softmax(scores, mask)` for scores of shape `(L, S)` and a boolean `mask` of the
same shape in which **`True` means "may be attended"**. Masked positions must get weight
exactly 0, each row's weights sum to 1, and a row in which every position is masked must give
all zeros (not NaN).
""",
    stub='''def masked_softmax(scores, mask):
    raise NotImplementedError("write masked_softmax")''',
    solution='''def masked_softmax(scores, mask):
    scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)  # a fully masked row is NaN here
    return torch.nan_to_num(weights, nan=0.0)''',
    hint="fill the positions where mask is False with -inf (not 0), take the softmax over "
         "the last axis, then turn the NaN of a fully masked row into zeros.",
    public=(
        call("masked_softmax", torch.tensor([[1.0, 2.0, 3.0]]),
             torch.tensor([[True, True, False]]), label="one row, last key masked"),
        call("masked_softmax", torch.tensor([[1.0, 2.0], [0.5, 0.5]]),
             torch.tensor([[True, False], [False, False]]),
             label="second row fully masked (expect zeros)"),
    ),
    wrong={
        "inverted mask": '''def masked_softmax(scores, mask):
    scores = scores.masked_fill(mask, float("-inf"))
    return torch.nan_to_num(torch.softmax(scores, dim=-1), nan=0.0)''',
        "masked scores set to 0, not -inf": '''def masked_softmax(scores, mask):
    return torch.softmax(scores.masked_fill(~mask, 0.0), dim=-1)''',
        "NaN on a fully masked row": '''def masked_softmax(scores, mask):
    return torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)''',
    },
)

WEIGHTED_SUM = Question(
    id="2.4",
    title="A weighted sum, not a rescaling",
    kind="implement",
    points=2,
    prompt=r"""
Write `attend(weights, values)`: given weights of shape `(L, S)` (each row a distribution over
the `S` positions) and values of shape `(S, D)`, return the `(L, D)` outputs
$o_\ell = \sum_i \alpha_{\ell i}\, v_i$. Multiplying the values element-wise by the weights
is *not* attention: it keeps every position instead of combining them.
""",
    stub='''def attend(weights, values):
    raise NotImplementedError("write attend")''',
    solution='''def attend(weights, values):
    return weights @ values  # (L, S) @ (S, D) -> (L, D)''',
    hint="each output row is a sum over the S positions: a matrix product (L, S) @ (S, D).",
    public=(
        call("attend", torch.tensor([[0.25, 0.75]]), torch.tensor([[0.0, 4.0], [8.0, 0.0]]),
             label="one query, two values"),
        call("attend", torch.softmax(_x[:, :2], -1), torch.arange(6.0).reshape(2, 3),
             label="two queries, two values of size 3"),
    ),
    wrong={
        "element-wise rescaling": '''def attend(weights, values):
    return weights.unsqueeze(-1) * values  # (L, S, D): keeps every position''',
        "transposed weights": '''def attend(weights, values):
    return weights.T @ values''',
    },
)

JACOBIAN = Question(
    id="2.5",
    title="The softmax Jacobian",
    kind="implement",
    points=3,
    prompt=r"""
Derive $\partial \alpha_i / \partial x_j$ for $\alpha = \mathrm{softmax}(x)$, then write
`softmax_jacobian_at(x)` that returns the `(n, n)` matrix `J[i, j]` for a vector `x` of
length `n`, from your formula (you may check it against `torch.autograd.functional.jacobian`).
""",
    stub='''def softmax_jacobian_at(x):
    raise NotImplementedError("write softmax_jacobian_at")''',
    solution='''def softmax_jacobian_at(x):
    a = torch.softmax(x, dim=-1)
    return torch.diag(a) - torch.outer(a, a)  # alpha_i (delta_ij - alpha_j)''',
    hint="d alpha_i / d x_j = alpha_i (delta_ij - alpha_j): a diagonal matrix minus an outer "
         "product.",
    public=(
        call("softmax_jacobian_at", torch.tensor([0.0, 0.0]), label="x = [0, 0]"),
        call("softmax_jacobian_at", torch.tensor([1.0, -1.0, 0.5]), label="x = [1, -1, 0.5]"),
    ),
    wrong={
        "diagonal only": '''def softmax_jacobian_at(x):
    a = torch.softmax(x, dim=-1)
    return torch.diag(a * (1 - a))''',
        "sign flipped": '''def softmax_jacobian_at(x):
    a = torch.softmax(x, dim=-1)
    return torch.outer(a, a) - torch.diag(a)''',
    },
    explanation=r"From $\alpha_i = e^{x_i}/Z$ with $Z = \sum_k e^{x_k}$: "
                r"$\partial\alpha_i/\partial x_j = \delta_{ij} e^{x_i}/Z - e^{x_i}e^{x_j}/Z^2 "
                r"= \alpha_i(\delta_{ij} - \alpha_j)$, that is "
                r"$J = \mathrm{diag}(\alpha) - \alpha\alpha^\top$.",
)

OVERFLOW = Question(
    id="2.6",
    title="Where float32 overflows",
    kind="compute",
    points=1,
    prompt=r"""
The largest float32 is about $3.4 \times 10^{38}$. Set `overflow_at` to the smallest
**integer** $x$ for which `torch.exp(torch.tensor(float(x)))` (float32) is `inf`. Work it
out from $\ln(3.4 \times 10^{38})$ first, then check it.
""",
    stub="overflow_at = None  # an integer",
    solution="overflow_at = 89  # ln(3.4e38) = 88.72...",
    hint="the threshold is ln(torch.finfo(torch.float32).max), about 88.72; exp overflows at "
         "the next integer.",
    public=(value("overflow_at", label="overflow_at"),),
    wrong={"float64's threshold": "overflow_at = 710", "rounded down": "overflow_at = 88"},
)

SET = ExerciseSet(
    name="02_soft_attention",
    chapter="chapters/02_soft_attention",
    title="Exercises: soft attention",
    intro="Six exercises on chapter 2: the stable softmax, temperature, masks, the weighted "
          "sum, the softmax Jacobian and float32 overflow.",
    setup="import math\nimport torch",
    questions=(SOFTMAX, TEMPERATURE, MASK, WEIGHTED_SUM, JACOBIAN, OVERFLOW),
)
