"""Hidden tests for exercises/06_mnist_glimpses (never shown to learners)."""

import torch

from attnlib.grading.spec import call

g = torch.Generator().manual_seed(60)
img = torch.randn(9, 7, generator=g)

CASES = {
    "6.1": [
        call("extract_glimpse", img, 8, 1, 4, label="hidden: 4×4 at the bottom-left border"),
        call("extract_glimpse", img, 4, 5, 5, label="hidden: 5×5 on a 9×7 image"),
        call("extract_glimpse", img, 3, 2, 1, label="hidden: a single pixel"),
    ],
    "6.2": [
        call("pixels_seen", 28, 28, 12, [[0, 0], [27, 27], [1, 1]], label="hidden: corners"),
        call("pixels_seen", 10, 20, 4, [[5, 5], [5, 7], [5, 9]], label="hidden: a row of glimpses"),
    ],
    "6.3": [
        call(
            "location_loss",
            torch.randn(5, 2, generator=g) * 0.3,
            torch.randn(5, 2, generator=g) * 0.3,
            0.15,
            (torch.rand(5, generator=g) > 0.5).float(),
            torch.full((5,), 0.4),
            label="hidden: 5 samples",
        ),
    ],
    "6.4": [
        call("slice_slope", img, 4.2, 3, 3, 0.1, label="hidden: no integer crossed"),
        call("slice_slope", img, 5.45, 2, 4, 0.6, label="hidden: one row down"),
        call("slice_slope", img, 1.6, 5, 2, 1.5, label="hidden: two rows down"),
    ],
    "6.5": [
        call(
            "expected_estimate",
            torch.randn(5, generator=g),
            (torch.rand(5, generator=g) > 0.5).float(),
            0.3,
            torch.rand(5, generator=g),
            label="hidden: five places",
        ),
        call(
            "expected_estimate",
            torch.tensor([2.0, -0.5]),
            torch.tensor([0.25, 1.0]),
            -1.0,
            torch.tensor([0.0, 3.0]),
            label="hidden: two places, a negative baseline",
        ),
    ],
}
