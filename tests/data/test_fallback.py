"""The stand-ins: MNIST's format and FSDD's, deterministic, labelled as not the real data."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attnlib.data import FallbackDataWarning, load_digits_fallback, load_spoken_digits_fallback
from attnlib.data.fallback import FALLBACK_SPEAKERS, synthesize_digit


def test_digits_have_mnist_format_and_a_fixed_split():
    with pytest.warns(FallbackDataWarning, match="not MNIST"):
        train = load_digits_fallback("train")
    test = load_digits_fallback("test", warn=False)
    assert (len(train), len(test)) == (1540, 257)
    for data in (train, test):
        assert data.is_fallback and data.source.startswith("FALLBACK: scikit-learn 8x8 digits")
        assert data.images.shape[1:] == (28, 28) and data.images.dtype == torch.uint8
        assert data.labels.dtype == torch.int64 and set(data.labels.tolist()) == set(range(10))
        assert data.images.max() == 255
        border = torch.ones(28, 28, dtype=torch.bool)
        border[4:24, 4:24] = False
        assert (data.images[:, border] == 0).all()  # the digit sits in the central 20x20 box


def test_digit_split_is_deterministic_and_disjoint():
    a = load_digits_fallback("test", warn=False)
    b = load_digits_fallback("test", warn=False)
    assert torch.equal(a.images, b.images) and torch.equal(a.labels, b.labels)
    other = load_digits_fallback("test", seed=1, warn=False)
    assert not torch.equal(a.images, other.images)
    train = load_digits_fallback("train", warn=False)
    flat = {bytes(x.numpy()) for x in torch.cat([train.images, a.images])}
    assert len(flat) > 1790  # (the 1,797 scikit-learn images hold a few duplicates)


def test_synthesis_is_deterministic_and_varies():
    x = synthesize_digit(3, 2, 7)
    assert x.dtype == np.float32 and x.ndim == 1 and np.abs(x).max() <= 1
    assert 0.3 * 8000 <= len(x) <= 0.86 * 8000
    np.testing.assert_array_equal(x, synthesize_digit(3, 2, 7))
    assert not np.array_equal(x[:2000], synthesize_digit(3, 2, 8)[:2000])
    assert not np.array_equal(x[:2000], synthesize_digit(3, 2, 7, seed=1)[:2000])


def test_spoken_digits_have_fsdd_format_and_split():
    with pytest.warns(FallbackDataWarning, match="not FSDD"):
        test = load_spoken_digits_fallback("test")
    assert len(test) == 300 and test.sample_rate == 8000 and test.is_fallback
    assert sorted(set(test.speakers)) == list(FALLBACK_SPEAKERS)
    assert test.labels.dtype == torch.int64 and test.labels.bincount().tolist() == [30] * 10
    assert all(w.dtype == torch.float32 and w.dim() == 1 for w in test.waveforms)
    # Deterministic: the first test recording is digit 0, speaker 0, take 0.
    np.testing.assert_array_equal(test.waveforms[0].numpy(), synthesize_digit(0, 0, 0))


def test_spoken_digits_speaker_split():
    test = load_spoken_digits_fallback(
        "test", split_by="speaker", test_speaker="synth4", warn=False
    )
    assert set(test.speakers) == {"synth4"} and len(test) == 200


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"split_by": "speaker"}, r"test_speaker is required .*\['synth1'"),
        ({"split_by": "speaker", "test_speaker": "george"}, r"test_speaker must be one of"),
        ({"test_speaker": "synth1"}, "only used with split_by='speaker'"),
    ],
)
def test_spoken_digits_bad_split_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_spoken_digits_fallback("test", **kwargs)
