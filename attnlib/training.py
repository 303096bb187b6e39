"""Small, seeded training loops shared by the case-study chapters (5, 7).

Deliberately plain (no framework): full control over seeding and batch order, so that two runs
on one machine give the same numbers, which the book's tests check.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from attnlib.validation import check_int, check_scalar, check_tensor

__all__ = ["seed_everything", "minibatches", "progress_bar", "fit_classifier", "predict", "accuracy"]


def progress_bar(*, total: int, desc: str) -> tqdm:
    """A tqdm bar (a widget in a notebook) that honours ``TQDM_DISABLE=1``.

    tqdm's notebook bar ignores that environment variable, and `make` sets it so that stored
    outputs and nbval's runs hold no progress bars; a learner running a notebook sees them.
    """
    disable = os.environ.get("TQDM_DISABLE", "").strip().lower() in ("1", "true", "yes")
    return tqdm(total=total, desc=desc, disable=disable)


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch; return a torch generator seeded the same way."""
    seed = check_int(seed, "seed", minimum=0)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def minibatches(
    n: int, batch_size: int, *, generator: torch.Generator | None = None
) -> Iterator[torch.Tensor]:
    """Yield index tensors that cover ``range(n)`` in batches, shuffled when given a generator."""
    n = check_int(n, "n", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    order = torch.randperm(n, generator=generator) if generator is not None else torch.arange(n)
    yield from order.split(batch_size)


def fit_classifier(
    model: nn.Module,
    inputs: torch.Tensor,
    labels: torch.Tensor,
    *,
    epochs: int,
    batch_size: int = 128,
    lr: float = 1e-3,
    seed: int = 0,
    transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
    desc: str = "training",
) -> list[float]:
    """Train ``model`` with Adam and cross-entropy; return the mean loss of each epoch.

    The learning rate follows a one-cycle schedule, which reaches a good accuracy in few epochs.

    Args:
        model: maps a batch ``(B, *)`` to logits ``(B, C)``.
        inputs: ``(N, *)`` examples (``transform`` turns a batch into model input if given).
        labels: ``(N,)`` int64 class indices.
        epochs, batch_size, lr, seed: the usual; ``seed`` fixes the batch order.
        transform: applied to each batch of inputs (for example uint8 -> normalised float).
        desc: the progress bar's label.
    """
    inputs = check_tensor(inputs, "inputs", min_dim=1)
    labels = check_tensor(labels, "labels", ndim=1)
    if len(labels) != len(inputs):
        raise ValueError(
            f"labels must have one entry per input ({len(inputs)}), got {len(labels)}"
        )
    epochs = check_int(epochs, "epochs", minimum=1)
    lr = check_scalar(lr, "lr", positive=True)
    generator = seed_everything(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * -(-len(inputs) // batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=lr, total_steps=steps)
    losses = []
    model.train()
    with progress_bar(total=steps, desc=desc) as bar:
        for _ in range(epochs):
            total, count = 0.0, 0
            for index in minibatches(len(inputs), batch_size, generator=generator):
                x = inputs[index] if transform is None else transform(inputs[index])
                loss = nn.functional.cross_entropy(model(x), labels[index])
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
                total += loss.item() * len(index)
                count += len(index)
                bar.update()
            losses.append(total / count)
            bar.set_postfix(loss=f"{losses[-1]:.4f}")
    model.eval()
    return losses


@torch.no_grad()
def predict(
    model: nn.Module,
    inputs: torch.Tensor,
    *,
    batch_size: int = 1000,
    transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> torch.Tensor:
    """Predicted class indices ``(N,)`` of ``model`` on ``inputs`` ``(N, *)``, in eval mode."""
    inputs = check_tensor(inputs, "inputs", min_dim=1)
    model.eval()
    out = []
    for index in minibatches(len(inputs), batch_size):
        x = inputs[index] if transform is None else transform(inputs[index])
        out.append(model(x).argmax(dim=-1))
    return torch.cat(out)


def accuracy(
    model: nn.Module,
    inputs: torch.Tensor,
    labels: torch.Tensor,
    *,
    batch_size: int = 1000,
    transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> float:
    """Fraction of ``inputs`` ``(N, *)`` whose predicted class equals ``labels`` ``(N,)``."""
    labels = check_tensor(labels, "labels", ndim=1)
    predictions = predict(model, inputs, batch_size=batch_size, transform=transform)
    return (predictions == labels).float().mean().item()
