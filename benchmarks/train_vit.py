"""Train chapter 9's small Vision Transformer on MNIST for several seeds, and save the checkpoints.

Each seed trains the same :class:`~attnlib.models.vit.VisionTransformer` (the chapter's
``ViTConfig``) from its own initialisation and batch order, with one CPU thread, and is
measured on the 10,000 MNIST test images. The weights are saved in float16 (about 0.2 MB each)
as ``benchmarks/results/vit_mnist_seed{S}.pt`` and the accuracy, time and command in
``vit_mnist_seed{S}.json`` (the layout of benchmarks/report.py, one record in its ``results``);
chapter 9 loads the checkpoints and re-evaluates them. The script needs the real MNIST
(``ATTNLIB_DATA`` or ``--data-dir``) and refuses the fallback data. The command used:

    nice -n 10 python benchmarks/train_vit.py --seeds 0 1 2 3 4 --epochs 6 --threads 1

(the course ran it as five processes, one per seed, ``--seeds S``, on a shared machine). The
committed logs predate the common layout (their keys are at the top level), and a rerun today
trains other weights than the committed checkpoints (the attention kernels round differently
since), so they are kept together; chapter 9 reads ``log["results"][0]`` once they are replaced.

``benchmarks/vit_faithfulness.py`` then measures the faithfulness of the maps of these models.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)

from attnlib.data import load_mnist  # noqa: E402
from attnlib.data.mnist import prepare_images  # noqa: E402
from attnlib.models.utils import count_parameters  # noqa: E402
from attnlib.models.vit import VisionTransformer, ViTConfig, load_vit, save_vit  # noqa: E402
from attnlib.training import accuracy, fit_classifier  # noqa: E402

RESULTS = Path(__file__).parent / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3, help="peak one-cycle learning rate")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data-dir", default=None, help="data root (default: $ATTNLIB_DATA)")
    parser.add_argument("--out-dir", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    train_set = load_mnist("train", data_dir=args.data_dir, download=False)
    test_set = load_mnist("test", data_dir=args.data_dir, download=False)
    print(f"data: {train_set.source}", flush=True)
    x_train, y_train = prepare_images(train_set.images), train_set.labels
    x_test, y_test = prepare_images(test_set.images), test_set.labels
    config = ViTConfig()
    for seed in args.seeds:
        torch.manual_seed(seed)
        model = VisionTransformer(config)
        wall, cpu = time.perf_counter(), time.process_time()
        history = fit_classifier(
            model,
            x_train,
            y_train,
            epochs=args.epochs,
            batch_size=args.batch_size,
            lr=args.lr,
            seed=seed,
            desc=f"ViT seed {seed}",
        )
        checkpoint = args.out_dir / f"vit_mnist_seed{seed}.pt"
        save_vit(model, checkpoint, seed=seed)
        run = {
            "model": "vit",
            "seed": seed,
            "parameters": count_parameters(model),
            "train_loss_per_epoch": [round(epoch["loss"], 5) for epoch in history],
            "test_accuracy": accuracy(model, x_test, y_test),
            # The float16 copy is what the chapter loads: measure that one too.
            "test_accuracy_checkpoint": accuracy(load_vit(checkpoint), x_test, y_test),
            "train_wall_s": round(time.perf_counter() - wall, 1),
            "train_cpu_s": round(time.process_time() - cpu, 1),
            "checkpoint": checkpoint.name,
            "checkpoint_bytes": checkpoint.stat().st_size,
        }
        print(json.dumps(run), flush=True)
        result = report.make(
            argv,
            threads=torch.get_num_threads(),
            settings={
                "seed": seed,
                "epochs": args.epochs,
                "batch_size": args.batch_size,
                "lr": args.lr,
                "config": asdict(config),
            },
            results=[run],
            data=train_set.source.split(" from ")[0],
        )
        report.write(result, args.out_dir / f"vit_mnist_seed{seed}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
