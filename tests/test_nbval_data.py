"""The nbval_data plugin: outputs are compared unless a chapter's real data is missing.

Each test runs nbval in a subprocess on a one-cell notebook whose stored output is wrong, with an
empty data folder and ``--nbval-data-check verify`` (so nothing is downloaded).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

TESTS = Path(__file__).parent


def write_notebook(folder: Path, source: str, stored_text: str, metadata: dict | None) -> Path:
    cell = nbformat.v4.new_code_cell(source, execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored_text)]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    if metadata is not None:
        notebook.metadata["attnlib"] = metadata
    path = folder / "chapter.ipynb"
    nbformat.write(notebook, path)
    return path


def run_nbval(folder: Path, notebook: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ATTNLIB_DATA": str(folder / "empty"), "PYTHONPATH": str(TESTS)}
    (folder / "empty").mkdir()
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval",
        str(notebook),
        "--nbval-current-env",
        "-p",
        "no:xdist",
        "-p",
        "no:cacheprovider",
        "-p",
        "nbval_data",
        "--nbval-data-check",
        "verify",
        "--rootdir",
        str(folder),
        "-q",
    ]
    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=300)


def test_a_chapter_without_datasets_is_compared(tmp_path):
    notebook = write_notebook(tmp_path, "print(1)", "2\n", metadata=None)
    result = run_nbval(tmp_path, notebook)
    assert result.returncode == 1, result.stdout
    assert "Cell outputs differ" in result.stdout


def test_a_chapter_whose_data_is_missing_runs_but_is_not_compared(tmp_path):
    notebook = write_notebook(tmp_path, "print(1)", "2\n", metadata={"datasets": ["mnist"]})
    result = run_nbval(tmp_path, notebook)
    assert result.returncode == 0, result.stdout
    assert "chapter.ipynb: mnist not available, so it ran on the fallback data" in result.stdout


def test_a_failing_cell_still_fails_without_the_data(tmp_path):
    notebook = write_notebook(
        tmp_path, "assert 1 == 2, 'the claim'", "", metadata={"datasets": ["fsdd"]}
    )
    result = run_nbval(tmp_path, notebook)
    assert result.returncode == 1, result.stdout
    assert "the claim" in result.stdout


@pytest.mark.parametrize("datasets", ["mnist", ["imagenet"]])
def test_bad_metadata_is_a_usage_error(tmp_path, datasets):
    notebook = write_notebook(tmp_path, "print(1)", "1\n", metadata={"datasets": datasets})
    result = run_nbval(tmp_path, notebook)
    assert result.returncode == 4, result.stdout + result.stderr  # pytest's usage error
    assert "datasets" in result.stderr
