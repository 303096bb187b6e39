"""Public test cases of exercise set 03_hard_attention: `check("N.k")` runs them in the
learner's notebook. Each case names what the answer defines and its inputs; the expected
output is the reference solution's on the same inputs."""

import torch

from attnlib.grading.spec import call, value

_g = torch.Generator().manual_seed(3)
_logits = torch.randn(4, 3, generator=_g)
_u = torch.rand(4, 3, generator=_g).clamp(1e-6, 1 - 1e-6)

CASES = {
    "3.1": (
        value("gate", label="gate"),
        call(
            "gate_grads", [0.2, 1.5, -0.3, 0.9], 0.5, label="gate_grads([0.2, 1.5, -0.3, 0.9], 0.5)"
        ),
    ),
    "3.2": (
        call(
            "reinforce_grad",
            torch.zeros(1, 2),
            torch.tensor([0]),
            torch.tensor([1.0]),
            0.0,
            label="two equal logits, action 0, reward 1, no baseline",
        ),
        call(
            "reinforce_grad",
            _logits,
            torch.tensor([0, 2, 1, 2]),
            torch.tensor([1.0, 0.0, 2.0, 1.0]),
            0.5,
            label="4 samples, baseline 0.5",
        ),
    ),
    "3.3": (
        call("gumbel_max_sample", _logits, _u, label="4 rows of 3 logits"),
        call(
            "gumbel_max_sample",
            torch.tensor([[0.0, 0.0]]),
            torch.tensor([[0.3, 0.6]]),
            label="equal logits, u = [0.3, 0.6]",
        ),
    ),
    "3.4": (
        call("gumbel_softmax_sample", _logits, _u, 0.5, label="tau = 0.5"),
        call("gumbel_softmax_sample", _logits, _u, 5.0, label="tau = 5"),
    ),
    "3.5": [
        value("exact_grad", label="exact_grad"),
        call("exact_grad_for", [0.0, 0.0], [1.0, 0.0], label="logits (0, 0), rewards (1, 0)"),
    ],
}
