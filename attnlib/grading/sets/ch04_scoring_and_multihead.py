"""Exercises for chapter 4, scoring functions and multi-head attention: scaled dot-product
attention, the variance argument for 1/sqrt(d_k), causal masks, splitting heads, and cost."""

import torch

from attnlib.grading.spec import ExerciseSet, Question, call, value

_g = torch.Generator().manual_seed(4)
_q, _k, _v = (torch.randn(2, 3, 8, generator=_g) for _ in range(3))

SDPA = Question(
    id="4.1",
    title="Scaled dot-product attention with a mask",
    kind="implement",
    points=3,
    prompt=r"""
Write `sdpa(q, k, v, mask=None)` for `q` `(..., L, d_k)`, `k` `(..., S, d_k)`, `v`
`(..., S, d_v)` and an optional boolean `mask` broadcastable to `(..., L, S)` with **`True` =
may be attended**:

$$\mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}}\right)V.$$

Return the `(..., L, d_v)` output. (Every test row keeps at least one unmasked key.)
""",
    stub='''def sdpa(q, k, v, mask=None):
    raise NotImplementedError("write sdpa")''',
    solution='''def sdpa(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., L, S)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v  # (..., L, d_v)''',
    hint="divide q @ k.transpose(-2, -1) by sqrt(d_k), fill -inf where mask is False, and "
         "take the softmax over the keys (the last axis).",
    public=(
        call("sdpa", _q, _k, _v, label="(2, 3, 8) inputs, no mask"),
        call("sdpa", _q, _k, _v, torch.tensor([[True, False, False], [True, True, False],
                                              [True, True, True]]), label="a causal mask"),
    ),
    wrong={
        "missing sqrt(d_k)": '''def sdpa(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v''',
        "inverted mask": '''def sdpa(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    return torch.nan_to_num(torch.softmax(scores, dim=-1)) @ v''',
        "softmax over the queries": '''def sdpa(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.nan_to_num(torch.softmax(scores, dim=-2)) @ v''',
        "divided by d_k": '''def sdpa(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / q.shape[-1]
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v''',
    },
)

VARIANCE = Question(
    id="4.2",
    title="Why divide by the square root of d_k",
    kind="compute",
    points=2,
    prompt=r"""
Let $q, k \in \mathbb{R}^{64}$ have independent components with mean 0 and variance 1.
Derive $\mathrm{Var}(q^\top k)$ and $\mathrm{Var}(q^\top k / \sqrt{64})$. Set
`variances = {"unscaled": ..., "scaled": ...}` (numbers).
""",
    stub='variances = {"unscaled": None, "scaled": None}',
    solution='variances = {"unscaled": 64.0, "scaled": 1.0}  # d_k terms of variance 1 each',
    hint="q.k is a sum of d_k independent products q_i k_i, each of mean 0 and variance "
         "E[q_i^2] E[k_i^2] = 1.",
    public=(value("variances", label="variances"),),
    wrong={"standard deviation instead": 'variances = {"unscaled": 8.0, "scaled": 1.0}',
           "scaled by d_k": 'variances = {"unscaled": 64.0, "scaled": 0.015625}'},
    explanation=r"$\mathrm{Var}(\sum_i q_i k_i) = \sum_i \mathbb{E}[q_i^2]\mathbb{E}[k_i^2] = d_k$ "
                r"(the terms are uncorrelated with mean 0), and dividing by $\sqrt{d_k}$ "
                r"divides the variance by $d_k$.",
)

CAUSAL = Question(
    id="4.3",
    title="A causal mask",
    kind="implement",
    points=2,
    prompt=r"""
Write `causal_mask(n)`: the `(n, n)` boolean mask in which query $i$ may attend to key $j$
exactly when $j \le i$ (**`True` = may be attended**, the convention of
`torch.nn.functional.scaled_dot_product_attention`).
""",
    stub='''def causal_mask(n):
    raise NotImplementedError("write causal_mask")''',
    solution='''def causal_mask(n):
    return torch.ones(n, n, dtype=torch.bool).tril()''',
    hint="the allowed positions form the lower triangle, diagonal included: torch.tril.",
    public=(call("causal_mask", 3, label="n = 3"),),
    wrong={
        "inverted (True = masked)": '''def causal_mask(n):
    return torch.ones(n, n, dtype=torch.bool).triu(1)''',
        "diagonal excluded": '''def causal_mask(n):
    return torch.ones(n, n, dtype=torch.bool).tril(-1)''',
        "upper triangle": '''def causal_mask(n):
    return torch.ones(n, n, dtype=torch.bool).triu()''',
    },
)

HEADS = Question(
    id="4.4",
    title="Splitting heads",
    kind="implement",
    points=3,
    prompt=r"""
Multi-head attention splits the embedding of size $E$ into $H$ heads of size $D = E/H$.
Write `split_heads(x, num_heads)` that turns `(B, L, E)` into `(B, H, L, D)` such that head
`h` holds features `h*D : (h+1)*D` of every position (check against
`attnlib.MultiHeadAttention._split_heads`).
""",
    stub='''def split_heads(x, num_heads):
    raise NotImplementedError("write split_heads")''',
    solution='''def split_heads(x, num_heads):
    B, L, E = x.shape
    return x.view(B, L, num_heads, E // num_heads).transpose(1, 2)  # (B, H, L, D)''',
    hint="view as (B, L, H, D) first (features stay contiguous), then swap the L and H axes; "
         "a direct view to (B, H, L, D) mixes positions.",
    public=(call("split_heads", torch.arange(24.0).reshape(1, 3, 8), 2, label="(1, 3, 8), 2 heads"),),
    wrong={
        "view straight to (B, H, L, D)": '''def split_heads(x, num_heads):
    B, L, E = x.shape
    return x.view(B, num_heads, L, E // num_heads)''',
        "heads interleaved": '''def split_heads(x, num_heads):
    B, L, E = x.shape
    return x.view(B, L, E // num_heads, num_heads).permute(0, 3, 1, 2)''',
    },
)

COST = Question(
    id="4.5",
    title="The quadratic cost",
    kind="compute",
    points=2,
    prompt=r"""
Self-attention over $n$ positions with $H$ heads stores an $H \times n \times n$ weight
tensor. In float32, how many **mebibytes** does it take for $n = 4096$ and $H = 8$ (one
example)? And by what factor does it grow when $n$ doubles? Set
`cost = {"mib": ..., "factor": ...}`.
""",
    stub='cost = {"mib": None, "factor": None}',
    solution='cost = {"mib": 8 * 4096**2 * 4 / 2**20, "factor": 4}  # 512 MiB; n^2',
    hint="H * n * n numbers of 4 bytes each; a mebibyte is 2**20 bytes; n^2 grows 4-fold "
         "when n doubles.",
    public=(value("cost", label="cost"),),
    wrong={"linear in n": 'cost = {"mib": 512.0, "factor": 2}',
           "forgot the heads": 'cost = {"mib": 64.0, "factor": 4}'},
)

SET = ExerciseSet(
    name="04_scoring_and_multihead",
    chapter="chapters/04_scoring_and_multihead",
    title="Exercises: scoring functions and multi-head attention",
    intro="Five exercises on chapter 4: scaled dot-product attention with a mask, the variance "
          "argument for the scaling, causal masks, splitting heads, and the quadratic cost.",
    setup="import math\nimport torch\nimport attnlib",
    questions=(SDPA, VARIANCE, CAUSAL, HEADS, COST),
)
