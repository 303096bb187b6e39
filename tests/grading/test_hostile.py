"""Submissions that try to fool the grader, or break, graded in one batch through the sandbox.

Each hostile notebook is exercise set 2 (soft attention, 14 points) with stubs or solutions
and a hostile cell; where a hostile trick would work, it would show as points.
"""

import csv
import json
import os
import textwrap
from pathlib import Path

import pytest

from attnlib.grading.assign import learner_notebook
from attnlib.grading.grader import DEFAULT_TESTS, grade
from attnlib.grading.sandbox import Limits
from attnlib.grading.content import get_set

SET = get_set("02_soft_attention")
SOLUTIONS = {q.id: q.solution for q in SET.questions}
HIDDEN_FILE = DEFAULT_TESTS / "02_soft_attention" / "hidden.py"


def with_cell(code: str, answers: dict | None = None) -> str:
    """The handout (or ``answers``) with ``code`` run first, in exercise 2.1's answer cell."""
    answers = dict(answers or {})
    first = answers.get("2.1", SET.question("2.1").stub)
    answers["2.1"] = textwrap.dedent(code) + "\n" + first
    return learner_notebook(SET, answers)


def hostile(out_dir: Path, marker: Path) -> dict[str, str]:
    return {
        # Reads the hidden tests; if it could, it would also answer 2.6 (and score 1 point).
        "reads_hidden": with_cell(f"""
            try:
                source = open({str(HIDDEN_FILE)!r}).read()
                overflow_at = 89
            except OSError:
                pass
            """) .replace('overflow_at = None  # an integer', '# removed'),
        # Regains root; if it could, it would answer 2.6.
        "regains_root": with_cell("""
            import os
            try:
                os.setuid(0)
                overflow_at = 89
            except OSError:
                pass
            """).replace('overflow_at = None  # an integer', '# removed'),
        # Patches every comparison it can reach, then leaves the stubs.
        "patches_runner": with_cell("""
            import math, torch, torch.testing
            import attnlib.grading.compare as cmp, attnlib.grading.scoring as sc
            torch.allclose = lambda *a, **k: True
            torch.equal = lambda *a, **k: True
            torch.isclose = lambda a, b, **k: torch.ones_like(a, dtype=torch.bool)
            torch.testing.assert_close = lambda *a, **k: None
            math.isclose = lambda *a, **k: True
            cmp.compare = lambda *a, **k: None
            sc.compare = lambda *a, **k: None
            """),
        # Deletes the check cells and defines a check that always reports full marks.
        "deletes_tests": _drop_check_cells(with_cell("""
            def check(qid, namespace=None):
                print("Exercise", qid, ": all passed, full marks")
            """)),
        # Returns objects that compare equal to anything.
        "always_equal": learner_notebook(SET, {q.id: textwrap.dedent("""
            class AlwaysEqual(float):
                def __new__(cls): return float.__new__(cls, 0.0)
                def __eq__(self, other): return True
                def __ne__(self, other): return False
                __hash__ = float.__hash__
            class Sneaky(torch.Tensor):
                def __eq__(self, other): return True
            def _any(*args, **kwargs): return AlwaysEqual()
            stable_softmax = softmax_with_temperature = masked_softmax = _any
            def attend(w, v): return torch.zeros(w.shape[0], v.shape[1]).as_subclass(Sneaky)
            softmax_jacobian_at = _any
            overflow_at = AlwaysEqual()
            """) if q.id == "2.1" else "" for q in SET.questions}),
        # Writes its own results where the grader writes, and anywhere else it can.
        "writes_results": with_cell(f"""
            for path in [{str(out_dir / 'grades.csv')!r}, {str(out_dir / 'writes_results' / 'results.json')!r},
                         'results.json', {str(marker)!r}]:
                try:
                    with open(path, 'w') as f:
                        f.write('{{"score": 1000}}')
                except OSError:
                    pass
            """),
        # Writes forged result lines straight to the grader's channel.
        "forges_output": with_cell("""
            import os, json
            for fd in range(3, 10):
                try:
                    os.write(fd, b'{"cells": 0, "errors": []}\\n')
                    for i in range(40):
                        line = {"call": i, "value": {"__object__": "forged"}}
                        os.write(fd, (json.dumps(line) + "\\n").encode())
                    os.write(fd, b'{"done": true}\\n')
                except OSError:
                    pass
            """),
        # Loops forever with the time-limit signal ignored.
        "infinite_loop": with_cell("""
            import signal
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
            while True:
                pass
            """, SOLUTIONS),
        # An answer cell that raises: only that question is lost.
        "raises": learner_notebook(SET, {**SOLUTIONS, "2.1": "raise RuntimeError('oops')"}),
        # The kernel dies after defining correct answers.
        "crashes": learner_notebook(SET, {**SOLUTIONS, "2.6": SOLUTIONS["2.6"] + "\nimport os, signal\nos.kill(os.getpid(), signal.SIGSEGV)"}),
        # Asks for 400 GB.
        "memory_hog": with_cell("x = torch.empty(10**11)"),
        # Not a notebook at all.
        "malformed": '{"cells": [',
        # The reference solution, graded alongside the others: it must keep full marks.
        "solution": learner_notebook(SET, SOLUTIONS),
    }


def _drop_check_cells(text: str) -> str:
    nb = json.loads(text)
    nb["cells"] = [c for c in nb["cells"] if "check" not in c["metadata"].get("tags", [])]
    return json.dumps(nb)


KILLER = with_cell("""
    import os, signal
    for target in (-1, os.getppid(), 1):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass
    """)


# An honest answer that calls attnlib, whose argument checks import torch modules lazily:
# the sandbox must have them loaded before it forbids opening files.
USES_ATTNLIB = """
import attnlib

def masked_softmax(scores, mask):
    return attnlib.softmax(scores, dim=-1, mask=mask)
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    subs, out, marker = tmp / "subs", tmp / "out", tmp / "marker.txt"
    subs.mkdir()
    os.chmod(tmp, 0o755)
    notebooks = hostile(out, marker)
    if os.getuid() == 0:  # as another user this would signal the test runner itself
        notebooks["kills_others"] = KILLER
    notebooks["uses_attnlib"] = learner_notebook(SET, {**SOLUTIONS, "2.3": USES_ATTNLIB})
    for name, text in notebooks.items():
        (subs / f"{name}.ipynb").write_text(text)
    limits = Limits(wall_s=40, cpu_s=15, cell_s=4, call_s=4)
    results = grade(subs, out, jobs=2, limits=limits, forced_set="02_soft_attention")
    rows = {r["file"].removesuffix(".ipynb"): r for r in csv.DictReader(open(out / "grades.csv"))}
    return {g.file.removesuffix(".ipynb"): g for g in results}, rows, out, marker


@pytest.mark.parametrize("name", ["reads_hidden", "regains_root", "patches_runner",
                                  "deletes_tests", "always_equal", "writes_results",
                                  "forges_output", "memory_hog", "malformed"])
def test_hostile_submission_scores_zero(graded, name):
    results, rows, _, _ = graded
    assert results[name].total == 0, (name, results[name].status,
                                      [r.failures for r in results[name].results])
    assert rows[name]["total"] == "0"


def test_an_answer_that_calls_attnlib_scores_full_marks(graded):
    results, _, _, _ = graded
    assert results["uses_attnlib"].total == SET.max_score, results["uses_attnlib"].status


def test_solution_graded_beside_them_keeps_full_marks(graded):
    results, rows, _, _ = graded
    assert results["solution"].total == SET.max_score == 14
    assert rows["solution"]["status"] == "ok"


def test_no_file_written_outside_the_sandbox(graded):
    _, rows, out, marker = graded
    assert not marker.exists()
    data = json.loads((out / "writes_results" / "results.json").read_text())
    assert data["score"] == 0 and len(data["tests"]) == len(SET.questions)
    assert set(rows) >= {"writes_results", "solution"}


def test_infinite_loop_times_out_and_scores_zero(graded):
    results, _, _, _ = graded
    assert results["infinite_loop"].status.startswith(("timeout", "crashed: CPU time limit", "crashed: killed"))
    assert results["infinite_loop"].total == 0


def test_crash_is_reported_and_scores_zero(graded):
    results, _, _, _ = graded
    assert "SIGSEGV" in results["crashes"].status
    assert results["crashes"].total == 0


def test_a_raising_cell_costs_only_its_question(graded):
    results, _, _, _ = graded
    g = results["raises"]
    assert g.status == "ok, 1 cell(s) raised"
    assert g.score("2.1") == 0 and g.total == SET.max_score - 3
    assert "RuntimeError: oops" in g.cell_errors[0]


def test_memory_hog_is_stopped_without_stopping_the_batch(graded):
    results, _, _, _ = graded
    assert any("memory" in e.lower() or "alloc" in e.lower() for e in results["memory_hog"].cell_errors)


def test_malformed_notebook_is_reported(graded):
    results, rows, _, _ = graded
    assert rows["malformed"]["status"].startswith("malformed notebook")
    assert rows["malformed"]["2.1"] == "0"


@pytest.mark.skipif(os.getuid() != 0, reason="only as root does each submission get its own user")
def test_killing_everything_it_can_stops_only_itself(graded):
    results, _, _, _ = graded
    assert results["kills_others"].total == 0
    assert results["solution"].total == 14  # graded concurrently, untouched
