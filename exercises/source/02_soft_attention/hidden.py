"""Hidden tests for exercises/02_soft_attention (never shown to learners)."""

import torch

from attnlib.grading.spec import call

g = torch.Generator().manual_seed(20)
x3 = torch.randn(2, 3, 5, generator=g) * 4

CASES = {
    "2.1": [
        call("stable_softmax", x3, dim=1, label="hidden: (2, 3, 5) along dim=1"),
        call("stable_softmax", x3 * 300, dim=-1, label="hidden: scores up to ~4000"),
        call("stable_softmax", torch.tensor([-1000.0, -1001.0]), label="hidden: very negative"),
    ],
    "2.2": [
        call("softmax_with_temperature", x3[0], 0.05, label="hidden: tau = 0.05"),
        call("softmax_with_temperature", x3[1], 3.0, label="hidden: tau = 3"),
    ],
    "2.3": [
        call(
            "masked_softmax",
            x3[0],
            torch.rand(3, 5, generator=g) > 0.4,
            label="hidden: random mask",
        ),
        call(
            "masked_softmax",
            x3[1],
            torch.tensor([[True] * 5, [False] * 5, [True, False] * 2 + [True]]),
            label="hidden: full, empty and alternating rows",
        ),
    ],
    "2.4": [
        call(
            "attend",
            torch.softmax(x3[0], -1),
            torch.randn(5, 4, generator=g),
            label="hidden: (3, 5) @ (5, 4)",
        ),
        call(
            "attend",
            torch.softmax(x3[0, :, :3], -1),
            torch.randn(3, 3, generator=g),
            label="hidden: square",
        ),
    ],
    "2.5": [
        call("softmax_jacobian_at", x3[0, 0], label="hidden: length 5"),
        call("softmax_jacobian_at", torch.tensor([10.0, 0.0, -10.0]), label="hidden: peaked"),
    ],
    "2.6": [
        call("overflow_threshold", 65504.0),
        call("overflow_threshold", 1.7976931348623157e308),
        call("overflow_threshold", 3.3895313892515355e38),
    ],
}
