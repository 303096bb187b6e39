import math

import torch
import torch.nn.functional as F

import attnlib
from attnlib.grading.content import solution_module
from attnlib.models.seq2seq import exact_match

sol = solution_module("08_dates_seq2seq")


def _params(D=3, K=4, A=5, E=2):
    return {
        "W": torch.randn(A, D),
        "U": torch.randn(A, K),
        "v": torch.randn(A),
        "R": torch.randn(D, D),
        "C": torch.randn(D, K),
        "Y": torch.randn(D, E),
    }


def _torch_step(s, h, mask, p):
    e = F.linear(torch.tanh(F.linear(s, p["W"])[:, None] + F.linear(h, p["U"])), p["v"][None])[
        ..., 0
    ]
    alpha = attnlib.softmax(e, mask=mask)
    return torch.bmm(alpha[:, None], h)[:, 0], alpha


def test_additive_scores_are_torch_linear_layers():
    p, s, h = _params(), torch.randn(2, 3), torch.randn(2, 6, 4)
    want = F.linear(torch.tanh(F.linear(s, p["W"])[:, None] + F.linear(h, p["U"])), p["v"][None])
    torch.testing.assert_close(sol.additive_scores(s, h, p["W"], p["U"], p["v"]), want[..., 0])


def test_by_hand_is_attnlib_masked_softmax():
    e = torch.tensor([0.0, math.log(2), math.log(5), 3.0])
    alpha = attnlib.softmax(e, mask=torch.tensor([True, True, True, False]))
    torch.testing.assert_close(torch.tensor(sol.by_hand["alpha"]), alpha)
    assert math.isclose(
        sol.by_hand["context"], (alpha @ torch.tensor([2.0, 4, 6, 10])).item(), rel_tol=1e-6
    )


def test_masked_step_is_attnlib_masked_softmax():
    cases = [
        ([2.0, 4.0, 6.0, 10.0], [0.0, math.log(2), math.log(5), 3.0], 3),
        ([1.0, -2.0, 3.0, 0.5, 8.0, 8.0], [1.0, 0.0, 2.0, -1.0, 5.0, 5.0], 4),
        ([3.0, 7.0], [0.25, -0.75], 2),
    ]
    for h, e, length in cases:
        mask = torch.arange(len(e)) < length
        alpha = attnlib.softmax(torch.tensor(e, dtype=torch.float64), mask=mask)
        got = sol.masked_step(h, e, length)
        torch.testing.assert_close(torch.tensor(got["alpha"], dtype=torch.float64), alpha)
        want = (alpha @ torch.tensor(h, dtype=torch.float64)).item()
        assert math.isclose(got["context"], want, rel_tol=1e-9)
    got = sol.masked_step([2.0, 4.0, 6.0, 10.0], [0.0, math.log(2), math.log(5), 3.0], 3)
    torch.testing.assert_close(torch.tensor(got["alpha"]), torch.tensor(sol.by_hand["alpha"]))
    assert math.isclose(got["context"], sol.by_hand["context"], rel_tol=1e-12)


def test_attention_step_is_torch_and_attnlib():
    p, s, h = _params(), torch.randn(2, 3), torch.randn(2, 6, 4)
    mask = torch.arange(6) < torch.tensor([[6], [2]])
    got = sol.attention_step(s, h, mask, p["W"], p["U"], p["v"])
    for g, w in zip(got, _torch_step(s, h, mask, p), strict=True):
        torch.testing.assert_close(g, w)


def test_alignment_matrix_runs_the_torch_recurrence():
    p, h = _params(), torch.randn(2, 5, 4)
    mask, y_prev = torch.arange(5) < torch.tensor([[5], [3]]), torch.randn(2, 4, 2)
    s0 = torch.randn(2, 3)
    s, rows = s0, []
    for i in range(4):
        c, alpha = _torch_step(s, h, mask, p)
        s = torch.tanh(F.linear(s, p["R"]) + F.linear(c, p["C"]) + F.linear(y_prev[:, i], p["Y"]))
        rows.append(alpha)
    torch.testing.assert_close(sol.alignment_matrix(s0, h, mask, y_prev, p), torch.stack(rows, 1))


def test_read_alignment_and_coverage_are_torch_reductions():
    alpha = torch.softmax(torch.randn(4, 6), -1)
    source = list("abcdef")
    assert sol.read_alignment(alpha, source) == [source[j] for j in torch.max(alpha, 1).indices]
    torch.testing.assert_close(sol.coverage(alpha), torch.einsum("ts->s", alpha))


def test_exact_match_is_attnlibs_and_char_accuracy_counts_target_characters():
    preds, targets = ["2001-01-01", "1999-12-3", "abc"], ["2001-01-01", "1999-12-31", "abd"]
    assert sol.exact_match(preds, targets) == exact_match(preds, targets)
    assert sol.char_accuracy(preds, targets) == (10 + 9 + 2) / 23


def test_decoding_estimate_is_the_product_of_ten_probabilities():
    assert math.isclose(
        sol.decoding["exact_if_independent"],
        torch.full((10,), 0.99, dtype=torch.float64).prod().item(),
    )
    assert sol.decoding["what"] == "b"


def test_exact_if_independent_is_a_product_of_probabilities():
    for p, n in [(0.99, 10), (0.95, 8)]:
        want = torch.full((n,), p, dtype=torch.float64).prod().item()
        assert math.isclose(sol.exact_if_independent(p, n), want, rel_tol=1e-12)
