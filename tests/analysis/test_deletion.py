"""Specification of the deletion test (attnlib.analysis.deletion, chapter 5)."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from attnlib.analysis.deletion import (
    DeletionCurve,
    delete_pixels,
    deletion_curve,
    ink_first_random_order,
    random_order,
    rank_pixels,
    upsample_map,
)

g = torch.Generator().manual_seed(0)


def test_upsample_keeps_a_constant_map_constant_and_resizes():
    up = upsample_map(torch.full((3, 7, 7), 0.5))
    assert up.shape == (3, 28, 28)
    torch.testing.assert_close(up, torch.full((3, 28, 28), 0.5))


def test_upsample_keeps_the_peak_where_it_was():
    weights = torch.zeros(1, 7, 7)
    weights[0, 2, 5] = 1.0
    up = upsample_map(weights)
    r, c = divmod(up.flatten().argmax().item(), 28)
    assert (r // 4, c // 4) == (2, 5)


def test_rank_pixels_orders_from_highest_to_lowest_with_stable_ties():
    scores = torch.tensor([[[0.1, 0.9], [0.5, 0.5]]])
    assert rank_pixels(scores).tolist() == [[1, 2, 3, 0]]


@given(n=st.integers(1, 4), size=st.integers(1, 6), seed=st.integers(0, 2**16))
@settings(max_examples=30, deadline=None)
def test_random_orders_are_permutations(n, size, seed):
    order = random_order(n, size, generator=torch.Generator().manual_seed(seed))
    assert order.shape == (n, size * size)
    assert (order.sort(dim=1).values == torch.arange(size * size)).all()


def test_ink_first_order_lists_every_ink_pixel_before_the_background():
    images = torch.zeros(2, 28, 28, dtype=torch.uint8)
    images[0, 10:14, 5:8] = 200
    images[1, 3, :] = 255
    order = ink_first_random_order(images, generator=torch.Generator().manual_seed(0))
    for i in range(2):
        n_ink = int((images[i] >= 128).sum())
        assert (images[i].flatten()[order[i, :n_ink]] >= 128).all()
        assert (images[i].flatten()[order[i, n_ink:]] < 128).all()
        assert len(set(order[i].tolist())) == 784


@given(k=st.integers(0, 16), seed=st.integers(0, 2**16))
@settings(max_examples=30, deadline=None)
def test_delete_pixels_sets_exactly_the_first_k_ranked_pixels_and_copies(k, seed):
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(3, 1, 4, 4, generator=gen) + 1.0  # never equal to the fill value
    before = x.clone()
    order = random_order(3, 4, generator=gen)
    out = delete_pixels(x, order, k, fill=-1.0)
    torch.testing.assert_close(x, before)  # the input is not modified
    assert ((out == -1.0).flatten(1).sum(1) == k).all()
    for i in range(3):
        assert (out[i].flatten()[order[i, :k]] == -1.0).all()


def test_deletion_curve_of_a_model_that_reads_one_pixel():
    # The model predicts class 1 when pixel 0 is bright, class 0 otherwise.
    class OnePixel(nn.Module):
        def forward(self, x):
            p = x.flatten(1)[:, :1]  # (B, 1)
            return torch.cat([-10 * p, 10 * p], dim=1)  # (B, 2)

    x = torch.ones(4, 1, 2, 2)
    first = torch.tensor([[0, 1, 2, 3]] * 4)  # pixel 0 ranked first: a faithful map
    last = torch.tensor([[3, 2, 1, 0]] * 4)  # pixel 0 ranked last
    fracs = [0.0, 0.25, 0.5, 1.0]
    good = deletion_curve(OnePixel(), x, first, fracs, fill=0.0)
    bad = deletion_curve(OnePixel(), x, last, fracs, fill=0.0)
    assert isinstance(good, DeletionCurve)
    assert good.changed.tolist() == [0.0, 1.0, 1.0, 1.0]
    assert bad.changed.tolist() == [0.0, 0.0, 0.0, 1.0]
    assert good.probability[0].item() == pytest.approx(1.0)
    assert good.probability[1].item() == pytest.approx(0.5)  # logits (0, 0)
    assert good.area() < bad.area()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: upsample_map(torch.ones(7, 7)), ValueError, "weights must have 3 dimensions"),
        (
            lambda: rank_pixels(torch.ones(2, 4, 4, dtype=torch.long)),
            TypeError,
            "scores must have a floating-point",
        ),
        (lambda: random_order(0, generator=g), ValueError, "n must be >= 1, got 0"),
        (
            lambda: delete_pixels(
                torch.ones(2, 1, 2, 2), torch.zeros(2, 3, dtype=torch.long), 1, fill=0.0
            ),
            ValueError,
            r"order must have shape \(2, 4\) to match x, got shape \(2, 3\)",
        ),
        (
            lambda: delete_pixels(
                torch.ones(1, 1, 2, 2), torch.zeros(1, 4, dtype=torch.long), 5, fill=0.0
            ),
            ValueError,
            "k must be <= 4",
        ),
        (
            lambda: deletion_curve(
                nn.Identity(),
                torch.ones(1, 1, 2, 2),
                torch.zeros(1, 4, dtype=torch.long),
                [0.5, 1.5],
                fill=0.0,
            ),
            ValueError,
            r"fractions must be .* in \[0, 1\]",
        ),
        (
            lambda: deletion_curve(
                nn.Identity(),
                torch.ones(1, 1, 2, 2),
                torch.zeros(1, 4, dtype=torch.long),
                ["a"],
                fill=0.0,
            ),
            TypeError,
            r"fractions\[0\] must be a real number",
        ),
    ],
)
def test_bad_inputs_are_rejected(call, error, message):
    with pytest.raises(error, match=message):
        call()
