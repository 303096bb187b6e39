"""Synthetic user histories whose relevant items are known: chapter 11's recommendation task.

Each example is a user's history of ``L`` item ids, a candidate (target) item, and whether the
user clicked it. Items belong to categories, ``category = item % num_categories``. The history
items that share the target's category are the **relevant** ones, and the click depends on them
alone:

- with probability 1/2 the user is *interested*: 1 to ``max_relevant`` positions of the history
  (chosen at random) hold items of the target's category, and the user clicks with probability
  ``1 - label_noise``;
- otherwise no history item shares the target's category, and the user clicks with probability
  ``label_noise``.

Every other history position holds an item of another category, drawn uniformly. Because the
relevant positions are recorded (``UserHistories.relevant``), a model's attention weights
can be checked against them: does the model look at the items that decide the click?
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from attnlib.validation import check_int, check_scalar

__all__ = ["UserHistories", "make_histories"]


@dataclass(frozen=True)
class UserHistories:
    """Users' histories, candidate items, clicks and the known relevant positions.

    Attributes:
        history: ``(N, L)`` int64 item ids.
        target: ``(N,)`` int64, the candidate item.
        labels: ``(N,)`` float32, 1.0 for a click.
        relevant: ``(N, L)`` bool, True where the history item has the target's category.
        num_items: ids run over ``0 … num_items - 1``.
        num_categories: ``category = item % num_categories``.
    """

    history: torch.Tensor
    target: torch.Tensor
    labels: torch.Tensor
    relevant: torch.Tensor
    num_items: int
    num_categories: int

    def __len__(self) -> int:
        return len(self.labels)


def make_histories(
    n: int,
    *,
    num_items: int = 300,
    num_categories: int = 30,
    history_length: int = 20,
    max_relevant: int = 3,
    label_noise: float = 0.05,
    seed: int = 0,
) -> UserHistories:
    """Generate ``n`` users with histories, candidates and clicks (see the module docstring).

    Args:
        n: the number of examples.
        num_items: the number of item ids; a multiple of ``num_categories``.
        num_categories: at least 2.
        history_length: ``L``, the items in each history.
        max_relevant: an interested user has 1 to ``max_relevant`` relevant items (<= ``L``).
        label_noise: the probability that the click disagrees with the interest, in [0, 0.5).
        seed: the same seed gives the same data.

    Returns:
        A :class:`UserHistories`.

    Example:
        >>> data = make_histories(4, seed=0)
        >>> data.history.shape, data.relevant.shape, data.labels.shape
        (torch.Size([4, 20]), torch.Size([4, 20]), torch.Size([4]))
        >>> bool(((data.history % 30 == (data.target % 30)[:, None]) == data.relevant).all())
        True
    """
    n = check_int(n, "n", minimum=1)
    num_categories = check_int(num_categories, "num_categories", minimum=2)
    num_items = check_int(num_items, "num_items", minimum=num_categories)
    if num_items % num_categories:
        raise ValueError(
            f"num_items must be a multiple of num_categories={num_categories}, got {num_items}"
        )
    L = check_int(history_length, "history_length", minimum=1)
    max_relevant = check_int(max_relevant, "max_relevant", minimum=1)
    if max_relevant > L:
        raise ValueError(f"max_relevant must be <= history_length={L}, got {max_relevant}")
    label_noise = check_scalar(label_noise, "label_noise", nonnegative=True)
    if label_noise >= 0.5:
        raise ValueError(f"label_noise must be < 0.5, got {label_noise}")
    seed = check_int(seed, "seed", minimum=0)
    g = torch.Generator().manual_seed(seed)
    per_category = num_items // num_categories

    target = torch.randint(0, num_items, (n,), generator=g)  # (N,)
    target_cat = target % num_categories  # (N,)
    interested = torch.rand(n, generator=g) < 0.5  # (N,)
    count = torch.randint(1, max_relevant + 1, (n,), generator=g) * interested  # (N,) 0..max
    # The first `count` positions of a random permutation of each row are the relevant ones.
    ranks = torch.rand(n, L, generator=g).argsort(dim=1).argsort(dim=1)  # (N, L) a permutation
    relevant = ranks < count[:, None]  # (N, L)
    # Other items: a category other than the target's, shifted by 1 .. num_categories - 1.
    shift = torch.randint(1, num_categories, (n, L), generator=g)  # (N, L)
    category = torch.where(
        relevant, target_cat[:, None], (target_cat[:, None] + shift) % num_categories
    )
    member = torch.randint(0, per_category, (n, L), generator=g)  # (N, L) which item of it
    history = category + num_categories * member  # item % num_categories == category
    flip = torch.rand(n, generator=g) < label_noise  # (N,)
    labels = (interested ^ flip).float()  # (N,)
    return UserHistories(history, target, labels, relevant, num_items, num_categories)
