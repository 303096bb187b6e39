"""Hidden tests for exercises/05_mnist_soft_attention (never shown to learners)."""

import torch

from attnlib.grading.spec import call

g = torch.Generator().manual_seed(50)
alpha = torch.softmax(torch.randn(3, 25, generator=g) * 3, -1).view(3, 5, 5)
alpha[2] = 0.0
alpha[2, 1, 3] = 1.0

CASES = {
    "5.1": [
        call(
            "spatial_attention_pool",
            torch.randn(3, 4, 5, 6, generator=g),
            torch.randn(4, generator=g),
            label="hidden: (3, 4, 5, 6) features",
        ),
        call(
            "spatial_attention_pool",
            torch.randn(1, 8, 7, 7, generator=g) * 5,
            torch.randn(8, generator=g),
            label="hidden: a 7×7 map, peaked",
        ),
    ],
    "5.2": [
        call("attention_positions", 32, 2),
        call("attention_positions", 28, 3),
        call("attention_positions", 64, 1),
    ],
    "5.3": [call("attention_entropy", alpha, label="hidden: three 5×5 maps")],
    "5.4": [
        call("posthoc_map", torch.randn(2, 6, generator=g), 2, 3, label="hidden: (2, 6) to 2×3")
    ],
}
