"""The sandbox refuses where it cannot start, the insecure option is loud, and the Gradescope
bundle grades a submission laid out as Gradescope lays it out."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from attnlib.grading import sandbox
from attnlib.grading.assign import learner_notebook
from attnlib.grading.content import get_set
from attnlib.grading.grader import grade
from attnlib.grading.gradescope import bundle

SET = get_set("01_what_is_attention")
SOLUTION = learner_notebook(SET, {q.id: q.solution for q in SET.questions})
needs_sandbox = pytest.mark.skipif(sandbox.probe() is not None, reason="no bubblewrap here")


@pytest.fixture
def no_bwrap(monkeypatch):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    sandbox.probe.cache_clear()
    yield
    sandbox.probe.cache_clear()


def test_without_a_sandbox_grading_refuses_and_writes_nothing(tmp_path, no_bwrap):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "a_01_what_is_attention.ipynb").write_text(SOLUTION)
    with pytest.raises(sandbox.SandboxUnavailable, match="--insecure-no-sandbox"):
        grade(tmp_path / "subs", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_command_line_refuses_with_a_clear_message(tmp_path):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "a_01_what_is_attention.ipynb").write_text(SOLUTION)
    env = {**os.environ, "PATH": "/nonexistent"}  # no bwrap on the PATH
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "attnlib.grading",
            "grade",
            str(tmp_path / "subs"),
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 2
    assert "cannot grade: no sandbox (bubblewrap (bwrap) is not installed)" in done.stderr
    assert not (tmp_path / "out").exists()


def test_insecure_grading_works_and_says_so_in_every_status(tmp_path, no_bwrap):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "a_01_what_is_attention.ipynb").write_text(SOLUTION)
    [g] = grade(tmp_path / "subs", tmp_path / "out", jobs=1, insecure=True)
    assert g.total == SET.max_score
    assert g.status == "ok [INSECURE: graded without a sandbox]"


@needs_sandbox
def test_the_sandbox_sees_only_the_interpreter_and_attnlib(tmp_path):
    cell = """
import os, json, attnlib
repo = os.path.dirname(os.path.dirname(attnlib.__file__))
seen = {p: sorted(os.listdir(p)) for p in ["/", "/tmp"]}
seen["repo"] = sorted(os.listdir(repo))
status = open("/proc/self/status").read()
caps = [l for l in status.splitlines() if l.startswith(("CapEff", "NoNewPrivs", "Uid"))]
report = json.dumps({"seen": seen, "caps": caps, "env": sorted(os.environ), "pid": os.getpid()})
"""
    outcome = sandbox.run(
        [cell], [{"target": "report", "is_call": False, "args": [], "kwargs": {}, "forbid": []}]
    )
    report = json.loads(outcome.answers[0][1])
    # The root holds the system folders plus the top folder of each read-only bind (the
    # checkout may live anywhere: /work, /check, /home/...), and nothing else.
    binds = sandbox._readonly_paths()
    tops = {Path(p).parts[1] for p in binds}
    system = {"usr", "lib", "lib64", "lib32", "bin", "proc", "dev", "tmp"}
    assert set(report["seen"]["/"]) <= system | tops
    # Above attnlib, the checkout shows only what was bound: never exercises/ or tests/.
    assert "attnlib" in report["seen"]["repo"]
    assert not {"exercises", "tests", "book"} & set(report["seen"]["repo"])
    assert report["seen"]["/tmp"] == []
    assert "CapEff:\t0000000000000000" in report["caps"]
    assert report["pid"] < 10  # its own pid namespace
    assert set(report["env"]) - {"PWD"} == set(sandbox._env())  # bwrap sets PWD
    if os.getuid() == 0:
        assert f"Uid:\t{sandbox.sandbox_uid(0)}" in report["caps"][0]


@needs_sandbox
def test_gradescope_bundle_grades_a_submission_laid_out_as_gradescope_does(tmp_path):
    root = tmp_path / "autograder"
    files = bundle(root / "source", SET.name)
    assert sorted(p.name for p in files) == [
        "01_what_is_attention.py",
        "run_autograder",
        "setup.sh",
    ]
    assert "apt-get install -y bubblewrap" in (root / "source" / "setup.sh").read_text()
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "My Homework (1).ipynb").write_text(SOLUTION)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, check=True)
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == SET.max_score == 9
    assert [t["max_score"] for t in results["tests"]] == [q.points for q in SET.questions]


def test_gradescope_bundle_asks_for_exactly_one_notebook(tmp_path):
    root = tmp_path / "autograder"
    bundle(root / "source", SET.name)
    (root / "submission").mkdir(parents=True)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, check=True)
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and "exactly one .ipynb" in results["output"]
