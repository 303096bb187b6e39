import math

import torch

import attnlib
from attnlib.grading.content import solution_module

sol = solution_module("02_soft_attention")


def test_stable_softmax_matches_torch_even_for_large_scores():
    x = torch.randn(4, 5) * 300
    for dim in (0, -1):
        torch.testing.assert_close(sol.stable_softmax(x, dim=dim), torch.softmax(x, dim=dim))


def test_softmax_with_temperature_is_attnlib_softmax():
    x = torch.randn(3, 6)
    for tau in (0.1, 1.0, 7.0):
        torch.testing.assert_close(
            sol.softmax_with_temperature(x, tau), attnlib.softmax(x, temperature=tau)
        )


def test_masked_softmax_is_attnlib_softmax_with_a_mask():
    x = torch.randn(4, 5)
    mask = torch.rand(4, 5) > 0.4
    mask[2] = False  # a fully masked row: zero weights
    torch.testing.assert_close(sol.masked_softmax(x, mask), attnlib.softmax(x, mask=mask))


def test_attend_is_a_weighted_sum_of_values():
    w, v = torch.softmax(torch.randn(3, 4), -1), torch.randn(4, 2)
    want = torch.einsum("ls,sd->ld", w, v)
    torch.testing.assert_close(sol.attend(w, v), want)


def test_softmax_jacobian_is_autograd_and_attnlib():
    x = torch.randn(5, dtype=torch.float64)
    autograd = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, -1), x)
    torch.testing.assert_close(sol.softmax_jacobian_at(x), autograd)
    torch.testing.assert_close(
        sol.softmax_jacobian_at(x), attnlib.softmax_jacobian(torch.softmax(x, -1))
    )


def test_overflow_at_is_the_first_integer_whose_exp_overflows_float32():
    assert torch.isinf(torch.exp(torch.tensor(float(sol.overflow_at))))
    assert not torch.isinf(torch.exp(torch.tensor(float(sol.overflow_at - 1))))
    assert sol.overflow_at == math.ceil(math.log(torch.finfo(torch.float32).max))


def test_overflow_threshold_is_where_torch_exp_overflows_each_type():
    for dtype in (torch.float16, torch.float32, torch.float64, torch.bfloat16):
        top = torch.finfo(dtype).max
        x = sol.overflow_threshold(top)
        assert torch.exp(torch.tensor(float(x), dtype=torch.float64)) > top
        assert torch.exp(torch.tensor(float(x - 1), dtype=torch.float64)) <= top
    assert sol.overflow_threshold(torch.finfo(torch.float32).max) == sol.overflow_at
