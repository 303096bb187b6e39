"""Specification of the synthetic user histories (chapter 11)."""

import pytest
import torch

from attnlib.data.histories import make_histories


def test_shapes_dtypes_and_determinism():
    a, b = make_histories(50, seed=3), make_histories(50, seed=3)
    assert a.history.shape == (50, 20) and a.history.dtype == torch.int64
    assert a.labels.dtype == torch.float32 and a.relevant.dtype == torch.bool
    assert torch.equal(a.history, b.history) and torch.equal(a.labels, b.labels)
    assert not torch.equal(a.history, make_histories(50, seed=4).history)
    assert len(a) == 50


def test_relevant_positions_are_exactly_the_items_of_the_target_category():
    d = make_histories(500, num_items=60, num_categories=6, history_length=8, max_relevant=3)
    same = d.history % 6 == (d.target % 6)[:, None]
    assert torch.equal(same, d.relevant)
    assert int(d.relevant.sum(1).max()) <= 3
    assert d.history.max() < 60 and d.target.max() < 60


def test_clicks_follow_the_interest_up_to_the_label_noise():
    d = make_histories(20_000, label_noise=0.1, seed=0)
    interested = d.relevant.any(dim=1)
    assert abs(interested.float().mean().item() - 0.5) < 0.02
    disagree = (d.labels.bool() != interested).float().mean().item()
    assert abs(disagree - 0.1) < 0.01
    assert torch.equal(
        make_histories(100, label_noise=0.0).labels.bool(),
        make_histories(100, label_noise=0.0).relevant.any(1),
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"num_items": 31}, ValueError, "multiple of num_categories"),
        ({"max_relevant": 21}, ValueError, "max_relevant must be <="),
        ({"label_noise": 0.5}, ValueError, "label_noise must be < 0.5"),
        ({"label_noise": -0.1}, ValueError, "label_noise"),
        ({"num_categories": 1}, ValueError, "num_categories"),
        ({"seed": 1.5}, TypeError, "seed"),
    ],
)
def test_bad_arguments_are_rejected_with_a_message(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_histories(10, **kwargs)
