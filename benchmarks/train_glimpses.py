"""The long run behind chapter 6: test error of the glimpse model against the number of glimpses.

Trains :class:`attnlib.models.glimpse.RecurrentAttentionModel` on the 60,000 MNIST training
images for each number of glimpses and each location estimator (REINFORCE with a baseline, and
Gumbel straight-through), then measures the error on the 10,000 test images, and writes one JSON
file with every setting, the data's source, the training budget (epochs, CPU and wall seconds),
and the machine. The chapter reads that file and shows it beside Mnih et al. (2014)'s table.

    for estimator in gumbel reinforce; do
      ATTNLIB_DATA=../shared/data nice -n 5 .venv/bin/python benchmarks/train_glimpses.py \
        --glimpses 2 4 6 --estimators $estimator --epochs 8 \
        --out benchmarks/results/train_glimpses_$estimator.json &
    done

(the course's run: one process per estimator, side by side). Each process uses one CPU thread
(the model is small; one thread avoids fighting other processes). The JSON is rewritten after
every model, so an interrupted run leaves the models it finished.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from dataclasses import asdict
from pathlib import Path

import torch

from attnlib.data.mnist import load_mnist
from attnlib.models.glimpse import (
    GlimpseConfig,
    RecurrentAttentionModel,
    to_float,
    train_glimpse_model,
)
from attnlib.training import accuracy


def run_one(
    config: GlimpseConfig, train, test, *, epochs: int, batch_size: int, lr: float, seed: int
) -> dict:
    """Train one model from scratch and measure it; return a JSON-ready record."""
    torch.manual_seed(seed)
    model = RecurrentAttentionModel(config)
    wall, cpu = time.perf_counter(), time.process_time()
    history = train_glimpse_model(
        model,
        train.images,
        train.labels,
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        seed=seed,
        desc=f"{config.estimator}, {config.glimpses} glimpses",
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    test_accuracy = accuracy(model, to_float(test.images), test.labels)
    return {
        "config": asdict(config),
        "epochs": epochs,
        "batch_size": batch_size,
        "lr": lr,
        "seed": seed,
        "test_accuracy": test_accuracy,
        "test_error_percent": 100 * (1 - test_accuracy),
        "values_read_per_image": config.glimpses * config.values_per_glimpse,
        "train_cpu_seconds": cpu,
        "train_wall_seconds": wall,
        "history": history,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--glimpses", type=int, nargs="+", default=[2, 4, 6])
    parser.add_argument(
        "--estimators", nargs="+", default=["gumbel", "reinforce"], choices=["gumbel", "reinforce"]
    )
    parser.add_argument("--scales", type=int, default=GlimpseConfig.scales)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--out", type=Path, default=Path("benchmarks/results/train_glimpses_gumbel.json")
    )
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    train, test = load_mnist("train"), load_mnist("test")
    print(f"data: {train.source}", flush=True)
    runs = []
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    for estimator in args.estimators:
        for glimpses in args.glimpses:
            config = GlimpseConfig(glimpses=glimpses, scales=args.scales, estimator=estimator)
            record = run_one(
                config,
                train,
                test,
                epochs=args.epochs,
                batch_size=args.batch_size,
                lr=args.lr,
                seed=args.seed,
            )
            runs.append(record)
            print(
                f"{estimator:>9} T={glimpses}: test error {record['test_error_percent']:.2f}% "
                f"({record['train_cpu_seconds']:.0f} s CPU, {record['train_wall_seconds']:.0f} s "
                "wall)",
                flush=True,
            )
            result = {
                "command": "python " + " ".join([sys.argv[0], *(argv or sys.argv[1:])]),
                "data": {
                    "train": train.source,
                    "test": test.source,
                    "is_fallback": bool(train.is_fallback or test.is_fallback),
                },
                "machine": {
                    "python": platform.python_version(),
                    "torch": torch.__version__,
                    "processor": platform.processor() or platform.machine(),
                    "threads": torch.get_num_threads(),
                },
                "total_cpu_seconds": time.process_time() - start_cpu,
                "total_wall_seconds": time.perf_counter() - start_wall,
                "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "runs": runs,
            }
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(result, indent=1) + "\n")  # after each run: partial
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
