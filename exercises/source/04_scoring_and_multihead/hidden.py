"""Hidden tests for exercises/04_scoring_and_multihead (never shown to learners)."""

import torch

from attnlib.grading.spec import call

g = torch.Generator().manual_seed(40)
q = torch.randn(2, 2, 4, 16, generator=g) * 2
k = torch.randn(2, 2, 6, 16, generator=g) * 2
v = torch.randn(2, 2, 6, 5, generator=g)
mask = torch.rand(4, 6, generator=g) > 0.5
mask[:, 0] = True

CASES = {
    "4.1": [
        call("sdpa", q, k, v, label="hidden: (2, 2, 4, 16) queries, 6 keys"),
        call("sdpa", q, k, v, mask, label="hidden: random mask"),
        call("sdpa", q[0, 0], k[0, 0], v[0, 0], mask, label="hidden: 2-D inputs"),
    ],
    "4.2": [
        call("dot_variance", 16, False),
        call("dot_variance", 16, True),
        call("dot_variance", 512, False),
    ],
    "4.3": [
        call("causal_mask", 1, label="hidden: n = 1"),
        call("causal_mask", 6, label="hidden: n = 6"),
    ],
    "4.4": [
        call(
            "split_heads",
            torch.randn(2, 5, 12, generator=g),
            3,
            label="hidden: (2, 5, 12), 3 heads",
        ),
        call(
            "split_heads", torch.randn(1, 4, 8, generator=g), 4, label="hidden: 4 heads of size 2"
        ),
    ],
    "4.5": [
        call("weights_mib", 1024, 12),
        call("weights_mib", 2048, 1),
        call("weights_mib", 300, 3),
    ],
}
