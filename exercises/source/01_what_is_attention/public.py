"""Public test cases of exercise set 01_what_is_attention: `check("N.k")` runs them in the
learner's notebook. Each case names what the answer defines and its inputs; the expected
output is the reference solution's on the same inputs."""

import torch

from attnlib.grading.spec import call, value

CASES = {
    "1.1": (
        call(
            "nadaraya_watson",
            torch.tensor([0.0, 1.5]),
            torch.tensor([0.0, 1.0, 2.0]),
            torch.tensor([0.0, 10.0, 20.0]),
            1.0,
            label="two queries, three keys, h = 1",
        ),
        call(
            "nadaraya_watson",
            torch.tensor([0.5]),
            torch.tensor([0.0, 1.0]),
            torch.tensor([1.0, 3.0]),
            0.5,
            label="one query half-way, h = 0.5",
        ),
    ),
    "1.2": [
        value("alpha_q0_k1", label="alpha_q0_k1", rtol=1e-3),
        call("nw_weight", 0.0, [0.0, 1.0, 2.0], 1.0, 1, label="nw_weight(0, [0, 1, 2], 1, 1)"),
    ],
    "1.3": (
        value("bandwidth_limits", label="bandwidth_limits"),
        call(
            "nw_limits",
            0.8,
            [0.0, 1.0, 3.0],
            [2.0, 5.0, 11.0],
            label="nw_limits(0.8, [0, 1, 3], [2, 5, 11])",
        ),
    ),
    "1.4": (
        call(
            "weights_for",
            torch.tensor([1.0, 0.0]),
            torch.tensor([[1.0, 0.0], [0.0, 1.0]]),
            label="query [1, 0]",
        ),
        call(
            "weights_for",
            torch.tensor([0.0, 2.0]),
            torch.tensor([[1.0, 0.0], [0.0, 1.0]]),
            label="query [0, 2]",
        ),
        value("weights_change", label="weights_change"),
    ),
}
