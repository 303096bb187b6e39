"""The records every digit dataset returns, and the rule that splits spoken digits.

:mod:`attnlib.data.mnist`, :mod:`attnlib.data.fsdd` and the synthetic stand-ins of
:mod:`attnlib.data.fallback` all return these types and split by this rule, so that the real
loaders can fall back on the stand-ins without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from attnlib.validation import check_choice

__all__ = [
    "DigitImages",
    "ImagesAndLabels",
    "SAMPLE_RATE",
    "SpokenDigits",
    "TEST_TAKES",
    "check_split",
    "select_split",
]

SAMPLE_RATE = 8000  # samples per second of every spoken-digit set (FSDD's rate)
TEST_TAKES = range(0, 5)  # the canonical test set: takes 0-4 of every speaker and digit


class ImagesAndLabels:
    """Unpacks as ``images, labels`` and has the length of ``labels``: the behaviour that the
    image records (:class:`DigitImages`, :class:`attnlib.data.canvas.PlacedDigits`) share."""

    images: torch.Tensor
    labels: torch.Tensor

    def __iter__(self):
        return iter((self.images, self.labels))

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True, eq=False)
class DigitImages(ImagesAndLabels):
    """Digit images with their labels, and a statement of which data they are.

    Unpacks as ``images, labels = load_mnist("train")``.

    Attributes:
        images: ``(N, 28, 28)`` uint8, 0 (background) to 255 (ink).
        labels: ``(N,)`` int64 digits 0–9.
        split: ``"train"`` or ``"test"``.
        source: which data this is and where it was read from, e.g.
            ``"MNIST (LeCun, Cortes, Burges) from /data/mnist"``; print it.
        is_fallback: True for a stand-in that is not MNIST.
    """

    images: torch.Tensor
    labels: torch.Tensor
    split: str
    source: str
    is_fallback: bool = False


@dataclass(frozen=True, eq=False)
class SpokenDigits:
    """Recordings of spoken digits with labels and speakers, and which data they are.

    Unpacks as ``waveforms, labels, speakers = load_fsdd("train")``.

    Attributes:
        waveforms: a list of N 1-D float32 tensors in [-1, 1], of varying length.
        labels: ``(N,)`` int64 digits 0–9.
        speakers: N speaker names.
        sample_rate: samples per second (8000).
        split: ``"train"`` or ``"test"``.
        source: which data this is and where it was read from; print it.
        is_fallback: True for the synthetic stand-in, which is not FSDD.
    """

    waveforms: list[torch.Tensor]
    labels: torch.Tensor
    speakers: list[str]
    sample_rate: int
    split: str
    source: str
    is_fallback: bool = False

    def __iter__(self):
        return iter((self.waveforms, self.labels, self.speakers))

    def __len__(self) -> int:
        return len(self.labels)


def check_split(
    split: object, split_by: object, test_speaker: object, speakers: tuple[str, ...]
) -> None:
    """Check a spoken-digit split: ``split_by="take"`` without a speaker, or ``"speaker"`` with
    ``test_speaker`` one of ``speakers``."""
    check_choice(split, "split", ("train", "test"))
    check_choice(split_by, "split_by", ("take", "speaker"))
    if split_by == "take" and test_speaker is not None:
        raise ValueError(
            f"test_speaker is only used with split_by='speaker', got test_speaker="
            f"{test_speaker!r} with split_by='take'"
        )
    if split_by == "speaker":
        if test_speaker is None:
            raise ValueError(
                f"test_speaker is required with split_by='speaker': one of {list(speakers)}"
            )
        check_choice(test_speaker, "test_speaker", speakers)


def select_split(
    speakers: list[str], takes: np.ndarray, split: str, split_by: str, test_speaker: str | None
) -> np.ndarray:
    """Boolean mask of the recordings in ``split`` (shared with the synthetic fallback).

    Args:
        speakers: N speaker names.
        takes: ``(N,)`` take indices.
        split, split_by, test_speaker: as for :func:`attnlib.data.load_fsdd`.

    Returns:
        ``(N,)`` bool.
    """
    if split_by == "take":
        in_test = takes < len(TEST_TAKES)
    else:
        known = sorted(set(speakers))
        if test_speaker not in known:
            raise ValueError(f"test_speaker must be one of {known}, got {test_speaker!r}")
        in_test = np.array([s == test_speaker for s in speakers], dtype=bool)
    return in_test if split == "test" else ~in_test
