"""Public test cases of exercise set 04_scoring_and_multihead: `check("N.k")` runs them in the
learner's notebook. Each case names what the answer defines and its inputs; the expected
output is the reference solution's on the same inputs."""

import torch

from attnlib.grading.spec import call, value

_g = torch.Generator().manual_seed(4)
_q, _k, _v = (torch.randn(2, 3, 8, generator=_g) for _ in range(3))

CASES = {
    "4.1": (
        call("sdpa", _q, _k, _v, label="(2, 3, 8) inputs, no mask"),
        call(
            "sdpa",
            _q,
            _k,
            _v,
            torch.tensor([[True, False, False], [True, True, False], [True, True, True]]),
            label="a causal mask",
        ),
    ),
    "4.2": [
        value("variances", label="variances"),
        call("dot_variance", 64, False, label="d_k = 64, unscaled"),
    ],
    "4.3": (call("causal_mask", 3, label="n = 3"),),
    "4.4": (
        call("split_heads", torch.arange(24.0).reshape(1, 3, 8), 2, label="(1, 3, 8), 2 heads"),
    ),
    "4.5": [
        value("cost", label="cost"),
        call("weights_mib", 4096, 8, label="n = 4096, 8 heads"),
    ],
}
