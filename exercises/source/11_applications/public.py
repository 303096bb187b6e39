"""Public test cases, exercise set 11_applications: `check("N.k")` runs them in the learner's
notebook and shows what they expect. Each case names what the answer defines and its inputs;
the expected output is the reference solution's on the same inputs."""

import torch

from attnlib.grading.spec import call

g = torch.Generator().manual_seed(11)

CASES = {
    "11.1": (
        call(
            "se_gate",
            torch.randn(2, 4, 3, 3, generator=g),
            torch.randn(2, 4, generator=g),
            torch.zeros(2),
            torch.randn(4, 2, generator=g),
            torch.zeros(4),
            label="2 images, 4 channels, reduction 2",
        ),
    ),
    "11.2": (
        call(
            "target_attention",
            torch.randn(2, 5, 4, generator=g),
            torch.randn(2, 4, generator=g),
            label="2 users, histories of 5 items, E = 4",
        ),
    ),
    "11.3": (
        call(
            "relevant_mass",
            torch.tensor([[0.7, 0.2, 0.1], [0.2, 0.3, 0.5]]),
            torch.tensor([[True, False, False], [False, True, True]]),
            label="relevant_mass",
        ),
        call(
            "top1_hit",
            torch.tensor([[0.7, 0.2, 0.1], [0.6, 0.3, 0.1]]),
            torch.tensor([[True, False, False], [False, True, True]]),
            label="top1_hit",
        ),
    ),
    "11.4": (
        call(
            "auc", torch.tensor([0.1, 0.4, 0.35, 0.8]), torch.tensor([0, 0, 1, 1]), label="no ties"
        ),
        call(
            "auc", torch.tensor([0.5, 0.5, 0.5, 0.9]), torch.tensor([0, 1, 0, 1]), label="with ties"
        ),
    ),
}
