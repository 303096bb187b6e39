"""Command line: fetch and verify the course's datasets.

    python -m attnlib.data fetch mnist fsdd [--dir D]   # download what is missing or corrupt
    python -m attnlib.data verify [mnist] [fsdd] [--dir D]   # check, never download

The data root is ``--dir``, else ``$ATTNLIB_DATA``, else the per-user cache. Exit status: 0 when
every named dataset is present and verified, 1 when one is missing, corrupt or could not be
downloaded, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from attnlib.data import fsdd, mnist
from attnlib.data.download import DataError, data_root, fetch_file
from attnlib.data.mnist import parse_idx

DATASETS = ("mnist", "fsdd")


def _mnist(root: Path, origin: str, download: bool, progress: bool) -> list[str]:
    """Fetch or verify each MNIST file; one report line per file."""
    lines = []
    for spec in mnist.FILES.values():
        path, raw = fetch_file(
            spec,
            root / "mnist",
            download=download,
            replace_bad=True,
            progress=progress,
            origin=origin,
        )
        shape = parse_idx(raw, name=str(path)).shape
        lines.append(f"mnist: OK {path} ({shape[0]} {'images' if len(shape) == 3 else 'labels'})")
    return lines


def _fsdd(root: Path, origin: str, download: bool, progress: bool) -> list[str]:
    files, path = fsdd.recordings(
        root, origin, download=download, replace_bad=True, progress=progress
    )
    return [f"fsdd: OK {path} ({len(files)} recordings)"]


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m attnlib.data", description="Fetch and verify the course's datasets."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    fetch = commands.add_parser("fetch", help="download what is missing or corrupt, verified")
    fetch.add_argument("datasets", nargs="+", choices=DATASETS, metavar="{mnist,fsdd}")
    verify = commands.add_parser("verify", help="check the local copies; never download")
    # No choices= here: Python 3.11's argparse rejects an empty list for nargs="*" with choices.
    verify.add_argument("datasets", nargs="*", metavar="{mnist,fsdd}", help="default: both")
    for command in (fetch, verify):
        command.add_argument("--dir", help="the data root (default: $ATTNLIB_DATA, else the cache)")
        command.add_argument("--no-progress", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    for name in args.datasets:
        if name not in DATASETS:
            verify.error(f"datasets must be among {list(DATASETS)}, got {name!r}")  # exits 2

    root, origin = data_root(args.dir)
    print(f"data root: {root} (from {origin})")
    status = 0
    for name in dict.fromkeys(args.datasets or DATASETS):  # in order, without repeats
        check = _mnist if name == "mnist" else _fsdd
        try:
            lines = check(root, origin, args.command == "fetch", not args.no_progress)
        except DataError as err:
            print(f"{name}: FAILED\n{err}", file=sys.stderr)
            status = 1
        else:
            print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
