"""Public test cases of exercise set 02_soft_attention: `check("N.k")` runs them in the
learner's notebook. Each case names what the answer defines and its inputs; the expected
output is the reference solution's on the same inputs."""

import torch

from attnlib.grading.spec import call, value

_g = torch.Generator().manual_seed(2)
_x = torch.randn(2, 4, generator=_g)

CASES = {
    "2.1": (
        call("stable_softmax", torch.tensor([1.0, 2.0, 3.0]), label="scores [1, 2, 3]"),
        call(
            "stable_softmax",
            torch.tensor([1000.0, 1001.0, 1002.0]),
            label="scores [1000, 1001, 1002] (naive exp overflows)",
        ),
        call("stable_softmax", _x, dim=0, label="a (2, 4) tensor along dim=0"),
    ),
    "2.2": (
        call("softmax_with_temperature", torch.tensor([1.0, 2.0, 3.0]), 0.5, label="tau = 0.5"),
        call("softmax_with_temperature", torch.tensor([1.0, 2.0, 3.0]), 10.0, label="tau = 10"),
    ),
    "2.3": (
        call(
            "masked_softmax",
            torch.tensor([[1.0, 2.0, 3.0]]),
            torch.tensor([[True, True, False]]),
            label="one row, last key masked",
        ),
        call(
            "masked_softmax",
            torch.tensor([[1.0, 2.0], [0.5, 0.5]]),
            torch.tensor([[True, False], [False, False]]),
            label="second row fully masked (expect zeros)",
        ),
    ),
    "2.4": (
        call(
            "attend",
            torch.tensor([[0.25, 0.75]]),
            torch.tensor([[0.0, 4.0], [8.0, 0.0]]),
            label="one query, two values",
        ),
        call(
            "attend",
            torch.softmax(_x[:, :2], -1),
            torch.arange(6.0).reshape(2, 3),
            label="two queries, two values of size 3",
        ),
    ),
    "2.5": (
        call("softmax_jacobian_at", torch.tensor([0.0, 0.0]), label="x = [0, 0]"),
        call("softmax_jacobian_at", torch.tensor([1.0, -1.0, 0.5]), label="x = [1, -1, 0.5]"),
    ),
    "2.6": [
        value("overflow_at", label="overflow_at"),
        call("overflow_threshold", 3.4028234663852886e38, label="float32's largest value"),
    ],
}
