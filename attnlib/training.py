"""Small, seeded training loops shared by the case-study chapters (5–8).

Deliberately plain (no framework): full control over seeding and batch order, so that two runs
on one machine give the same numbers, which the book's tests check.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from attnlib.validation import check_int, check_one_per, check_scalar, check_tensor

__all__ = [
    "seed_everything",
    "minibatches",
    "progress_bar",
    "train_loop",
    "fit_classifier",
    "predict",
    "accuracy",
]


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


def train_loop(
    model: nn.Module,
    n: int,
    batch_loss: Callable[[torch.Tensor], tuple[torch.Tensor, dict[str, float]]],
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int = 0,
    clip_grad_norm: float | None = None,
    desc: str = "training",
) -> list[dict[str, float]]:
    """The course's one training loop: Adam, a one-cycle learning rate, seeded minibatches.

    Every model in the case studies trains through this function; what differs between them is
    ``batch_loss``, which maps a batch of example indices to a loss to minimise and the numbers
    to log. The one-cycle schedule reaches a good accuracy in few epochs.

    Args:
        model: its parameters are optimised; it is in training mode during the loop and in
            evaluation mode afterwards.
        n: the number of training examples; batches are index tensors into ``range(n)``.
        batch_loss: ``index (B,) -> (loss, stats)``, ``loss`` a scalar tensor and ``stats`` a
            dict of floats (each averaged over the epoch, weighted by batch size).
        epochs, batch_size, lr: the usual; ``seed`` fixes the batch order and seeds torch's
            global generator (for dropout, sampling, noise).
        clip_grad_norm: if given, gradients are clipped to this norm before each step.
        desc: the progress bar's label.

    Returns:
        One dict per epoch: the mean of every stat, and ``seconds``, the epoch's wall time.
    """
    n = check_int(n, "n", minimum=1)
    epochs = check_int(epochs, "epochs", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    lr = check_scalar(lr, "lr", positive=True)
    generator = seed_everything(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * -(-n // batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=lr, total_steps=steps)
    history = []
    model.train()
    with progress_bar(total=steps, desc=desc) as bar:
        for _ in range(epochs):
            start = time.perf_counter()
            sums: dict[str, float] = {}
            for index in minibatches(n, batch_size, generator=generator):
                loss, stats = batch_loss(index)
                optimiser.zero_grad()
                loss.backward()
                if clip_grad_norm is not None:
                    nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
                optimiser.step()
                schedule.step()
                for key, value in stats.items():
                    sums[key] = sums.get(key, 0.0) + value * len(index)
                bar.update()
            epoch = {key: total / n for key, total in sums.items()}
            bar.set_postfix({key: f"{value:.4f}" for key, value in epoch.items()})
            epoch["seconds"] = time.perf_counter() - start
            history.append(epoch)
    model.eval()
    return history


def fit_classifier(
    model: nn.Module,
    inputs: torch.Tensor,
    labels: torch.Tensor,
    *,
    epochs: int,
    batch_size: int = 128,
    lr: float = 1e-3,
    seed: int = 0,
    transform: Callable[[torch.Tensor], Any] | None = None,
    desc: str = "training",
) -> list[dict[str, float]]:
    """Train a classifier with cross-entropy through :func:`train_loop`.

    Every training entry point of the course (``fit_classifier``, ``train_glimpse_model``,
    ``train_speech_classifier``, ``train_seq2seq``) takes a built model, its data and keyword
    settings, trains the model in place and returns :func:`train_loop`'s history.

    Args:
        model: maps a batch ``(B, *)`` to logits ``(B, C)``.
        inputs: ``(N, *)`` examples (``transform`` turns a batch into model input if given).
        labels: ``(N,)`` int64 class indices.
        epochs, batch_size, lr, seed: as in :func:`train_loop`.
        transform: applied to each batch of inputs (for example an augmentation).
        desc: the progress bar's label.

    Returns:
        One dict per epoch: ``loss`` (the mean cross-entropy) and ``seconds``.
    """
    inputs = check_tensor(inputs, "inputs", min_dim=1)
    labels = check_one_per(check_tensor(labels, "labels", ndim=1), "labels", len(inputs), "input")

    def batch_loss(index: torch.Tensor) -> tuple[torch.Tensor, dict[str, float]]:
        x = inputs[index] if transform is None else transform(inputs[index])
        loss = nn.functional.cross_entropy(model(x), labels[index])
        return loss, {"loss": loss.item()}

    return train_loop(
        model,
        len(inputs),
        batch_loss,
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        seed=seed,
        desc=desc,
    )


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
