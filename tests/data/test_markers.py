"""Specification of the synthetic marker task (attnlib.data.markers, chapter 9)."""

import pytest
import torch

from attnlib.data.markers import make_markers


def test_two_markers_per_sequence_and_the_label_is_their_equality():
    task = make_markers(500, length=12, num_distractors=10, seed=3)
    assert task.tokens.shape == (500, 12) and task.vocab_size == 12
    assert (task.deciding.sum(1) == 2).all()
    assert ((task.tokens >= 10) == task.deciding).all()  # markers only at the deciding places
    markers = task.tokens[task.deciding].view(500, 2)
    assert torch.equal(task.labels, (markers[:, 0] == markers[:, 1]).long())
    assert 0.4 < task.labels.float().mean() < 0.6


def test_deterministic_for_a_seed():
    a, b = make_markers(20, seed=1), make_markers(20, seed=1)
    assert torch.equal(a.tokens, b.tokens) and not torch.equal(
        a.tokens, make_markers(20, seed=2).tokens
    )


def test_bad_input():
    with pytest.raises(ValueError, match="length must be >= 2, got 1"):
        make_markers(3, length=1)
