"""Public test cases, exercise set 09_attention_analysis: `check("N.k")` runs them in the learner's
notebook and shows what they expect. Each case names what the answer defines and its inputs;
the expected output is the reference solution's on the same inputs."""

import torch

from attnlib.grading.spec import call

A1 = torch.tensor([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
A2 = torch.tensor([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.5, 0.5]])


CASES = {
    "9.1": (
        call(
            "masked_entropy",
            torch.tensor([[0.5, 0.5, 0.0]]),
            torch.tensor([[True, True, False]]),
            label="two of three positions, uniform",
        ),
        call(
            "masked_entropy",
            torch.tensor([[0.7, 0.3, 0.4], [0.0, 0.0, 0.0]]),
            torch.tensor([[True, True, False], [False, False, False]]),
            label="a masked leftover, and a fully masked row",
        ),
    ),
    "9.2": (call("rollout_two_layers", A1, A2, label="the three-token example"),),
    "9.3": (
        call("deletion_area", torch.tensor([1.0, 0.5, 0.25, 0.0, 0.0]), label="U = 4"),
        call("deletion_area", torch.tensor([0.9, 0.9]), label="U = 1, flat"),
    ),
    "9.4": (
        call(
            "kendall_tau",
            torch.tensor([1.0, 2.0, 3.0, 4.0]),
            torch.tensor([1.0, 2.0, 4.0, 3.0]),
            label="one swapped pair",
        ),
        call(
            "kendall_tau",
            torch.tensor([3.0, 1.0, 2.0]),
            torch.tensor([-3.0, -1.0, -2.0]),
            label="reversed",
        ),
    ),
    "9.5": (
        call(
            "integrated_gradients",
            torch.tensor([[1.0, -1.0, 0.5], [0.3, 0.2, -2.0]]),
            torch.tensor([1.0, -2.0, 0.5]),
            torch.zeros(3),
            16,
            label="h = 2, d = 3, m = 16",
        ),
    ),
}
