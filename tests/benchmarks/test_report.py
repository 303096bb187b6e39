"""benchmarks/report.py: the one JSON layout, and every committed result written in it.

Every script in benchmarks/ writes its results with ``report.make`` and ``report.write``, so a
chapter reads any of them the same way. The committed files are checked here, so that a new
script (or an old one rerun) cannot drift into a layout of its own.
"""

import importlib.util
import json
import re
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
RESULTS = BENCHMARKS / "results"
MACHINE = {"python", "torch", "processor", "threads", "load_average"}
COMMITTED = sorted(RESULTS.glob("*.json"))


def _report():
    spec = importlib.util.spec_from_file_location("report", BENCHMARKS / "report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_common_layout(report: dict) -> None:
    """The keys of report.make's layout, with their types."""
    assert {"command", "machine", "settings", "results"} <= set(report)
    assert re.search(r"\bpython benchmarks/\S+", report["command"]), report["command"]
    assert set(report["machine"]) == MACHINE
    assert isinstance(report["machine"]["threads"], int) and report["machine"]["threads"] >= 1
    assert len(report["machine"]["load_average"]) == 3
    assert isinstance(report["settings"], dict)
    assert isinstance(report["results"], list) and report["results"]
    assert all(isinstance(record, dict) for record in report["results"])


def test_make_and_write_give_the_common_layout(tmp_path):
    report = _report()
    made = report.make(["--seed", "0"], threads=1, settings={"seed": 0}, results=[{"a": 1}], x=2)
    report.write(made, tmp_path / "sub" / "out.json")
    written = json.loads((tmp_path / "sub" / "out.json").read_text())
    assert written == made and written["x"] == 2
    assert written["command"] == "python benchmarks/SCRIPT --seed 0"
    written["command"] = "python benchmarks/NAME.py --seed 0"
    assert_common_layout(written)


def test_the_results_folder_holds_files_to_check():
    assert len(COMMITTED) >= 10  # a wrong path would make the test below check nothing


@pytest.mark.parametrize("path", COMMITTED, ids=[p.name for p in COMMITTED])
def test_every_committed_result_has_the_common_layout(path):
    report = json.loads(path.read_text())
    assert_common_layout(report)
    script = re.search(r"\bpython (benchmarks/\S+)", report["command"])[1]
    assert (BENCHMARKS.parent / script).is_file(), f"{path.name}: no script {script}"
