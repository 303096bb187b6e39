"""Specification of rank agreement (attnlib.analysis.agreement, chapter 9)."""

import itertools

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlib.analysis.agreement import kendall_tau, precision_at_k


def tau_by_pairs(a, b):
    """Kendall's tau-a by counting pairs (equal to tau-b when there are no ties)."""
    s = 0
    pairs = list(itertools.combinations(range(len(a)), 2))
    for i, j in pairs:
        s += torch.sign((a[i] - a[j]) * (b[i] - b[j])).item()
    return s / len(pairs)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 12), st.integers(0, 2**31 - 1))
def test_tau_equals_pair_counting_without_ties(n, seed):
    g = torch.Generator().manual_seed(seed)
    a, b = torch.randperm(n, generator=g).double(), torch.randperm(n, generator=g).double()
    assert kendall_tau(a, b).item() == pytest.approx(tau_by_pairs(a, b))


def test_tau_of_same_and_reversed_orders():
    a = torch.tensor([[0.1, 0.5, 0.3, 0.9]])
    assert kendall_tau(a, 2 * a + 1).tolist() == [1.0]
    assert kendall_tau(a, -a).tolist() == [-1.0]


def test_precision_at_k():
    scores = torch.tensor([[0.9, 0.1, 0.8, 0.0], [0.0, 0.0, 0.0, 0.0]])
    relevant = torch.tensor([[True, False, False, True], [False, False, True, True]])
    torch.testing.assert_close(precision_at_k(scores, relevant, 2), torch.tensor([0.5, 0.0]))
    torch.testing.assert_close(precision_at_k(scores, relevant, 4), torch.tensor([0.5, 0.5]))


@pytest.mark.parametrize(
    "a, b, error, message",
    [
        (
            torch.ones(3),
            torch.ones(4),
            ValueError,
            r"b must have the shape of a \(3,\), got \(4,\)",
        ),
        (torch.ones(1), torch.ones(1), ValueError, "at least 2 units"),
        ([1.0, 2.0], torch.ones(2), TypeError, "a must be a torch.Tensor, got list"),
        (
            torch.ones(2, 2, 2),
            torch.ones(2, 2, 2),
            ValueError,
            r"a must have shape \(U,\) or \(N, U\)",
        ),
    ],
)
def test_bad_input(a, b, error, message):
    with pytest.raises(error, match=message):
        kendall_tau(a, b)


def test_bad_k():
    with pytest.raises(ValueError, match="k must be <= 3"):
        precision_at_k(torch.ones(1, 3), torch.ones(1, 3, dtype=torch.bool), 4)
