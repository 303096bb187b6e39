"""Exercises for chapter 5, spatial soft attention in a CNN: attention pooling over a feature
map, its size, the entropy of the weights, and the post-hoc softmax fallacy."""

import torch

from attnlib.grading.spec import ExerciseSet, Question, call, value

_g = torch.Generator().manual_seed(5)
_f = torch.randn(2, 3, 4, 4, generator=_g)
_w = torch.randn(3, generator=_g)

POOL = Question(
    id="5.1",
    title="Attention pooling over a feature map",
    kind="implement",
    points=3,
    prompt=r"""
The chapter's classifier sees only $\sum_i \alpha_i v_i$, where $v_i \in \mathbb{R}^C$ is
the feature vector at position $i$ of a `(C, H, W)` feature map, the score is
$s_i = w^\top v_i$ and $\alpha = \mathrm{softmax}(s)$ over the $HW$ positions. Write
`spatial_attention_pool(features, w)` for features `(B, C, H, W)` and `w` `(C,)`; return
`(pooled, alpha)` with `pooled` `(B, C)` and `alpha` `(B, H, W)`.
""",
    stub='''def spatial_attention_pool(features, w):
    raise NotImplementedError("write spatial_attention_pool")''',
    solution='''def spatial_attention_pool(features, w):
    B, C, H, W = features.shape
    v = features.flatten(2)  # (B, C, H*W)
    scores = torch.einsum("c,bcn->bn", w, v)  # (B, H*W)
    alpha = torch.softmax(scores, dim=-1)  # over the positions
    pooled = torch.einsum("bn,bcn->bc", alpha, v)  # sum_i alpha_i v_i
    return pooled, alpha.view(B, H, W)''',
    hint="flatten the map to (B, C, H*W), score each position with w, take the softmax over "
         "the H*W positions (not the channels, not the batch), then sum alpha_i v_i.",
    public=(
        call("spatial_attention_pool", _f, _w, label="(2, 3, 4, 4) features"),
        call("spatial_attention_pool", torch.ones(1, 2, 2, 2), torch.tensor([1.0, -1.0]),
             label="a constant map (uniform weights)"),
    ),
    wrong={
        "softmax over the channels": '''def spatial_attention_pool(features, w):
    B, C, H, W = features.shape
    alpha_c = torch.softmax(features * w[None, :, None, None], dim=1)
    alpha = alpha_c.mean(1)
    return (alpha_c * features).sum((2, 3)), alpha''',
        "rescaled map, averaged": '''def spatial_attention_pool(features, w):
    B, C, H, W = features.shape
    scores = torch.einsum("c,bchw->bhw", w, features)
    alpha = torch.softmax(scores.flatten(1), dim=-1).view(B, H, W)
    return (features * alpha[:, None]).mean((2, 3)), alpha''',
        "softmax over the batch": '''def spatial_attention_pool(features, w):
    B, C, H, W = features.shape
    v = features.flatten(2)
    alpha = torch.softmax(torch.einsum("c,bcn->bn", w, v), dim=0)
    return torch.einsum("bn,bcn->bc", alpha, v), alpha.view(B, H, W)''',
    },
)

SIZE = Question(
    id="5.2",
    title="How many positions",
    kind="compute",
    points=1,
    prompt=r"""
A 28×28 image passes through two blocks of (3×3 convolution with padding 1, then 2×2 max-pool
with stride 2). Over how many positions does the attention of 5.1 distribute its weights, and
what is each weight when all scores are equal? Set `positions = {"n": ..., "uniform": ...}`.
""",
    stub='positions = {"n": None, "uniform": None}',
    solution='positions = {"n": 49, "uniform": 1 / 49}  # 28 -> 14 -> 7',
    hint="padding 1 keeps 28×28; each pool halves the side: 28 -> 14 -> 7.",
    public=(value("positions", label="positions"),),
    wrong={"one pool only": 'positions = {"n": 196, "uniform": 1 / 196}',
           "side, not area": 'positions = {"n": 7, "uniform": 1 / 7}'},
)

ENTROPY = Question(
    id="5.3",
    title="How concentrated is the attention",
    kind="implement",
    points=2,
    prompt=r"""
Write `attention_entropy(alpha)` for weights `(B, H, W)`, each map summing to 1: return the
`(B,)` entropies $-\sum_i \alpha_i \ln \alpha_i$ in nats, with $0 \ln 0 = 0$ (a one-hot map
has entropy 0, a uniform one $\ln HW$).
""",
    stub='''def attention_entropy(alpha):
    raise NotImplementedError("write attention_entropy")''',
    solution='''def attention_entropy(alpha):
    p = alpha.flatten(1)  # (B, H*W)
    terms = torch.where(p > 0, -p * torch.log(p), torch.zeros_like(p))  # 0 log 0 = 0
    return terms.sum(-1)''',
    hint="use the natural log, sum over the positions of each map (not over the batch), and "
         "treat 0 log 0 as 0 (torch.where or torch.special.xlogy).",
    public=(
        call("attention_entropy", torch.full((1, 2, 2), 0.25), label="uniform 2×2 map"),
        call("attention_entropy", torch.tensor([[[1.0, 0.0], [0.0, 0.0]]]), label="one-hot map"),
    ),
    wrong={
        "NaN on zeros": '''def attention_entropy(alpha):
    p = alpha.flatten(1)
    return -(p * torch.log(p)).sum(-1)''',
        "log base 2": '''def attention_entropy(alpha):
    p = alpha.flatten(1)
    return -torch.special.xlogy(p, p).sum(-1) / math.log(2)''',
    },
)

POSTHOC = Question(
    id="5.4",
    title="A softmax applied after the fact",
    kind="predict",
    points=2,
    prompt=r"""
Someone trains a plain CNN (no attention), flattens one of its layers, applies a softmax to
it and plots the result as "the model's attention". Write `posthoc_map(activations, h, w)`
that does exactly that for activations `(B, h*w)` (softmax over the last axis, reshaped to
`(B, h, w)`), then answer: that map (a) shows where the classifier looked; (b) explains
nothing about the prediction, since the classifier never used these weights: changing them
would not change its output. Set `posthoc = "a"` or `"b"` and explain below.
""",
    stub='''def posthoc_map(activations, h, w):
    raise NotImplementedError("write posthoc_map")

posthoc = None''',
    solution='''def posthoc_map(activations, h, w):
    return torch.softmax(activations, dim=-1).view(-1, h, w)

posthoc = "b"''',
    hint="is the softmaxed map anywhere in the forward pass that produced the prediction?",
    public=(
        call("posthoc_map", torch.tensor([[0.0, 1.0, 2.0, 3.0]]), 2, 2, label="(1, 4) to 2×2"),
        value("posthoc", label="posthoc"),
    ),
    wrong={"believes the map": '''def posthoc_map(activations, h, w):
    return torch.softmax(activations, dim=-1).view(-1, h, w)

posthoc = "a"'''},
    explanation="The classifier of the plain CNN never multiplies anything by these weights, "
                "so they are a monotone transform of one layer, not a cause of the output. In "
                "the chapter's model the weights are part of the forward pass: the classifier "
                "sees only $\\sum_i \\alpha_i v_i$.",
)

SET = ExerciseSet(
    name="05_mnist_soft_attention",
    chapter="chapters/05_mnist_soft_attention",
    title="Exercises: spatial soft attention in a CNN",
    intro="Four exercises on chapter 5, on small tensors (no training, no dataset): attention "
          "pooling over a feature map, its size, its entropy, and why a softmax applied "
          "after the fact is not attention.",
    setup="import math\nimport torch",
    questions=(POOL, SIZE, ENTROPY, POSTHOC),
)
