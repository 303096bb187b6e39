"""Hidden tests for exercises/03_hard_attention (never shown to learners)."""

import torch

from attnlib.grading.spec import call

g = torch.Generator().manual_seed(30)
logits = torch.randn(6, 5, generator=g) * 2
u = torch.rand(6, 5, generator=g).clamp(1e-6, 1 - 1e-6)

CASES = {
    "3.1": [
        call("gate_grads", [-1.0, 2.5, 0.25, -4.0, 3.0], -2.0),
        call("gate_grads", [0.5, 0.75, -0.5], 1.0),
        call("gate_grads", [2.0, -3.0, 7.5, 1.0], 1.5),
    ],
    "3.2": [
        call(
            "reinforce_grad",
            logits,
            torch.randint(0, 5, (6,), generator=g),
            torch.randn(6, generator=g),
            -0.3,
            label="hidden: 6 samples of 5 positions",
        ),
        call(
            "reinforce_grad",
            logits[:2],
            torch.tensor([4, 4]),
            torch.tensor([3.0, 3.0]),
            3.0,
            label="hidden: reward equal to the baseline",
        ),
    ],
    "3.3": [
        call("gumbel_max_sample", logits, u, label="hidden: 6 x 5"),
        call("gumbel_max_sample", torch.zeros(2, 4), u[:2, :4], label="hidden: equal logits"),
    ],
    "3.4": [
        call("gumbel_softmax_sample", logits, u, 0.1, label="hidden: tau = 0.1"),
        call("gumbel_softmax_sample", logits, u, 2.0, label="hidden: tau = 2"),
    ],
    "3.5": [
        call("exact_grad_for", [0.0, 1.0, -1.0], [1.0, 0.0, 2.0]),
        call("exact_grad_for", [2.0, 0.5], [0.0, 3.0]),
    ],
}
