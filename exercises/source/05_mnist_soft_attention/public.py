"""Public test cases of exercise set 05_mnist_soft_attention: `check("N.k")` runs them in the
learner's notebook. Each case names what the answer defines and its inputs; the expected
output is the reference solution's on the same inputs."""

import torch

from attnlib.grading.spec import call, value

_g = torch.Generator().manual_seed(5)
_f = torch.randn(2, 3, 4, 4, generator=_g)
_w = torch.randn(3, generator=_g)

CASES = {
    "5.1": (
        call("spatial_attention_pool", _f, _w, label="(2, 3, 4, 4) features"),
        call(
            "spatial_attention_pool",
            torch.ones(1, 2, 2, 2),
            torch.tensor([1.0, -1.0]),
            label="a constant map (uniform weights)",
        ),
    ),
    "5.2": [
        value("positions", label="positions"),
        call("attention_positions", 28, 2, label="28 x 28, two blocks"),
    ],
    "5.3": (
        call("attention_entropy", torch.full((1, 2, 2), 0.25), label="uniform 2×2 map"),
        call("attention_entropy", torch.tensor([[[1.0, 0.0], [0.0, 0.0]]]), label="one-hot map"),
    ),
    "5.4": (
        call("posthoc_map", torch.tensor([[0.0, 1.0, 2.0, 3.0]]), 2, 2, label="(1, 4) to 2×2"),
        value("posthoc", label="posthoc"),
    ),
}
