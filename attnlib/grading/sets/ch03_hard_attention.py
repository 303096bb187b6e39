"""Exercises for chapter 3, hard attention: the zero gradient of a threshold gate, the
REINFORCE estimator with its baseline, the Gumbel-max trick and the Gumbel-softmax."""

import torch

from attnlib.grading.spec import ExerciseSet, Question, call, value

_g = torch.Generator().manual_seed(3)
_logits = torch.randn(4, 3, generator=_g)
_u = torch.rand(4, 3, generator=_g).clamp(1e-6, 1 - 1e-6)

GATE = Question(
    id="3.1",
    title="A threshold gate is not trainable attention",
    kind="predict",
    points=2,
    prompt=r"""
Take the gate $a_i = \mathbf{1}[x_i \ge \theta]$ and the output $y = \sum_i a_i x_i$.
Without running anything, predict $\partial y / \partial \theta$ at a $\theta$ equal to no
$x_i$, and say what `(x >= theta) * x` is: (a) hard attention that backpropagation can train;
(b) a fixed gate whose gradient with respect to $\theta$ is zero almost everywhere, so
$\theta$ cannot be learned by gradient descent; (c) soft attention. Set
`gate = {"dy_dtheta": <a number>, "what": <a letter>}` and explain below.
""",
    stub='gate = {"dy_dtheta": None, "what": None}',
    solution='gate = {"dy_dtheta": 0.0, "what": "b"}',
    hint="a step function is flat on either side of the step: moving theta a little changes "
         "no a_i.",
    public=(value("gate", label="gate"),),
    wrong={"thinks it is hard attention": 'gate = {"dy_dtheta": 0.0, "what": "a"}',
           "non-zero gradient": 'gate = {"dy_dtheta": -1.0, "what": "b"}'},
    explanation="$a_i$ is piecewise constant in $\\theta$, so $\\partial y/\\partial\\theta = 0$ "
                "wherever it exists (and it does not exist at $\\theta = x_i$). Hard attention "
                "instead samples positions and is trained with REINFORCE or a relaxation.",
)

REINFORCE = Question(
    id="3.2",
    title="The REINFORCE estimator with a baseline",
    kind="implement",
    points=3,
    prompt=r"""
A categorical policy picks position $a \sim \mathrm{softmax}(z)$ from logits $z$ and gets a
reward $r$. The score-function (REINFORCE) estimate of $\nabla_z \mathbb{E}[r]$ from one
sample is $(r - b)\, \nabla_z \log p(a \mid z)$, with a baseline $b$ that lowers its variance.
Write `reinforce_grad(logits, actions, rewards, baseline)` for logits `(N, K)`, integer
actions `(N,)`, rewards `(N,)` and a float baseline; return the `(N, K)` per-sample
estimates. Derive $\nabla_z \log p(a \mid z)$ in closed form (or use autograd).
""",
    stub='''def reinforce_grad(logits, actions, rewards, baseline):
    raise NotImplementedError("write reinforce_grad")''',
    solution='''def reinforce_grad(logits, actions, rewards, baseline):
    probs = torch.softmax(logits, dim=-1)  # (N, K)
    onehot = torch.nn.functional.one_hot(actions, logits.shape[-1]).to(logits.dtype)
    grad_log_p = onehot - probs  # d log p(a) / d z
    return (rewards - baseline)[:, None] * grad_log_p  # (N, K)''',
    hint="d log softmax(z)_a / d z = onehot(a) - softmax(z); multiply by (reward - baseline).",
    public=(
        call("reinforce_grad", torch.zeros(1, 2), torch.tensor([0]), torch.tensor([1.0]), 0.0,
             label="two equal logits, action 0, reward 1, no baseline"),
        call("reinforce_grad", _logits, torch.tensor([0, 2, 1, 2]),
             torch.tensor([1.0, 0.0, 2.0, 1.0]), 0.5, label="4 samples, baseline 0.5"),
    ),
    wrong={
        "no log: gradient of p(a)": '''def reinforce_grad(logits, actions, rewards, baseline):
    probs = torch.softmax(logits, dim=-1)
    onehot = torch.nn.functional.one_hot(actions, logits.shape[-1]).to(logits.dtype)
    p_a = (probs * onehot).sum(-1, keepdim=True)
    return (rewards - baseline)[:, None] * p_a * (onehot - probs)''',
        "baseline ignored": '''def reinforce_grad(logits, actions, rewards, baseline):
    probs = torch.softmax(logits, dim=-1)
    onehot = torch.nn.functional.one_hot(actions, logits.shape[-1]).to(logits.dtype)
    return rewards[:, None] * (onehot - probs)''',
        "sign flipped": '''def reinforce_grad(logits, actions, rewards, baseline):
    probs = torch.softmax(logits, dim=-1)
    onehot = torch.nn.functional.one_hot(actions, logits.shape[-1]).to(logits.dtype)
    return (rewards - baseline)[:, None] * (probs - onehot)''',
    },
    explanation=r"$\log p(a \mid z) = z_a - \log\sum_k e^{z_k}$, so "
                r"$\partial/\partial z_k = \delta_{ak} - \mathrm{softmax}(z)_k$. The baseline "
                r"does not bias the estimate because $\mathbb{E}[\nabla_z \log p(a)] = 0$.",
)

GUMBEL_MAX = Question(
    id="3.3",
    title="The Gumbel-max trick",
    kind="implement",
    points=2,
    prompt=r"""
If $g_k = -\log(-\log u_k)$ with $u_k \sim \mathrm{Uniform}(0, 1)$, then
$\arg\max_k (z_k + g_k)$ is a sample from $\mathrm{softmax}(z)$. Write
`gumbel_max_sample(logits, u)` for logits `(N, K)` and uniform noise `u` `(N, K)` (given, so
the result is reproducible); return the `(N,)` sampled indices (int64).
""",
    stub='''def gumbel_max_sample(logits, u):
    raise NotImplementedError("write gumbel_max_sample")''',
    solution='''def gumbel_max_sample(logits, u):
    g = -torch.log(-torch.log(u))  # Gumbel(0, 1) noise
    return torch.argmax(logits + g, dim=-1)''',
    hint="turn u into Gumbel noise with -log(-log(u)), add it to the logits, take the argmax "
         "over the last axis.",
    public=(
        call("gumbel_max_sample", _logits, _u, label="4 rows of 3 logits"),
        call("gumbel_max_sample", torch.tensor([[0.0, 0.0]]), torch.tensor([[0.3, 0.6]]),
             label="equal logits, u = [0.3, 0.6]"),
    ),
    wrong={
        "noise ignored (argmax)": '''def gumbel_max_sample(logits, u):
    return torch.argmax(logits, dim=-1)''',
        "sign of the noise flipped": '''def gumbel_max_sample(logits, u):
    return torch.argmax(logits + torch.log(-torch.log(u)), dim=-1)''',
    },
)

GUMBEL_SOFTMAX = Question(
    id="3.4",
    title="The Gumbel-softmax relaxation",
    kind="implement",
    points=2,
    prompt=r"""
The Gumbel-softmax (Concrete) sample replaces the argmax by a softmax at temperature $\tau$:
$y = \mathrm{softmax}((z + g)/\tau)$. Write `gumbel_softmax_sample(logits, u, tau)` with the
same noise as in 3.3; return `(N, K)` weights. As $\tau \to 0$ they approach the one-hot
Gumbel-max sample.
""",
    stub='''def gumbel_softmax_sample(logits, u, tau):
    raise NotImplementedError("write gumbel_softmax_sample")''',
    solution='''def gumbel_softmax_sample(logits, u, tau):
    g = -torch.log(-torch.log(u))
    return torch.softmax((logits + g) / tau, dim=-1)''',
    hint="add the Gumbel noise to the logits first, then divide the sum by tau.",
    public=(
        call("gumbel_softmax_sample", _logits, _u, 0.5, label="tau = 0.5"),
        call("gumbel_softmax_sample", _logits, _u, 5.0, label="tau = 5"),
    ),
    wrong={
        "noise not divided by tau": '''def gumbel_softmax_sample(logits, u, tau):
    return torch.softmax(logits / tau - torch.log(-torch.log(u)), dim=-1)''',
        "no temperature": '''def gumbel_softmax_sample(logits, u, tau):
    return torch.softmax(logits - torch.log(-torch.log(u)), dim=-1)''',
    },
)

EXACT = Question(
    id="3.5",
    title="The exact gradient REINFORCE estimates",
    kind="compute",
    points=2,
    prompt=r"""
Two positions, logits $z = (0, 0)$, reward $r(a{=}0) = 1$ and $r(a{=}1) = 0$. Derive
$\nabla_z \mathbb{E}_{a \sim \mathrm{softmax}(z)}[r(a)]$ exactly and set `exact_grad` to it
as a list of two floats. (The mean of your `reinforce_grad` over many samples should approach
it.)
""",
    stub="exact_grad = None  # [d/dz0, d/dz1]",
    solution="exact_grad = [0.25, -0.25]  # p0 (r0 - E r) = 0.5 * 0.5, and the opposite",
    hint="E[r] = p0 = softmax(z)_0, and d p0 / d z = p0 (onehot(0) - p).",
    public=(value("exact_grad", label="exact_grad"),),
    wrong={"forgot the softmax's normalisation": "exact_grad = [0.5, 0.0]",
           "sign flipped": "exact_grad = [-0.25, 0.25]"},
)

SET = ExerciseSet(
    name="03_hard_attention",
    chapter="chapters/03_hard_attention",
    title="Exercises: hard attention",
    intro="Five exercises on chapter 3: why a threshold gate cannot be trained, the REINFORCE "
          "estimator with a baseline, the Gumbel-max trick and its softmax relaxation.",
    setup="import math\nimport torch",
    questions=(GATE, REINFORCE, GUMBEL_MAX, GUMBEL_SOFTMAX, EXACT),
)
