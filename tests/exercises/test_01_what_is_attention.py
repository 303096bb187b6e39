import math

import torch

import attnlib
from attnlib.grading.content import solution_module

sol = solution_module("01_what_is_attention")


def test_nadaraya_watson_is_attnlib_attention_pooling():
    q, k, v = torch.randn(5), torch.randn(7), torch.randn(7)
    for h in (0.3, 1.0, 4.0):
        want = attnlib.attention_pooling(q, k, v, bandwidth=h)
        torch.testing.assert_close(sol.nadaraya_watson(q, k, v, h), want)


def test_weight_by_hand_is_the_softmax_of_the_kernel_scores():
    scores = attnlib.gaussian_kernel_scores(torch.tensor([0.0]), torch.tensor([0.0, 1.0, 2.0]))
    assert math.isclose(sol.alpha_q0_k1, torch.softmax(scores, -1)[0, 1].item(), rel_tol=1e-6)


def test_bandwidth_limits_hold_numerically():
    k, v, q = torch.tensor([0.0, 1.0, 3.0]), torch.tensor([2.0, 5.0, 11.0]), torch.tensor([0.8])
    nearest = attnlib.attention_pooling(q, k, v, bandwidth=0.01).item()
    wide = attnlib.attention_pooling(q, k, v, bandwidth=1e4).item()
    answer = {"a": v.mean().item(), "b": 5.0, "c": 0.0, "d": 11.0}
    assert math.isclose(answer[sol.bandwidth_limits["h_to_0"]], nearest, rel_tol=1e-4)
    assert math.isclose(answer[sol.bandwidth_limits["h_to_inf"]], wide, rel_tol=1e-4)


def test_nw_limits_are_attnlib_pooling_at_extreme_bandwidths():
    cases = [
        (0.8, [0.0, 1.0, 3.0], [2.0, 5.0, 11.0]),
        (2.2, [0.0, 1.0, 3.0, 4.0], [5.0, -1.0, 2.0, 7.0]),
        (-1.0, [2.0, -0.5, 0.5], [1.0, 4.0, -3.0]),
    ]
    for q, keys, values in cases:
        q_, k, v = torch.tensor([q], dtype=torch.float64), torch.tensor(keys), torch.tensor(values)
        k, v = k.double(), v.double()
        nearest = attnlib.attention_pooling(q_, k, v, bandwidth=0.01).item()
        wide = attnlib.attention_pooling(q_, k, v, bandwidth=1e4).item()
        got = sol.nw_limits(q, keys, values)
        assert math.isclose(got["h_to_0"], nearest, rel_tol=1e-6, abs_tol=1e-9)
        assert math.isclose(got["h_to_inf"], wide, rel_tol=1e-6)
    assert sol.bandwidth_limits == {"h_to_0": "b", "h_to_inf": "a"}


def test_weights_for_and_the_weights_change_with_the_query():
    keys = torch.randn(6, 3)
    q1, q2 = torch.randn(3), torch.randn(3)
    torch.testing.assert_close(sol.weights_for(q1, keys), attnlib.softmax(keys @ q1, dim=0))
    assert not torch.allclose(sol.weights_for(q1, keys), sol.weights_for(q2, keys))
    assert sol.weights_change == "b"


def test_nw_weight_is_attnlibs_kernel_softmax():
    for q, keys, h, i in [(0.0, [0.0, 1.0, 2.0], 1.0, 1), (0.5, [0.0, 1.0, 3.0], 0.7, 2)]:
        scores = attnlib.gaussian_kernel_scores(torch.tensor([q]), torch.tensor(keys), bandwidth=h)
        want = torch.softmax(scores, -1)[0, i].item()
        assert math.isclose(sol.nw_weight(q, keys, h, i), want, rel_tol=1e-5)
    assert math.isclose(sol.nw_weight(0.0, [0.0, 1.0, 2.0], 1.0, 1), sol.alpha_q0_k1)
