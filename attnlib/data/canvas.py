"""Digits placed on a larger canvas, where *where to look* matters (chapter 6).

Mnih et al. (2014), "Recurrent Models of Visual Attention", test their glimpse model on MNIST
digits moved to random positions of a larger canvas, with and without clutter:

- :func:`translated_digits`: each 28x28 digit pasted at a uniformly random position of an
  ``S x S`` black canvas (``S = 60`` in the paper);
- :func:`cluttered_digits`: the same, plus ``fragments`` random ``8 x 8`` pieces cut from
  *other* digits of the same split, pasted at random positions (4 pieces on 60x60 in the paper);
  where pieces and the digit overlap, the brighter value wins.

Both are deterministic functions of their input digits and ``seed``. They take one split (for
example ``load_mnist("train")``), so no fragment crosses from the training to the test set. A
stand-in input (``is_fallback``) stays labelled as one.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from attnlib.data.records import DigitImages, ImagesAndLabels
from attnlib.validation import check_int

__all__ = ["PlacedDigits", "cluttered_digits", "translated_digits"]


@dataclass(frozen=True, eq=False)
class PlacedDigits(ImagesAndLabels):
    """Digits placed on a canvas, with where each one is.

    Unpacks as ``images, labels = translated_digits(load_mnist("test"))``.

    Attributes:
        images: ``(N, S, S)`` uint8 canvases, 0 (background) to 255 (ink).
        labels: ``(N,)`` int64 digits 0–9.
        positions: ``(N, 2)`` int64 ``(row, column)`` of each digit's top-left pixel; the digit
            covers ``[row, row + 28) x [column, column + 28)``.
        split: ``"train"`` or ``"test"``, that of the digits placed.
        source: which data this is, e.g. ``"translated 60x60 (seed 0) of MNIST (...) from ..."``.
        is_fallback: True when the digits placed are a stand-in, not MNIST.
    """

    images: torch.Tensor
    labels: torch.Tensor
    positions: torch.Tensor
    split: str
    source: str
    is_fallback: bool = False


def _check(digits: DigitImages, canvas_size: int) -> tuple[torch.Tensor, int]:
    if not isinstance(digits, DigitImages):
        raise TypeError(
            f"digits must be a DigitImages (e.g. load_mnist('train')), got {type(digits).__name__}"
        )
    images = digits.images
    if images.dtype != torch.uint8 or images.ndim != 3 or images.shape[1] != images.shape[2]:
        raise ValueError(
            f"digits.images must be (N, D, D) uint8, got {tuple(images.shape)} {images.dtype}"
        )
    side = images.shape[1]
    canvas_size = check_int(canvas_size, "canvas_size", minimum=side)
    return images, canvas_size


def _paste_max(canvas: torch.Tensor, patches: torch.Tensor, rows, cols) -> None:
    """canvas[n, r + i, c + j] = max(canvas[...], patches[n, i, j]), in place; all (N, ...)."""
    n, h, w = patches.shape
    r = rows[:, None, None] + torch.arange(h)[None, :, None]  # (N, h, 1)
    c = cols[:, None, None] + torch.arange(w)[None, None, :]  # (N, 1, w)
    k = torch.arange(n)[:, None, None]  # (N, 1, 1)
    canvas[k, r, c] = torch.maximum(canvas[k, r, c], patches)


def translated_digits(digits: DigitImages, *, canvas_size: int = 60, seed: int = 0) -> PlacedDigits:
    """Each digit at a uniformly random position of a ``canvas_size``-pixel square canvas.

    Args:
        digits: one split of 28x28 digits (e.g. ``load_mnist("test")``).
        canvas_size: the canvas side ``S`` (at least the digits' side).
        seed: fixes the positions.

    Returns:
        :class:`PlacedDigits` with ``images`` ``(N, S, S)`` uint8.

    Example:
        >>> from attnlib.data import load_digits_fallback
        >>> placed = translated_digits(load_digits_fallback("test", warn=False), canvas_size=40)
        >>> placed.images.shape, placed.positions.shape, placed.is_fallback
        (torch.Size([257, 40, 40]), torch.Size([257, 2]), True)
    """
    return _place(digits, canvas_size, seed, fragments=0, fragment_size=8)


def cluttered_digits(
    digits: DigitImages,
    *,
    canvas_size: int = 60,
    fragments: int = 4,
    fragment_size: int = 8,
    seed: int = 0,
) -> PlacedDigits:
    """Translated digits plus ``fragments`` pieces of other digits of the same split.

    Each piece is a random ``fragment_size``-pixel square of another (random) digit, pasted at a
    random position; the digit itself is pasted last, and overlaps keep the brighter value.

    Args:
        digits: one split of 28x28 digits (at least two).
        canvas_size: the canvas side ``S``.
        fragments: pieces of clutter per canvas (4 on 60x60 in Mnih et al. 2014).
        fragment_size: side of each piece (8 in the paper).
        seed: fixes positions, pieces and their sources.

    Returns:
        :class:`PlacedDigits` with ``images`` ``(N, S, S)`` uint8.
    """
    return _place(digits, canvas_size, seed, fragments=fragments, fragment_size=fragment_size)


def _place(
    digits: DigitImages, canvas_size: int, seed: int, *, fragments: int, fragment_size: int
) -> PlacedDigits:
    images, size = _check(digits, canvas_size)
    fragments = check_int(fragments, "fragments", minimum=0)
    side = images.shape[1]
    fragment_size = check_int(fragment_size, "fragment_size", minimum=1)
    if fragment_size > side:
        raise ValueError(
            f"fragment_size must be at most the digits' side {side}, got {fragment_size}"
        )
    n = len(images)
    if fragments and n < 2:
        raise ValueError(f"cluttered digits need at least 2 digits to cut clutter from, got {n}")
    generator = torch.Generator().manual_seed(check_int(seed, "seed", minimum=0))
    canvas = torch.zeros(n, size, size, dtype=torch.uint8)
    for _ in range(fragments):
        # Another digit of the same split: a random offset 1..n-1 never lands on the digit itself.
        other = (torch.arange(n) + torch.randint(1, n, (n,), generator=generator)) % n
        top = torch.randint(0, side - fragment_size + 1, (n, 2), generator=generator)
        where = torch.randint(0, size - fragment_size + 1, (n, 2), generator=generator)
        r = top[:, 0, None, None] + torch.arange(fragment_size)[None, :, None]
        c = top[:, 1, None, None] + torch.arange(fragment_size)[None, None, :]
        pieces = images[other[:, None, None], r, c]  # (N, f, f)
        _paste_max(canvas, pieces, where[:, 0], where[:, 1])
    positions = torch.randint(0, size - side + 1, (n, 2), generator=generator)
    _paste_max(canvas, images, positions[:, 0], positions[:, 1])
    kind = (
        f"cluttered ({fragments} pieces of {fragment_size}x{fragment_size})"
        if fragments
        else "translated"
    )
    return PlacedDigits(
        images=canvas,
        labels=digits.labels.clone(),
        positions=positions,
        split=digits.split,
        source=f"{kind} {size}x{size} (seed {seed}) of {digits.source}",
        is_fallback=digits.is_fallback,
    )
