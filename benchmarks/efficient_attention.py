"""Time and memory of exact attention, naive, chunked and PyTorch's, on this machine (chapter 10).

    python benchmarks/efficient_attention.py            # the full run, about 4 min on 2 idle cores
    python benchmarks/efficient_attention.py --only chunk_sweep   # re-run one part
    python benchmarks/efficient_attention.py --quick    # a smoke test at small n

Writes ``benchmarks/results/efficient_attention.json`` (``--quick``: a temporary file) in the
layout of ``benchmarks/report.py``, one record per part, each with the command that produced
it (``--only`` keeps the other parts' records), which chapter 10 plots. What it measures, for
one head, float32, ``d = 64``:

- the machine's matrix-product throughput (a square 4096 × 4096 product, 2·m·n·k flops) and,
  in the same run and in alternating order, the forward time of
  :func:`attnlib.chunked_attention` and of :func:`torch.nn.functional.scaled_dot_product_attention`
  at ``n = 16384``, median of ``--repeats`` (>= 5) runs, as a fraction of that throughput
  (attention: 2·n²·d multiply–adds, 4·n²·d flops);
- the same two-thread headline three times, ``--gap`` seconds apart, to show how much it
  drifts on a shared machine;
- forward + backward at ``n = 8192``, chunked against SDPA;
- time and peak memory against ``n`` from 1024 to 16384 for the naive implementation
  (:func:`attnlib.scaled_dot_product_attention`, which stores the n × n weights), chunked
  attention, SDPA and linear attention, with log–log slopes; the naive one stops where its
  memory would exceed 2 GB;
- a sweep of the chunk sizes at ``n = 8192``, time and peak memory of each pair, that
  justifies the defaults.

Peak memory is the resident-set high-water mark of a fresh process per configuration, above
the resident set once its inputs exist (``/proc/self/clear_refs`` resets the mark to the
current resident set; ``tracemalloc`` would not see torch's allocator).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)

from attnlib import chunked_attention, linear_attention, scaled_dot_product_attention
from attnlib.efficient import KEY_CHUNK_SIZE, QUERY_CHUNK_SIZE

RESULTS = Path(__file__).parent / "results" / "efficient_attention.json"
D = 64
NAIVE_LIMIT = 2 * 10**9  # bytes: the naive implementation is not run past this


def attention(impl: str, q, k, v, qc: int = QUERY_CHUNK_SIZE, kc: int = KEY_CHUNK_SIZE):
    """One forward pass of implementation ``impl`` on ``(1, n, d)`` tensors."""
    if impl == "naive":
        return scaled_dot_product_attention(q, k, v)  # materialises the (n, n) weights
    if impl == "chunked":
        return chunked_attention(q, k, v, query_chunk_size=qc, key_chunk_size=kc)
    if impl == "sdpa":
        return F.scaled_dot_product_attention(q, k, v)
    if impl == "linear":
        return linear_attention(q, k, v)
    raise ValueError(f"impl must be one of naive, chunked, sdpa, linear, got {impl!r}")


def inputs(n: int, *, grad: bool = False, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(1, n, D, generator=g).requires_grad_(grad) for _ in range(3)]


def step(impl: str, q, k, v, backward: bool, **chunks) -> None:
    if backward:
        out = attention(impl, q, k, v, **chunks)
        out.backward(torch.ones_like(out))
        for t in (q, k, v):
            t.grad = None
    else:
        with torch.no_grad():
            attention(impl, q, k, v, **chunks)


def seconds(f) -> float:
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# ----------------------------------------------------------------------------- memory


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def measure_memory_here(impl: str, n: int, backward: bool, qc: int, kc: int) -> dict:
    """Run once in this (fresh) process; the resident-set peak above the inputs, in bytes."""
    torch.set_num_threads(2)
    q, k, v = inputs(n, grad=backward)
    step(impl, *inputs(64, grad=backward), backward, qc=qc, kc=kc)  # warm up torch's code paths
    before = _rss_kib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset the high-water mark to VmRSS
    step(impl, q, k, v, backward, qc=qc, kc=kc)
    peak = _rss_kib("VmHWM")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "peak_bytes": (peak - before) * 1024,
        "rss_before_bytes": before * 1024,
        "ru_maxrss_bytes": maxrss * 1024,
    }


def measure_memory(
    impl: str, n: int, backward: bool = False, qc=QUERY_CHUNK_SIZE, kc=KEY_CHUNK_SIZE
) -> int:
    """Peak resident memory of one pass, above its inputs, measured in a fresh process."""
    command = [
        sys.executable,
        __file__,
        "--memory",
        impl,
        str(n),
        str(int(backward)),
        str(qc),
        str(kc),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])["peak_bytes"]


# ----------------------------------------------------------------------------- timing


CPU_SECONDS: dict[str, list[float]] = {}  # the process CPU time of the last interleaved runs


def interleaved(tasks: dict, repeats: int) -> dict[str, list[float]]:
    """Time every task ``repeats`` times, alternating the order (forward, then reversed).

    Returns the wall-clock seconds; the process CPU seconds of the same runs (both threads
    together, so that load from other jobs counts less) go to ``CPU_SECONDS``.
    """
    names = list(tasks)
    times = {name: [] for name in names}
    CPU_SECONDS.clear()
    CPU_SECONDS.update({name: [] for name in names})
    for name in names:
        tasks[name]()  # warm-up, not timed
    for r in range(repeats):
        for name in names if r % 2 == 0 else names[::-1]:
            cpu = time.process_time()
            times[name].append(seconds(tasks[name]))
            CPU_SECONDS[name].append(time.process_time() - cpu)
    return times


def summary(times: list[float], flops: float | None = None, cpu: list[float] | None = None) -> dict:
    med = statistics.median(times)
    out = {"seconds": times, "median_s": med}
    if flops is not None:
        out["gflops"] = flops / med / 1e9
    if cpu is not None:
        out["cpu_seconds"] = cpu
        out["median_cpu_s"] = statistics.median(cpu)
    return out


def matmul_task(size: int = 4096):
    g = torch.Generator().manual_seed(1)
    a, b = torch.randn(size, size, generator=g), torch.randn(size, size, generator=g)
    return (lambda: torch.mm(a, b)), 2 * size**3


def headline(repeats: int, n: int, threads: int = 2) -> dict:
    """Forward at n: matmul throughput, chunked and SDPA in one run, alternating order."""
    torch.set_num_threads(threads)
    q, k, v = inputs(n)
    mm, mm_flops = matmul_task()
    tasks = {
        "matmul": mm,
        "chunked": lambda: step("chunked", q, k, v, False),
        "sdpa": lambda: step("sdpa", q, k, v, False),
    }
    times = interleaved(tasks, repeats)
    flops = 4 * n * n * D
    torch.set_num_threads(2)
    result = {
        "n": n,
        "d": D,
        "threads": threads,
        "matmul": {"size": 4096, **summary(times["matmul"], mm_flops, CPU_SECONDS["matmul"])},
        "chunked": summary(times["chunked"], flops, CPU_SECONDS["chunked"]),
        "sdpa": summary(times["sdpa"], flops, CPU_SECONDS["sdpa"]),
    }
    peak = result["matmul"]["gflops"]
    for impl in ("chunked", "sdpa"):
        result[impl]["fraction_of_matmul"] = result[impl]["gflops"] / peak
        # The same fraction from CPU seconds: flops per CPU-second against the matmul's.
        result[impl]["cpu_fraction_of_matmul"] = (
            flops / result[impl]["median_cpu_s"] / (mm_flops / result["matmul"]["median_cpu_s"])
        )
    result["chunked_time_over_sdpa"] = result["chunked"]["median_s"] / result["sdpa"]["median_s"]
    result["chunked_cpu_time_over_sdpa"] = (
        result["chunked"]["median_cpu_s"] / result["sdpa"]["median_cpu_s"]
    )
    return result


def headline_rounds(repeats: int, n: int, rounds: int, gap_s: float) -> dict:
    """The two-thread headline ``rounds`` times, ``gap_s`` seconds apart.

    A shared machine's speed drifts over minutes (other tenants of the host use its memory
    bandwidth), and chunked attention, whose exponentials stream through memory, feels it more
    than the matrix product. The spread of these rounds says how much one headline can vary.
    """
    runs = []
    for r in range(rounds):
        if r:
            time.sleep(gap_s)
        one = headline(repeats, n)
        runs.append({"load_before": load(), **one, "time_utc": time.strftime("%H:%M:%S")})
    fractions = [run["chunked"]["fraction_of_matmul"] for run in runs]
    return {"n": n, "rounds": runs, "gap_s": gap_s, "chunked_fractions": fractions}


def forward_backward(repeats: int, n: int) -> dict:
    q, k, v = inputs(n, grad=True)
    tasks = {impl: (lambda impl=impl: step(impl, q, k, v, True)) for impl in ("chunked", "sdpa")}
    times = interleaved(tasks, repeats)
    flops = 4 * n * n * D * 3.5  # forward 4n²d; backward 5 products of 2n²d (2 of them repeated)
    result = {"n": n, "d": D, "flops_counted": flops}
    for impl in ("chunked", "sdpa"):
        result[impl] = summary(times[impl], flops, CPU_SECONDS[impl])
        result[impl]["peak_bytes"] = measure_memory(impl, n, backward=True)
    result["chunked_time_over_sdpa"] = result["chunked"]["median_s"] / result["sdpa"]["median_s"]
    result["naive"] = {"peak_bytes": measure_memory("naive", n, backward=True)}
    return result


def n_sweep(repeats: int, ns: list[int]) -> dict:
    impls = ["naive", "chunked", "sdpa", "linear"]
    result = {"n": ns, **{impl: {"median_s": [], "peak_bytes": [], "gflops": []} for impl in impls}}
    result["matmul_gflops"] = []  # measured at every n, in the same alternating runs
    mm, mm_flops = matmul_task()
    naive_estimate = 0
    for n in ns:
        q, k, v = inputs(n)
        run = [i for i in impls if i != "naive" or naive_estimate <= NAIVE_LIMIT]
        tasks = {i: (lambda i=i, q=q, k=k, v=v: step(i, q, k, v, False)) for i in run}
        tasks["matmul"] = mm
        times = interleaved(tasks, repeats)
        result["matmul_gflops"].append(mm_flops / statistics.median(times["matmul"]) / 1e9)
        for impl in impls:
            entry = result[impl]
            if impl not in run:
                entry["median_s"].append(None)
                entry["peak_bytes"].append(None)
                entry["gflops"].append(None)
                continue
            med = statistics.median(times[impl])
            entry["median_s"].append(med)
            entry["gflops"].append(4 * n * n * D / med / 1e9)
            entry["peak_bytes"].append(measure_memory(impl, n))
        if result["naive"]["peak_bytes"][-1] is not None:
            naive_estimate = 4 * result["naive"]["peak_bytes"][-1]  # n² memory: x4 per doubling
        print(
            f"n = {n}: " + ", ".join(f"{i} {result[i]['median_s'][-1]}" for i in impls), flush=True
        )
    result["naive_limit_bytes"] = NAIVE_LIMIT
    result["slopes"] = {}
    for impl in impls:
        for key in ("median_s", "peak_bytes"):
            pairs = [(n, y) for n, y in zip(ns, result[impl][key], strict=True) if y]
            pairs = pairs[1:] if len(pairs) > 2 else pairs  # fit from n = 2048 where possible
            x, y = np.log([p[0] for p in pairs]), np.log([p[1] for p in pairs])
            result["slopes"][f"{impl}_{key}"] = float(np.polyfit(x, y, 1)[0])
    return result


def chunk_sweep(repeats: int, n: int, qcs: list[int], kcs: list[int]) -> dict:
    q, k, v = inputs(n)
    mm, mm_flops = matmul_task()
    configs = [(qc, kc) for qc in qcs for kc in kcs]
    tasks = {"matmul": mm}
    for qc, kc in configs:
        tasks[f"{qc}x{kc}"] = lambda qc=qc, kc=kc: step("chunked", q, k, v, False, qc=qc, kc=kc)
    times = interleaved(tasks, repeats)
    peak = mm_flops / statistics.median(times["matmul"]) / 1e9
    rows = []
    for qc, kc in configs:
        med = statistics.median(times[f"{qc}x{kc}"])
        gflops = 4 * n * n * D / med / 1e9
        rows.append(
            {
                "query_chunk_size": qc,
                "key_chunk_size": kc,
                "median_s": med,
                "fraction_of_matmul": gflops / peak,
                "block_bytes": 4 * qc * kc,
                "peak_bytes": measure_memory("chunked", n, qc=qc, kc=kc),
            }
        )
    return {
        "n": n,
        "matmul_gflops": peak,
        "naive_peak_bytes": measure_memory("naive", n),
        "configs": rows,
        "chosen": {"query_chunk_size": QUERY_CHUNK_SIZE, "key_chunk_size": KEY_CHUNK_SIZE},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a temporary file")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--memory", nargs=5, help=argparse.SUPPRESS)  # the child process
    parser.add_argument(
        "--only",
        nargs="*",
        default=None,
        help="parts to (re)run: headline headline_1thread headline_rounds forward_backward n_sweep "
        "chunk_sweep",
    )
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument(
        "--gap", type=float, default=60.0, help="seconds between the rounds of headline_rounds"
    )
    parser.add_argument(
        "--note",
        default="a machine shared with other jobs; load averages are recorded per part",
        help="what the JSON should say about the machine",
    )
    args = parser.parse_args(argv)
    if args.memory:
        impl, n, backward, qc, kc = args.memory
        print(json.dumps(measure_memory_here(impl, int(n), bool(int(backward)), int(qc), int(kc))))
        return 0
    torch.set_num_threads(2)  # both cores: the figures describe this machine, not one thread
    if args.quick:
        big, mid, ns, qcs, kcs = 1024, 512, [256, 512, 1024], [128, 256], [256, 512]
    else:
        big, mid = 16384, 8192
        ns = [1024, 2048, 4096, 8192, 16384]
        qcs, kcs = [256, 512, 1024, 2048], [1024, 2048, 4096, 8192]
    output = args.output or (Path("/tmp/efficient_attention_quick.json") if args.quick else RESULTS)
    # With --only, the other parts' records are kept from the existing file; each record names
    # the command that produced it.
    kept = json.loads(output.read_text())["results"] if output.exists() and args.only else []
    records = {record["part"]: record for record in kept}
    parts = {
        "headline": lambda: headline(max(args.repeats, 5), big),
        # One thread: no synchronisation between threads, so other jobs' load distorts less.
        "headline_1thread": lambda: headline(max(args.repeats, 5), big, threads=1),
        "headline_rounds": lambda: headline_rounds(max(args.repeats, 5), big, 3, args.gap),
        "forward_backward": lambda: forward_backward(max(args.repeats, 5), mid),
        "n_sweep": lambda: n_sweep(5, ns),
        "chunk_sweep": lambda: chunk_sweep(max(args.repeats, 5), mid, qcs, kcs),
    }
    for name, run in parts.items():
        if args.only is not None and name not in args.only:
            continue
        before, start = load(), time.perf_counter()
        record = {"part": name, **run(), "load_before": before, "load_after": load()}
        record["wall_s"] = time.perf_counter() - start
        record["command"] = report.command(argv)
        record["date_utc"] = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
        records[name] = record
        print(name, json.dumps(record)[:400], flush=True)
    settings = {
        "d": D,
        "dtype": "float32",
        "device": "cpu",
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "cpus": len(os.sched_getaffinity(0)),  # the cores this process may use (taskset)
        "note": args.note,
    }
    ordered = [records[name] for name in parts if name in records]
    result = report.make(argv, threads=torch.get_num_threads(), settings=settings, results=ordered)
    report.write(result, output)
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
