"""A synthetic sequence task whose deciding tokens are known by construction (chapter 9).

Each sequence has ``length`` tokens: distractors drawn uniformly from ``0 … num_distractors-1``
and, at two distinct random positions, two *marker* tokens, each ``A`` or ``B`` (the two
token ids after the distractors). The label is 1 when the two markers are the same (``AA`` or
``BB``) and 0 when they differ, so it depends on both markers and on nothing else: the two
marker positions are the ground truth that an importance map should find.

    >>> task = make_markers(3, length=8, seed=0)
    >>> task.tokens.shape, task.labels.shape, task.deciding.sum(dim=1).tolist()
    (torch.Size([3, 8]), torch.Size([3]), [2, 2, 2])
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from attnlib.validation import check_int

__all__ = ["MarkerTask", "make_markers"]


@dataclass(frozen=True, eq=False)
class MarkerTask:
    """Sequences with their labels and the positions that decide them.

    Attributes:
        tokens: ``(n, T)`` int64 token ids in ``[0, num_distractors + 2)``.
        labels: ``(n,)`` int64: 1 if the two markers are equal, else 0.
        deciding: ``(n, T)`` bool, True at the two marker positions.
        vocab_size: ``num_distractors + 2``.
    """

    tokens: torch.Tensor
    labels: torch.Tensor
    deciding: torch.Tensor
    vocab_size: int

    def __len__(self) -> int:
        return len(self.labels)


def make_markers(
    n: int, *, length: int = 16, num_distractors: int = 10, seed: int = 0
) -> MarkerTask:
    """``n`` sequences of the marker task, deterministic for a ``seed``.

    Args:
        n: how many sequences.
        length: ``T``, tokens per sequence, at least 2.
        num_distractors: distinct distractor tokens; the markers are the next two ids.
        seed: seeds a private generator (the global one is untouched).

    Returns:
        A :class:`MarkerTask`.
    """
    n = check_int(n, "n", minimum=1)
    length = check_int(length, "length", minimum=2)
    num_distractors = check_int(num_distractors, "num_distractors", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    gen = torch.Generator().manual_seed(seed)
    tokens = torch.randint(0, num_distractors, (n, length), generator=gen)  # (n, T)
    positions = torch.rand(n, length, generator=gen).argsort(dim=1)[:, :2]  # (n, 2) distinct
    markers = num_distractors + torch.randint(0, 2, (n, 2), generator=gen)  # A or B each
    tokens.scatter_(1, positions, markers)
    deciding = torch.zeros(n, length, dtype=torch.bool)
    deciding.scatter_(1, positions, True)
    labels = (markers[:, 0] == markers[:, 1]).long()
    return MarkerTask(tokens, labels, deciding, num_distractors + 2)
