"""Public test cases, exercise set 10_efficient_attention: `check("N.k")` runs them in the
learner's notebook and shows what they expect. Each case names what the answer defines and its
inputs; the expected output is the reference solution's on the same inputs."""

import torch

from attnlib.grading.spec import call

_g = torch.Generator().manual_seed(10)
_x = torch.randn(7, generator=_g) * 3
_q, _k, _v = torch.randn(5, 4, generator=_g), torch.randn(9, 4, generator=_g), None
_v = torch.randn(9, 3, generator=_g)
_inf = float("-inf")

CASES = {
    "10.1": (
        call(
            "merge",
            torch.tensor([2.0]),
            torch.tensor([1.5]),
            torch.tensor([5.0]),
            torch.tensor([1.2]),
            label="the second chunk has the larger maximum",
        ),
        call(
            "merge",
            torch.tensor([_inf]),
            torch.tensor([0.0]),
            torch.tensor([1.0]),
            torch.tensor([2.0]),
            label="the first chunk is empty (m = -inf, l = 0)",
        ),
    ),
    "10.2": (
        call("chunked_attention_rows", _q, _k, _v, 4, label="9 keys in blocks of 4"),
        call("chunked_attention_rows", _q, _k, _v, 9, label="one block of all 9 keys"),
    ),
    "10.3": (
        call("block_bytes", 16384, 1024, 2048, label="n = 16384, blocks of 1024 x 2048"),
        call("block_bytes", 500, 1024, 256, label="a chunk size larger than n"),
        call("naive_bytes", 16384, label="naive at n = 16384"),
    ),
    "10.4": (
        call("causal_block_mask", 0, 4, 0, 4, label="the first diagonal block"),
        call("causal_block_mask", 4, 8, 0, 4, label="a block below the diagonal (all True)"),
    ),
    "10.5": (
        call("decode_macs", 4, 2, False, label="T = 4, d = 2, no cache"),
        call("decode_macs", 4, 2, True, label="T = 4, d = 2, with a cache"),
    ),
    "10.6": (call("linear_attention_reordered", _q, _k, _v, label="5 queries, 9 keys"),),
}
