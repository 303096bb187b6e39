"""Golden tests: the reference solutions of exercise set 10 against attnlib and torch."""

import importlib.util
import math
from pathlib import Path

import torch
import torch.nn.functional as F

import attnlib
from attnlib.efficient import _block_mask

SOURCE = Path(__file__).resolve().parents[2] / "exercises" / "source" / "10_efficient_attention"
_spec = importlib.util.spec_from_file_location("solution_10", SOURCE / "solution.py")
sol = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sol)


def test_merge_gives_the_max_and_sum_of_the_whole_row():
    x = torch.randn(3, 10) * 40
    a, b = x[:, :4], x[:, 4:]
    m_a, m_b = a.amax(-1), b.amax(-1)
    l_a = torch.exp(a - m_a[:, None]).sum(-1)
    l_b = torch.exp(b - m_b[:, None]).sum(-1)
    m, total = sol.merge(m_a, l_a, m_b, l_b)
    torch.testing.assert_close(m, x.amax(-1))
    torch.testing.assert_close(torch.log(total) + m, torch.logsumexp(x, -1))
    empty = torch.tensor([float("-inf")])
    m, total = sol.merge(empty, torch.zeros(1), torch.tensor([2.0]), torch.tensor([3.0]))
    assert m.item() == 2.0 and total.item() == 3.0


def test_chunked_attention_rows_is_sdpa():
    q, k, v = torch.randn(5, 8) * 5, torch.randn(13, 8) * 5, torch.randn(13, 3)
    for block in (1, 4, 13, 20):
        torch.testing.assert_close(
            sol.chunked_attention_rows(q, k, v, block), F.scaled_dot_product_attention(q, k, v)
        )


def test_block_bytes_is_what_chunked_attention_allocates():
    assert sol.naive_bytes(16384) == 2**30
    assert sol.block_bytes(16384, 1024, 2048) == 1024 * 2048 * 4
    assert sol.block_bytes(100, 256, 64) == 100 * 64 * 4


def test_causal_block_mask_is_attnlibs_block_mask():
    for i0, i1, j0, j1 in [(0, 4, 0, 4), (3, 9, 5, 12), (8, 12, 0, 4)]:
        expected = _block_mask(None, True, None, (i0, i1), (j0, j1), torch.device("cpu"))
        expected = torch.ones(i1 - i0, j1 - j0, dtype=torch.bool) if expected is None else expected
        torch.testing.assert_close(sol.causal_block_mask(i0, i1, j0, j1), expected)
        full = torch.ones(12, 12, dtype=torch.bool).tril()
        torch.testing.assert_close(sol.causal_block_mask(i0, i1, j0, j1), full[i0:i1, j0:j1])


def test_decode_macs_closed_forms():
    T, d = 50, 8
    triangle = T * (T + 1) // 2
    assert sol.decode_macs(T, d, True) == 3 * d * d * T + 2 * d * triangle
    assert sol.decode_macs(T, d, False) == 2 * d * d * triangle + d * d * T + 2 * d * triangle


def test_linear_attention_reordered_is_attnlib():
    q, k, v = torch.randn(6, 4), torch.randn(9, 4), torch.randn(9, 2)
    torch.testing.assert_close(
        sol.linear_attention_reordered(q, k, v), attnlib.linear_attention(q, k, v, eps=0.0)
    )
    assert math.isfinite(sol.linear_attention_reordered(q, k, v).sum().item())
