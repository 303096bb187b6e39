"""Smoke check on the real MNIST and FSDD, only where a copy exists (never in the repository).

The data root is $ATTNLIB_DATA if set, else ../shared/data next to the repository; the tests
are skipped when neither holds the data, and deselected with `-m "not real_data"`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from attnlib.data import load_fsdd, load_mnist

# Read at import: the autouse fixture in conftest.py clears ATTNLIB_DATA for each test.
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
ROOT = Path(os.environ.get("ATTNLIB_DATA") or SHARED)

pytestmark = pytest.mark.real_data


def _need(folder: str) -> None:
    if not (ROOT / folder).is_dir():
        pytest.skip(f"no real data at {ROOT / folder}")


def test_real_mnist():
    _need("mnist")
    train = load_mnist("train", data_dir=ROOT, download=False)
    test = load_mnist("test", data_dir=ROOT, download=False)
    print(train.source)
    assert (len(train), len(test)) == (60000, 10000)
    assert train.images.shape == (60000, 28, 28) and not train.is_fallback
    assert train.labels.bincount().tolist()[:2] == [5923, 6742]  # the published class counts


def test_real_fsdd():
    _need("fsdd")
    train = load_fsdd("train", data_dir=ROOT, download=False)
    test = load_fsdd("test", data_dir=ROOT, download=False)
    print(train.source)
    assert (len(train), len(test)) == (2700, 300)
    speakers = ["george", "jackson", "lucas", "nicolas", "theo", "yweweler"]
    assert sorted(set(train.speakers)) == sorted(set(test.speakers)) == speakers
    held_out = load_fsdd(
        "test", data_dir=ROOT, download=False, split_by="speaker", test_speaker="yweweler"
    )
    assert len(held_out) == 500 and set(held_out.speakers) == {"yweweler"}
