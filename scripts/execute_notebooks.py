"""Execute notebooks in place, store their outputs and widget state, and report the time each took.

The site renders the outputs stored in the notebooks and `make test` re-executes them with nbval
and compares, so a maintainer runs this (`make execute`) after changing a chapter and commits the
result. Each notebook runs in its own folder with the environment `make` sets (ATTNLIB_DATA,
TQDM_DISABLE), exactly as nbval will run it.

    python scripts/execute_notebooks.py chapters/*.ipynb [--budget 120]

Exit status: 0 when every notebook ran without error within the budget, 1 otherwise.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def execute(path: Path, timeout: int) -> float:
    """Execute ``path`` in place; return the wall time in seconds."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # per-cell timestamps would make every re-run a large diff
        cell.metadata.pop("execution", None)
    # Widget state from an earlier run (progress bars, say) would stay and be shipped with the
    # page; this run stores only the state of the widgets it creates.
    nb.metadata.pop("widgets", None)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
        record_timing=False,
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--budget", type=float, default=120.0, help="seconds allowed per notebook")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    args = parser.parse_args(argv)

    failed = False
    print(f"{'notebook':<50} {'seconds':>8}")
    for path in args.notebooks:
        try:
            elapsed = execute(path, args.timeout)
        except CellExecutionError as error:
            print(f"{str(path):<50} {'ERROR':>8}\n{error}", file=sys.stderr)
            failed = True
            continue
        over = elapsed > args.budget
        failed |= over
        flag = f"  over the {args.budget:.0f} s budget" if over else ""
        print(f"{str(path):<50} {elapsed:8.1f}{flag}", flush=True)
    # Kernels are child processes: their peak resident memory, in MiB (Linux reports KiB).
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory of the largest kernel: {peak:.0f} MiB")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
