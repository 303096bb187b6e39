"""Hidden tests for exercises/01_what_is_attention (never shown to learners)."""

import torch

from attnlib.grading.spec import call

g = torch.Generator().manual_seed(10)
keys = torch.sort(torch.rand(12, generator=g) * 5).values
vals = torch.sin(keys) + 0.1 * torch.randn(12, generator=g)

CASES = {
    "1.1": [
        call(
            "nadaraya_watson",
            torch.linspace(0, 5, 7),
            keys,
            vals,
            0.3,
            label="hidden: 7 queries, h = 0.3",
        ),
        call("nadaraya_watson", torch.linspace(0, 5, 4), keys, vals, 2.0, label="hidden: h = 2"),
        call(
            "nadaraya_watson",
            torch.tensor([2.5]),
            keys[:3],
            vals[:3],
            0.1,
            label="hidden: far query, h = 0.1",
        ),
    ],
    "1.2": [
        call("nw_weight", 0.5, [0.0, 1.0, 3.0], 0.7, 2),
        call("nw_weight", -1.0, [0.0, 2.0], 2.0, 0),
        call("nw_weight", 1.0, [1.0, 1.5, 4.0, -2.0], 0.3, 1),
    ],
    "1.3": [
        call("nw_limits", 2.2, [0.0, 1.0, 3.0, 4.0], [5.0, -1.0, 2.0, 7.0]),
        call("nw_limits", -1.0, [2.0, -0.5, 0.5], [1.0, 4.0, -3.0]),
        call("nw_limits", 10.0, [9.5, -3.0, 12.0, 4.0, 11.0], [0.5, 2.0, -6.0, 3.0, 1.5]),
    ],
    "1.4": [
        call(
            "weights_for",
            torch.randn(3, generator=g),
            torch.randn(5, 3, generator=g),
            label="hidden: 5 keys",
        ),
    ],
}
