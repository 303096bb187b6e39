"""Measure the faithfulness of every importance map of chapter 9's ViTs, over the trained seeds.

For each checkpoint ``benchmarks/results/vit_mnist_seed{S}.pt`` written by ``train_vit.py``,
on the first ``--images`` MNIST test images (a fixed set), the script computes the patch maps
of every method in :data:`attnlib.analysis.maps.METHODS` (raw last-layer attention, rollout,
flow, saliency, input × gradient, Integrated Gradients, random), their deletion and insertion
curves over the 16 patches (a deleted patch is set to the blank background), the areas under
them, and Kendall's τ between the attention-based and the gradient-based maps. It writes
``benchmarks/results/vit_faithfulness.json`` (the layout of benchmarks/report.py): per seed (one
record in ``results``), the mean area of each method and its mean curves; over the seeds
(``summary``), the mean and standard deviation. The command used:

    nice -n 10 python benchmarks/vit_faithfulness.py --seeds 0 1 2 3 4 --images 100 --threads 1

On a shared machine the course ran one process per seed, each with ``--seeds S --part`` (it
writes ``vit_faithfulness_part{S}.json``), then ``--seeds 0 1 2 3 4 --combine`` to merge them.
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

from attnlib.analysis.agreement import kendall_tau  # noqa: E402
from attnlib.analysis.faithfulness import faithfulness_curve, patch_units, rank_units  # noqa: E402
from attnlib.analysis.maps import METHODS, vit_maps  # noqa: E402
from attnlib.data import load_mnist  # noqa: E402
from attnlib.data.mnist import MNIST_MEAN, MNIST_STD, prepare_images  # noqa: E402
from attnlib.models.vit import load_vit  # noqa: E402

RESULTS = Path(__file__).parent / "results"
BACKGROUND = -MNIST_MEAN / MNIST_STD  # the input value of a blank pixel
ATTENTION_BASED = ("attention", "rollout", "flow")
GRADIENT_BASED = ("saliency", "input x gradient", "integrated gradients")


def evaluate_seed(path: Path, x: torch.Tensor, seed: int) -> dict:
    """Areas, mean curves and rank agreement of every method for one checkpoint."""
    model = load_vit(path)
    maps = vit_maps(
        model, x, METHODS, baseline=BACKGROUND, generator=torch.Generator().manual_seed(seed)
    )
    units = patch_units(28, model.config.patch_size)[None]  # (1, 28, 28)
    result: dict = {
        "seed": seed,
        "deletion_auc": {},
        "insertion_auc": {},
        "deletion_curve": {},
        "insertion_curve": {},
        "kendall_tau": {},
    }
    for method, scores in maps.items():
        order = rank_units(scores)
        for kind in ("deletion", "insertion"):
            curve = faithfulness_curve(model, x, order, kind=kind, baseline=BACKGROUND, units=units)
            result[f"{kind}_auc"][method] = curve.area().mean().item()
            result[f"{kind}_curve"][method] = [round(v, 5) for v in curve.mean().tolist()]
    for a in ATTENTION_BASED:
        for g in GRADIENT_BASED:
            result["kendall_tau"][f"{a} | {g}"] = kendall_tau(maps[a], maps[g]).nanmean().item()
    return result


def summarise(per_seed: list[dict], key: str) -> dict:
    """``{name: {"mean": m, "sd": s}}`` over the seeds (sample standard deviation)."""
    names = per_seed[0][key]
    out = {}
    for name in names:
        values = torch.tensor([r[key][name] for r in per_seed], dtype=torch.float64)
        out[name] = {"mean": values.mean().item(), "sd": values.std().item()}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--images", type=int, default=100, help="the first N test images")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data-dir", default=None, help="data root (default: $ATTNLIB_DATA)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--part", action="store_true", help="write one part file per seed")
    parser.add_argument("--combine", action="store_true", help="merge the part files")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    test_set = load_mnist("test", data_dir=args.data_dir, download=False)
    x = prepare_images(test_set.images[: args.images])
    start = time.perf_counter()
    per_seed = []
    for seed in args.seeds:
        part = args.results / f"vit_faithfulness_part{seed}.json"
        if args.combine:
            per_seed.append(json.loads(part.read_text()))
            continue
        seed_cpu = time.process_time()
        per_seed.append(evaluate_seed(args.results / f"vit_mnist_seed{seed}.pt", x, seed))
        per_seed[-1]["cpu_s"] = round(time.process_time() - seed_cpu, 1)
        print(json.dumps({k: per_seed[-1][k] for k in ("seed", "deletion_auc")}), flush=True)
        if args.part:
            part.write_text(json.dumps(per_seed[-1], indent=1) + "\n")
    if args.part:
        return 0
    for part in args.results.glob("vit_faithfulness_part*.json"):
        part.unlink()
    result = report.make(
        argv,
        threads=torch.get_num_threads(),
        settings={
            "seeds": args.seeds,
            "images": f"the first {args.images} test images",
            "baseline": "blank background (pixel value 0 before standardisation)",
            "units": "the 16 patches of 7 x 7 pixels (the ViT's tokens)",
        },
        results=per_seed,
        data=test_set.source.split(" from ")[0],
        summary={
            k: summarise(per_seed, k) for k in ("deletion_auc", "insertion_auc", "kendall_tau")
        },
        wall_s=round(time.perf_counter() - start, 1),
        cpu_s=round(sum(r["cpu_s"] for r in per_seed), 1),
    )
    report.write(result, args.results / "vit_faithfulness.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
