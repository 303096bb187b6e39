"""What input validation costs: ``attnlib.softmax`` with a mask against torch's masked softmax.

Issue 11 asks that a public function validate its arguments once and then run an unchecked
kernel, and that ``attnlib.softmax(x, mask=m)`` at (64, 128, 128) float32 take at most 1.5x the
time of torch's own masked softmax. This script measures, in one process and interleaved (so a
loaded machine slows every variant alike), the median time per call of:

- ``torch``: ``torch.softmax(x.masked_fill(~m, -inf), -1)`` (NaN on a fully masked row);
- ``torch_fixed``: the same, with fully masked rows set to 0 as attnlib defines them;
- ``attnlib``: ``attnlib.softmax(x, mask=m)`` (validation + kernel);
- ``attnlib_kernel``: the private kernel ``attnlib.softmax._softmax`` alone, where it exists.

Run (one thread; writes the common benchmark layout, see benchmarks/report.py)::

    python benchmarks/validation_overhead.py --out benchmarks/results/validation_overhead.json
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)

import attnlib  # noqa: E402  (imported after the path set-up above, like report)


def _time(fn, number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", type=int, nargs=3, default=[64, 128, 128])
    parser.add_argument("--repeats", type=int, default=41, help="timed rounds (median reported)")
    parser.add_argument("--number", type=int, default=10, help="calls per round")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    generator = torch.Generator().manual_seed(0)
    x = torch.randn(*args.shape, generator=generator)  # (B, L, S) float32
    m = torch.rand(*args.shape, generator=generator) > 0.25  # (B, L, S), True = may be attended
    m[:, 0] = False  # one fully masked row per batch entry, the case torch leaves NaN

    def torch_masked():
        return torch.softmax(x.masked_fill(~m, float("-inf")), dim=-1)

    def torch_fixed():
        out = torch.softmax(x.masked_fill(~m, float("-inf")), dim=-1)
        return out.masked_fill(~m.any(dim=-1, keepdim=True), 0.0)

    variants = {
        "torch": torch_masked,
        "torch_fixed": torch_fixed,
        "attnlib": lambda: attnlib.softmax(x, mask=m),
    }
    # The kernel alone, where this version of attnlib has one (the module, not the function
    # that the package re-exports under the same name).
    kernel = getattr(importlib.import_module("attnlib.softmax"), "_softmax", None)
    if kernel is not None:
        variants["attnlib_kernel"] = lambda: kernel(x, -1, 1.0, m)

    expected = torch_fixed()
    for name, fn in variants.items():
        if name != "torch":
            torch.testing.assert_close(fn(), expected, msg=f"{name} disagrees with torch")
        fn()  # warm-up

    rounds: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.repeats):
        for name, fn in variants.items():  # interleaved: load hits every variant alike
            rounds[name].append(_time(fn, args.number))
    median = {name: statistics.median(times) for name, times in rounds.items()}
    results = [
        {
            "variant": name,
            "median_us": round(median[name] * 1e6, 1),
            "ratio_to_torch": round(median[name] / median["torch"], 3),
            "ratio_to_torch_fixed": round(median[name] / median["torch_fixed"], 3),
        }
        for name in variants
    ]
    for row in results:
        print(
            f"{row['variant']:<15} {row['median_us']:8.1f} us   x{row['ratio_to_torch']:.2f} "
            f"of torch   x{row['ratio_to_torch_fixed']:.2f} of torch_fixed"
        )
    settings = {
        "shape": args.shape,
        "dtype": "float32",
        "mask": "25% of entries masked at random, one fully masked row per batch entry",
        "repeats": args.repeats,
        "number": args.number,
        "statistic": "median over repeats of the mean time of `number` calls",
    }
    result = report.make(argv, threads=args.threads, settings=settings, results=results)
    if args.out is not None:
        report.write(result, args.out)
    return result


if __name__ == "__main__":
    main()
