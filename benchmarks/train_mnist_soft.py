"""Train chapter 5's attention CNN and its baseline for longer; record their MNIST test accuracy.

The chapter trains each model for a few epochs within its 120 s budget; this script trains the
same architectures for more epochs and writes the results (accuracy on the 10,000 test images,
time, CPU time, peak memory, the command) as JSON, in the layout of benchmarks/report.py. It
needs the real MNIST (``ATTNLIB_DATA`` or ``--data-dir``); it refuses the fallback data. The
committed result (chapter 5 reads it) came from

    nice -n 5 python benchmarks/train_mnist_soft.py --epochs 15 --augment-shift 2 --threads 1 \
        --models attention --out benchmarks/results/mnist_soft_attention.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)

from attnlib.data import load_mnist  # noqa: E402
from attnlib.data.mnist import prepare_images, random_shift  # noqa: E402
from attnlib.models.spatial_attention import FlattenCNN, SpatialAttentionCNN  # noqa: E402
from attnlib.models.utils import count_parameters  # noqa: E402
from attnlib.training import accuracy, fit_classifier  # noqa: E402


def run(name: str, model: torch.nn.Module, args, train, test) -> dict:
    """Train ``model`` on ``train`` and return its test accuracy and costs."""
    wall, cpu = time.perf_counter(), time.process_time()
    shifts = torch.Generator().manual_seed(args.seed + 1)

    def augment(x: torch.Tensor) -> torch.Tensor:
        return random_shift(x, args.augment_shift, generator=shifts)

    history = fit_classifier(
        model,
        train[0],
        train[1],
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        desc=name,
        transform=augment if args.augment_shift else None,
    )
    result = {
        "model": name,
        "parameters": count_parameters(model),
        "epochs": args.epochs,
        "train_loss_per_epoch": [round(epoch["loss"], 5) for epoch in history],
        "test_accuracy": accuracy(model, test[0], test[1]),
        "train_wall_s": round(time.perf_counter() - wall, 1),
        "train_cpu_s": round(time.process_time() - cpu, 1),
    }
    print(json.dumps(result), flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=1e-2, help="peak one-cycle learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--models", nargs="+", default=["attention", "baseline"], choices=["attention", "baseline"]
    )
    parser.add_argument(
        "--augment-shift",
        type=int,
        default=0,
        help="shift training images by up to this many pixels (0: no augmentation)",
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's)"
    )
    parser.add_argument("--data-dir", default=None, help="data root (default: $ATTNLIB_DATA)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/mnist_soft.json"))
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)

    train_set = load_mnist("train", data_dir=args.data_dir, download=False)
    test_set = load_mnist("test", data_dir=args.data_dir, download=False)
    print(f"data: {train_set.source}", flush=True)
    train = prepare_images(train_set.images), train_set.labels
    test = prepare_images(test_set.images), test_set.labels
    factories = {"attention": SpatialAttentionCNN, "baseline": FlattenCNN}
    results = []
    for name in args.models:
        torch.manual_seed(args.seed)
        results.append(run(name, factories[name](), args, train, test))
    result = report.make(
        argv,
        threads=torch.get_num_threads(),
        settings={
            "models": args.models,
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "lr": args.lr,
            "seed": args.seed,
            "augment_shift": args.augment_shift,
        },
        results=results,
        data=train_set.source,
    )
    report.write(result, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
