"""The one JSON layout every benchmark script writes (``benchmarks/results/*.json``).

::

    {
      "command": "python benchmarks/NAME.py ...",   # how to reproduce the file
      "machine": {"python", "torch", "processor", "threads", "load_average"},
      "data": "...",                                 # where the data came from, if any
      "settings": {...},                             # the script's parameters
      "results": [{...}, ...],                       # one flat record per run or variant
      ...                                            # script-specific totals (wall_s, peak_rss_mb)
    }
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
from pathlib import Path

import torch


def make(
    argv: list[str] | None, *, threads: int, settings: dict, results: list[dict], **extra: object
) -> dict:
    """A report in the common layout (``argv`` as given to the script's ``main``)."""
    return {
        "command": command(argv),
        "machine": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "processor": platform.machine(),
            "threads": threads,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "settings": settings,
        "results": results,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        **extra,
    }


def command(argv: list[str] | None) -> str:
    """The command line that reproduces a run (``argv`` as given to the script's ``main``)."""
    args = sys.argv[1:] if argv is None else argv
    script = Path(sys.argv[0]).name if argv is None else "SCRIPT"
    return " ".join(["python", f"benchmarks/{script}", *args])


def write(report: dict, path: Path) -> None:
    """Write ``report`` as indented JSON (creating the folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n")
