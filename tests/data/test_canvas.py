"""Translated and cluttered digits: deterministic, the digit intact where it was placed."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlib.data import load_digits_fallback
from attnlib.data.canvas import cluttered_digits, translated_digits
from attnlib.data.records import DigitImages


@pytest.fixture(scope="module")
def digits():
    return load_digits_fallback("test", warn=False)


def test_translated_digit_is_pasted_intact_and_nothing_else_is_drawn(digits):
    placed = translated_digits(digits, canvas_size=60, seed=1)
    assert placed.images.shape == (len(digits), 60, 60) and placed.images.dtype == torch.uint8
    for k in range(0, len(digits), 37):
        r, c = placed.positions[k].tolist()
        assert 0 <= r <= 32 and 0 <= c <= 32
        torch.testing.assert_close(placed.images[k, r : r + 28, c : c + 28], digits.images[k])
        outside = placed.images[k].clone()
        outside[r : r + 28, c : c + 28] = 0
        assert outside.sum() == 0
    assert torch.equal(placed.labels, digits.labels)
    assert placed.is_fallback and "translated 60x60 (seed 1)" in placed.source


def test_the_same_seed_gives_the_same_canvases_and_another_seed_others(digits):
    a = cluttered_digits(digits, seed=3)
    b = cluttered_digits(digits, seed=3)
    c = cluttered_digits(digits, seed=4)
    assert torch.equal(a.images, b.images) and torch.equal(a.positions, b.positions)
    assert not torch.equal(a.images, c.images)


def test_positions_cover_the_whole_canvas(digits):
    placed = translated_digits(digits, seed=0)
    assert placed.positions.min() == 0 and placed.positions.max() == 32


def test_clutter_adds_ink_outside_the_digit_and_keeps_the_digit_at_least_as_bright(digits):
    placed = cluttered_digits(digits, fragments=4, seed=2)
    plain = translated_digits(digits, seed=2)
    outside_ink = 0
    for k in range(len(digits)):
        r, c = placed.positions[k].tolist()
        region = placed.images[k, r : r + 28, c : c + 28]
        assert (region >= digits.images[k]).all()  # max-compositing never darkens the digit
        rest = placed.images[k].clone()
        rest[r : r + 28, c : c + 28] = 0
        outside_ink += int(rest.bool().any())
    assert outside_ink > len(digits) // 2  # most canvases show clutter beyond the digit
    assert placed.images.float().sum() > plain.images.float().sum()


def test_clutter_comes_from_other_digits_of_the_same_split():
    # Two digits: one all 255, one all 0. A fragment of the other digit on the blank one's
    # canvas is bright; on the bright one's canvas it is dark (and so invisible): the clutter
    # on canvas 1 can only come from digit 0.
    images = torch.stack(
        [torch.full((28, 28), 255, dtype=torch.uint8), torch.zeros(28, 28, dtype=torch.uint8)]
    )
    digits = DigitImages(images, torch.tensor([1, 0]), "test", "two digits")
    placed = cluttered_digits(digits, fragments=3, seed=0)
    assert placed.images[1].bool().sum() > 0  # clutter reached the blank digit's canvas
    placed0 = cluttered_digits(digits, fragments=0, seed=0)
    assert placed0.images[1].sum() == 0


@settings(max_examples=20, deadline=None)
@given(size=st.integers(28, 70), seed=st.integers(0, 10_000))
def test_every_canvas_size_holds_its_digit(size, seed):
    images = torch.randint(1, 256, (5, 28, 28), dtype=torch.uint8)
    placed = translated_digits(
        DigitImages(images, torch.arange(5), "train", "noise"), canvas_size=size, seed=seed
    )
    assert (placed.positions >= 0).all() and (placed.positions <= size - 28).all()
    assert (placed.images.bool().flatten(1).sum(1) == 28 * 28).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"canvas_size": 20}, "canvas_size"),
        ({"canvas_size": 60.5}, "canvas_size"),
        ({"seed": -1}, "seed"),
        ({"fragments": -2}, "fragments"),
        ({"fragment_size": 40}, "fragment_size"),
    ],
)
def test_bad_arguments_are_named(digits, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        cluttered_digits(digits, **kwargs)


def test_digits_of_the_wrong_type_are_named():
    with pytest.raises(TypeError, match="digits must be a DigitImages"):
        translated_digits(torch.zeros(3, 28, 28, dtype=torch.uint8))
