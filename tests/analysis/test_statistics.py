"""Specification of attention statistics (attnlib.analysis.statistics, chapter 9)."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlib.analysis.statistics import attention_entropy, effective_number, max_weight


@given(st.integers(1, 40))
def test_entropy_of_uniform_weights_is_log_n(n):
    torch.testing.assert_close(
        attention_entropy(torch.full((n,), 1.0 / n)), torch.tensor(math.log(n))
    )


@given(st.integers(1, 40), st.data())
def test_entropy_of_one_hot_weights_is_zero(n, data):
    i = data.draw(st.integers(0, n - 1))
    assert attention_entropy(torch.eye(n)[i]).item() == 0.0


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 20), st.integers(0, 2**31 - 1))
def test_entropy_lies_between_zero_and_log_n(n, seed):
    w = torch.softmax(3 * torch.randn(5, n, generator=torch.Generator().manual_seed(seed)), -1)
    h = attention_entropy(w)
    assert (h >= -1e-6).all() and (h <= math.log(n) + 1e-5).all()
    torch.testing.assert_close(effective_number(w), h.exp())


def test_entropy_matches_the_definition_and_torch_distributions():
    w = torch.softmax(torch.randn(3, 4, 7, generator=torch.Generator().manual_seed(1)), dim=1)
    expected = torch.distributions.Categorical(probs=w.transpose(1, 2)).entropy()
    torch.testing.assert_close(attention_entropy(w, dim=1), expected)


def test_a_mask_excludes_entries_and_lowers_the_bound():
    w = torch.tensor([[0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    mask = torch.tensor([[True, True, False, False], [False, False, False, False]])
    h = attention_entropy(w, mask=mask)
    torch.testing.assert_close(h, torch.tensor([math.log(2), 0.0]))  # fully masked row -> 0
    # entries under the mask are ignored even if they hold leftovers
    w2 = torch.tensor([[0.5, 0.5, 0.3, 0.0]])
    torch.testing.assert_close(attention_entropy(w2, mask=mask[:1]), torch.tensor([math.log(2)]))


def test_max_weight():
    w = torch.tensor([[0.2, 0.8], [0.5, 0.5]])
    torch.testing.assert_close(max_weight(w), torch.tensor([0.8, 0.5]))
    leftovers = torch.tensor([[0.2, 0.8], [1.0, 0.3]])  # row 1: 0.3 is masked
    mask = torch.tensor([[True, True], [True, False]])
    torch.testing.assert_close(max_weight(leftovers, mask=mask), torch.tensor([0.8, 1.0]))


@pytest.mark.parametrize(
    "weights, kwargs, error, message",
    [
        ([0.5, 0.5], {}, TypeError, "weights must be a torch.Tensor, got list"),
        (torch.tensor([0.5, 0.6]), {}, ValueError, "got a slice summing to 1.1"),
        (torch.tensor([1.5, -0.5]), {}, ValueError, "got a negative entry -0.5"),
        (torch.tensor([1, 0]), {}, TypeError, "weights must have a floating-point dtype"),
        (torch.zeros(3, 0), {}, ValueError, "weights must have at least one position"),
        (torch.tensor([float("nan"), 1.0]), {}, ValueError, "only finite values"),
        (torch.tensor([0.5, 0.5]), {"dim": 3}, ValueError, "dim must be in [-1, 0]"),
        (torch.tensor([0.5, 0.5]), {"mask": torch.tensor([1, 1])}, TypeError, "torch.bool"),
    ],
)
def test_bad_input_names_argument_expected_and_received(weights, kwargs, error, message):
    with pytest.raises(error, match=message.replace("[", r"\[").replace("]", r"\]")):
        attention_entropy(weights, **kwargs)
