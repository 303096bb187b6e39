"""Hard against soft attention where location matters: digits on a 60x60 canvas (chapter 6).

Mnih et al. (2014) test their recurrent attention model on MNIST digits placed at random on a
60x60 canvas ("translated"), and with four 8x8 pieces of other digits added ("cluttered"). This
script builds both from real MNIST (:mod:`attnlib.data.canvas`; training canvases from the
training split with seed 0, test canvases from the test split with seed 1) and trains, on the
same canvases:

- ``reinforce``: the glimpse model, locations sampled and trained by REINFORCE with a baseline
  read from the state before each choice (:mod:`attnlib.models.glimpse`);
- ``gumbel``: the same model with straight-through Gumbel-softmax choices;
- ``soft``: chapter 5's CNN with spatial soft attention pooling, at 60x60;
- ``cnn``: the same convolutions flattened into a linear classifier (no attention).

For each it records test accuracy, parameters, multiply-adds per image (torch's FLOP counter,
one forward pass in evaluation mode, halved), values read per image, training seconds and the
device. The glimpse model uses 12x12 patches at 3 scales (as in the paper's 60x60 experiments)
on a 15x15 grid of candidate centres. ``--save`` keeps a model's weights for the chapter,
which re-evaluates them on the CPU.

The course's run (one GPU, the runs side by side; see ``benchmarks/results/glimpses_on_canvas_*``)::

    python benchmarks/glimpses_on_canvas.py --task translated --models reinforce --glimpses 6 \\
        --epochs 30 --save --out benchmarks/results/glimpses_on_canvas_translated_reinforce6.json

A run is a pure function of its arguments and the data (seeded), up to the nondeterminism of
GPU kernels; on a CPU each epoch of the glimpse model takes minutes.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report  # noqa: E402

from attnlib.data import FallbackDataWarning  # noqa: E402
from attnlib.data.canvas import cluttered_digits, translated_digits  # noqa: E402
from attnlib.data.mnist import load_mnist, prepare_images  # noqa: E402
from attnlib.models.glimpse import (  # noqa: E402
    GlimpseConfig,
    RecurrentAttentionModel,
    glimpse_loss,
    to_float,
    train_glimpse_model,
)
from attnlib.models.spatial_attention import (  # noqa: E402
    FlattenCNN,
    SpatialAttentionCNN,
    SpatialAttentionConfig,
)
from attnlib.models.utils import count_parameters  # noqa: E402
from attnlib.training import accuracy, fit_classifier  # noqa: E402

SIZE = 60
RESULTS = Path(os.environ.get("GLIMPSE_RESULTS", Path(__file__).resolve().parent / "results"))


def canvases(task: str, split: str, seed: int, fallback: bool = False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FallbackDataWarning)  # the JSON records is_fallback
        digits = load_mnist(split, fallback=fallback)
    if task == "translated":
        return translated_digits(digits, canvas_size=SIZE, seed=seed)
    return cluttered_digits(digits, canvas_size=SIZE, fragments=4, fragment_size=8, seed=seed)


def glimpse_config(estimator: str, glimpses: int) -> GlimpseConfig:
    return GlimpseConfig(
        glimpses=glimpses, patch=12, scales=3, stride=4, image_size=SIZE, estimator=estimator
    )


def build(name: str, glimpses: int) -> torch.nn.Module:
    if name in ("reinforce", "gumbel"):
        return RecurrentAttentionModel(glimpse_config(name, glimpses))
    if name == "soft":
        return SpatialAttentionCNN(SpatialAttentionConfig(image_size=SIZE))
    return FlattenCNN(SpatialAttentionConfig(channels=(16, 32, 32), image_size=SIZE))


def multiply_adds(model: torch.nn.Module, example: torch.Tensor) -> int:
    """Multiply-adds of one evaluation forward pass on one example (FLOPs / 2)."""
    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(example)
    return counter.get_total_flops() // 2


def seconds_per_step(model, images, labels, hard: bool, batch_size: int) -> float:
    """Wall seconds of one training step, timed on a copy (3 warm-up steps, then 10)."""
    model = copy.deepcopy(model).train()
    optimiser = torch.optim.Adam(model.parameters())
    index = torch.arange(batch_size) % len(images)

    def step():
        if hard:
            loss, _ = glimpse_loss(model, to_float(images[index]), labels[index])
        else:
            loss = F.cross_entropy(model(prepare_images(images[index])), labels[index])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()

    for _ in range(3):
        step()
    sync(images.device)
    start = time.perf_counter()
    for _ in range(10):
        step()
    sync(images.device)
    return (time.perf_counter() - start) / 10


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def run(args, name: str, glimpses: int, train, test, device: torch.device) -> dict:
    torch.manual_seed(args.seed)
    model = build(name, glimpses)
    if args.init:
        # Go on training saved weights (a new one-cycle schedule over the epochs asked for).
        model.load_state_dict(torch.load(RESULTS / args.init, weights_only=True)["state_dict"])
    model = model.to(device)
    hard = name in ("reinforce", "gumbel")
    images = train.images.to(device)
    labels = train.labels.to(device)
    epochs = args.epochs if hard else args.epochs_cnn
    if args.seconds:
        # As many epochs as fit the budget (at most the number asked for); the JSON records it.
        step = seconds_per_step(model, images, labels, hard, args.batch_size)
        per_epoch = step * -(-len(images) // args.batch_size)
        epochs = max(1, min(epochs, int(args.seconds / per_epoch)))
        print(f"{name} T={glimpses}: {per_epoch:.1f} s per epoch -> {epochs} epochs", flush=True)
    start = time.perf_counter()
    if hard:
        history = train_glimpse_model(
            model, images, labels, epochs=epochs, batch_size=args.batch_size, lr=args.lr,
            seed=args.seed, desc=f"{name} T={glimpses}",
        )  # fmt: skip
    else:
        history = fit_classifier(
            model, images, labels, epochs=epochs, batch_size=args.batch_size,
            lr=args.lr, seed=args.seed, transform=prepare_images, desc=name,
        )  # fmt: skip
    sync(device)
    seconds = time.perf_counter() - start
    transform = to_float if hard else prepare_images
    acc = accuracy(model, test.images.to(device), test.labels.to(device), transform=transform)
    model = model.cpu().eval()
    example = transform(test.images[:1])
    config = model.config
    record = {
        "task": args.task,
        "model": name,
        "glimpses": glimpses if hard else None,
        "test_accuracy": acc,
        "test_error_percent": 100 * (1 - acc),
        "parameters": count_parameters(model),
        "multiply_adds_per_image": multiply_adds(model, example),
        "values_read_per_image": glimpses * config.values_per_glimpse if hard else SIZE * SIZE,
        "epochs": epochs,
        "train_seconds": seconds,
        "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
        "init": args.init,
        "history": history,
    }
    if args.save:
        stem = f"glimpses_on_canvas_{args.task}_{name}{glimpses if hard else ''}{args.suffix}"
        path = RESULTS / f"{stem}.pt"
        torch.save({"config": vars(config), "state_dict": model.state_dict()}, path)
        record["weights"] = path.name
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=["translated", "cluttered"], default="translated")
    parser.add_argument(
        "--models", nargs="+", default=["reinforce"], choices=["reinforce", "gumbel", "soft", "cnn"]
    )
    parser.add_argument("--glimpses", type=int, nargs="+", default=[6])
    parser.add_argument("--epochs", type=int, default=30, help="glimpse models")
    parser.add_argument("--epochs-cnn", type=int, default=10, help="soft and cnn")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-size", type=int, default=None, help="first N canvases only")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--seconds", type=float, default=None, help="fit the epochs into this training budget"
    )
    parser.add_argument("--save", action="store_true", help="keep the weights for the chapter")
    parser.add_argument("--init", default=None, help="start from these saved weights (in results/)")
    parser.add_argument("--suffix", default="", help="added to the saved weights' file name")
    parser.add_argument(
        "--fallback", action="store_true", help="use the labelled stand-in if MNIST is absent"
    )
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    train = canvases(args.task, "train", seed=0, fallback=args.fallback)
    test = canvases(args.task, "test", seed=1, fallback=args.fallback)
    if args.train_size:
        train = type(train)(
            train.images[: args.train_size], train.labels[: args.train_size],
            train.positions[: args.train_size], train.split, train.source, train.is_fallback,
        )  # fmt: skip
    print(f"data: {train.source}; test: {test.source}; device {device}", flush=True)
    results = []
    for name in args.models:
        for glimpses in args.glimpses if name in ("reinforce", "gumbel") else [0]:
            record = run(args, name, glimpses, train, test, device)
            results.append(record)
            print(
                f"{args.task} {name} T={glimpses}: test error {record['test_error_percent']:.2f}% "
                f"in {record['train_seconds']:.0f} s",
                flush=True,
            )
            settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
            data = {"train": train.source, "test": test.source, "is_fallback": train.is_fallback}
            report.write(
                report.make(
                    argv, threads=args.threads, settings=settings, results=results, data=data
                ),
                args.out,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
