"""Hidden tests for exercises/10_efficient_attention (never shown to learners)."""

import torch

from attnlib.grading.spec import call

g = torch.Generator().manual_seed(100)
inf = float("-inf")
q, k, v = torch.randn(6, 8, generator=g) * 2, torch.randn(23, 8, generator=g) * 2, None
v = torch.randn(23, 5, generator=g)
m_a, m_b = torch.randn(4, generator=g) * 50, torch.randn(4, generator=g) * 50

CASES = {
    "10.1": [
        call(
            "merge",
            m_a,
            torch.rand(4, generator=g) + 1,
            m_b,
            torch.rand(4, generator=g) + 1,
            label="hidden: four rows, maxima far apart",
        ),
        call(
            "merge",
            torch.tensor([3.0, inf]),
            torch.tensor([1.0, 0.0]),
            torch.tensor([inf, inf]),
            torch.tensor([0.0, 0.0]),
            label="hidden: second chunk empty; a row with both chunks empty",
        ),
    ],
    "10.2": [
        call("chunked_attention_rows", q, k, v, 5, label="hidden: 23 keys in blocks of 5"),
        call("chunked_attention_rows", q, k, v, 1, label="hidden: blocks of one key"),
        call("chunked_attention_rows", q * 20, k, v, 7, label="hidden: scores in the hundreds"),
    ],
    "10.3": [
        call("block_bytes", 8192, 512, 4096, label="hidden: n = 8192, 512 x 4096"),
        call("block_bytes", 100, 64, 1000, label="hidden: key chunk larger than n"),
        call("naive_bytes", 3000, label="hidden: naive at n = 3000"),
    ],
    "10.4": [
        call("causal_block_mask", 3, 9, 5, 12, label="hidden: an off-diagonal, ragged block"),
        call("causal_block_mask", 0, 2, 8, 10, label="hidden: a block above the diagonal"),
    ],
    "10.5": [
        call("decode_macs", 100, 16, False, label="hidden: T = 100, d = 16, no cache"),
        call("decode_macs", 100, 16, True, label="hidden: T = 100, d = 16, cache"),
    ],
    "10.6": [
        call("linear_attention_reordered", q, k, v, label="hidden: 6 queries, 23 keys"),
        call("linear_attention_reordered", q[:1], k[:3], v[:3], label="hidden: one query"),
    ],
}
