"""A pytest plugin for the nbval run: compare a chapter's outputs only where it ran on real data.

A chapter that reads a real dataset names it in its notebook metadata::

    "attnlib": {"datasets": ["mnist"]}

Its stored outputs come from the real data. On a machine with neither a copy nor a network the
chapter runs on the labelled fallback data instead, where other numbers are the right ones. For
such a chapter this plugin still executes every cell, so a cell that raises or an assert that
fails still fails the run, but it does not compare the outputs with the stored ones, and the
summary says so. Every other chapter is compared as usual.

Before the first such chapter runs, the plugin asks ``python -m attnlib.data`` for each dataset
once: ``fetch`` (the default: download and verify what is missing, as the chapter itself would) or
``verify`` (never download), chosen with ``--nbval-data-check``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

_available: dict[str, bool] = {}
_uncompared: dict[str, list[str]] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--nbval-data-check",
        choices=("fetch", "verify"),
        default="fetch",
        help="how to find out whether a chapter's real datasets are here (default: fetch)",
    )


def declared_datasets(notebook: Path) -> list[str]:
    """The datasets a notebook's metadata says it reads (``metadata.attnlib.datasets``)."""
    metadata = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {})
    datasets = metadata.get("attnlib", {}).get("datasets", [])
    if not isinstance(datasets, list) or not all(isinstance(d, str) for d in datasets):
        raise pytest.UsageError(
            f"{notebook}: metadata.attnlib.datasets must be a list of dataset names, "
            f"got {datasets!r}"
        )
    return datasets


def dataset_available(name: str, check: str) -> bool:
    """Whether ``python -m attnlib.data CHECK NAME`` succeeds (cached for the session)."""
    if name not in _available:
        command = [sys.executable, "-m", "attnlib.data", check, name, "--no-progress"]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode not in (0, 1):  # 2: a usage error, e.g. a misspelt dataset name
            raise pytest.UsageError(f"{' '.join(command[1:])} failed:\n{result.stderr}")
        _available[name] = result.returncode == 0
    return _available[name]


def pytest_collectstart(collector: pytest.Collector) -> None:
    # Runs before the collector reads the notebook's cells, so the flag reaches every cell.
    path = Path(str(getattr(collector, "path", "")))
    if path.suffix != ".ipynb" or not hasattr(collector, "compare_outputs"):
        return
    check = collector.config.getoption("--nbval-data-check")
    missing = [d for d in declared_datasets(path) if not dataset_available(d, check)]
    if missing:
        collector.compare_outputs = False
        _uncompared[str(path.relative_to(collector.config.rootpath))] = missing


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not _uncompared:
        return
    terminalreporter.section("chapters run on fallback data")
    for name, missing in sorted(_uncompared.items()):
        terminalreporter.write_line(
            f"{name}: {', '.join(missing)} not available, so it ran on the fallback data; its "
            "cells and asserts ran, its outputs were not compared with the stored ones"
        )
