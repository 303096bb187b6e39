"""Public test cases of exercise set 06_mnist_glimpses: `check("N.k")` runs them in the
learner's notebook. Each case names what the answer defines and its inputs; the expected
output is the reference solution's on the same inputs."""

import torch

from attnlib.grading.spec import call, value

_img = torch.arange(36.0).reshape(6, 6)

CASES = {
    "6.1": (
        call("extract_glimpse", _img, 2, 3, 3, label="3×3 at (2, 3), inside"),
        call("extract_glimpse", _img, 0, 0, 3, label="3×3 at the corner (0, 0)"),
    ),
    "6.2": (
        call("pixels_seen", 28, 28, 8, [[14, 14]], label="one glimpse inside"),
        call("pixels_seen", 28, 28, 8, [[14, 14], [16, 14]], label="two overlapping glimpses"),
    ),
    "6.3": (
        call(
            "location_loss",
            torch.tensor([[0.0, 0.0]]),
            torch.tensor([[0.1, -0.2]]),
            0.2,
            torch.tensor([1.0]),
            torch.tensor([0.5]),
            label="one sample",
        ),
        call(
            "location_loss",
            torch.tensor([[0.0, 0.5], [0.3, -0.1]]),
            torch.tensor([[0.2, 0.4], [0.1, 0.1]]),
            0.1,
            torch.tensor([1.0, 0.0]),
            torch.tensor([0.6, 0.6]),
            label="two samples",
        ),
    ),
    "6.4": (
        value("why", label="why"),
        call("slice_slope", _img, 2.3, 3, 3, 0.5, label="row 2.3, h = 0.5: no integer crossed"),
        call("slice_slope", _img, 2.7, 3, 3, 0.5, label="row 2.7, h = 0.5: row 3 reached"),
    ),
    "6.5": (
        call(
            "expected_estimate",
            torch.tensor([0.0, 1.0, -1.0]),
            torch.tensor([1.0, 0.0, 1.0]),
            0.5,
            torch.tensor([0.9, 0.1, 0.8]),
            label="three places",
        ),
    ),
}
