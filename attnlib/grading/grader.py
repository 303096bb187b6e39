"""Grade a folder of submitted notebooks against the public and hidden tests.

For each notebook: find its exercise set, run its code and the calls of every test case in a
sandbox (see :mod:`attnlib.grading.sandbox`), compare the outputs that come back with the
reference outputs computed here, and write ``OUT/grades.csv`` and ``OUT/<name>/results.json``
(Gradescope's format). Submissions run ``jobs`` at a time; whatever one does, the batch goes on.
"""

from __future__ import annotations

import csv
import json
import queue
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from attnlib.grading import sandbox
from attnlib.grading.codec import encode
from attnlib.grading.notebook import MalformedNotebook, code_cells
from attnlib.grading.reference import expected_outputs
from attnlib.grading.scoring import QuestionResult, score_question
from attnlib.grading.content import all_sets, get_set, load_hidden
from attnlib.grading.spec import Case, ExerciseSet

DEFAULT_TESTS = Path(__file__).resolve().parents[2] / "exercises" / "source"


@dataclass
class Graded:
    """One submission's grade."""

    file: str
    set_name: str | None
    status: str
    results: list[QuestionResult] = field(default_factory=list)
    cell_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> float:
        return round(sum(r.score for r in self.results), 2)

    def score(self, qid: str) -> float | None:
        return next((r.score for r in self.results if r.question.id == qid), None)


class Plan:
    """Every case of an exercise set, the encoded calls, and the reference outputs."""

    def __init__(self, exset: ExerciseSet, tests_dir: Path) -> None:
        hidden = load_hidden(tests_dir, exset)
        self.exset = exset
        self.groups = []  # (question, first index, cases, hidden flags)
        self.cases: list[Case] = []
        for q in exset.questions:
            cases = list(q.public) + hidden[q.id]
            flags = [False] * len(q.public) + [True] * len(hidden[q.id])
            self.groups.append((q, len(self.cases), cases, flags))
            self.cases += cases
        self.expected = expected_outputs(exset, self.cases)
        self.calls = [{"target": c.target, "is_call": c.is_call,
                       "args": [encode(a) for a in c.args],
                       "kwargs": {k: encode(v) for k, v in c.kwargs.items()}} for c in self.cases]

    def score(self, outcome: sandbox.Outcome) -> list[QuestionResult]:
        results = []
        for q, first, cases, flags in self.groups:
            answers = [outcome.answers.get(first + i) for i in range(len(cases))]
            expected = self.expected[first:first + len(cases)]
            results.append(score_question(q, cases, expected, answers, flags))
        return results


def identify(path: Path, metadata: dict, forced: str | None) -> ExerciseSet:
    """The submission's exercise set: ``forced``, else the notebook's metadata, else its name."""
    if forced:
        return get_set(forced)
    name = metadata.get("attnlib_exercises", {}).get("set") if isinstance(
        metadata.get("attnlib_exercises"), dict) else None
    if isinstance(name, str) and any(s.name == name for s in all_sets()):
        return get_set(name)
    for exset in all_sets():
        if exset.name in path.name:
            return exset
    raise LookupError("cannot tell which exercise set this is (use --set)")


def grade_one(path: Path, plans: dict, limits: sandbox.Limits, slot: int,
              forced: str | None) -> Graded:
    """Grade one notebook; a broken one gets zero on every question of its set."""
    try:
        cells, metadata = code_cells(path)
        exset = identify(path, metadata, forced)
    except (MalformedNotebook, LookupError) as exc:
        try:
            exset = identify(path, {}, forced)
        except LookupError:
            return Graded(path.name, None, f"malformed notebook: {exc}")
        zeros = [QuestionResult(q, 0.0, 0, 1) for q in exset.questions]
        return Graded(path.name, exset.name, f"malformed notebook: {exc}", zeros)
    plan = plans[exset.name]
    outcome = sandbox.run(cells, plan.calls, limits, slot)
    status = outcome.status
    if outcome.errors and status == "ok":
        status = f"ok, {len(outcome.errors)} cell(s) raised"
    return Graded(path.name, exset.name, status, plan.score(outcome), outcome.errors,
                  outcome.seconds)


def grade(submissions: Path, out: Path, *, tests_dir: Path = DEFAULT_TESTS, jobs: int = 2,
          limits: sandbox.Limits = sandbox.Limits(), forced_set: str | None = None) -> list[Graded]:
    """Grade every ``*.ipynb`` in ``submissions``; write ``out/grades.csv`` and results.json files."""
    paths = sorted(p for p in Path(submissions).iterdir() if p.suffix == ".ipynb" and p.is_file())
    if not paths:
        raise FileNotFoundError(f"no .ipynb files in {submissions}")
    plans: dict = {}
    # Build the plans (reference outputs) up front, in this thread, for the sets present.
    for path in paths:
        try:
            exset = identify(path, code_cells(path)[1], forced_set)
        except (MalformedNotebook, LookupError):
            continue
        if exset.name not in plans:
            plans[exset.name] = Plan(exset, tests_dir)
    slots: queue.Queue[int] = queue.Queue()
    for i in range(jobs):
        slots.put(i)

    def work(path: Path) -> Graded:
        slot = slots.get()
        try:
            return grade_one(path, plans, limits, slot, forced_set)
        finally:
            slots.put(slot)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        graded = list(pool.map(work, paths))
    write(graded, Path(out))
    return graded


def write(graded: list[Graded], out: Path) -> None:
    """Write ``out/grades.csv`` and ``out/<stem>/results.json`` for each submission."""
    out.mkdir(parents=True, exist_ok=True)
    present = {g.set_name for g in graded}
    qids = [q.id for s in all_sets() if s.name in present for q in s.questions]
    with open(out / "grades.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["file", "status", *qids, "total"])
        for g in graded:
            scores = [g.score(q) for q in qids]
            writer.writerow([g.file, g.status, *("" if s is None else f"{s:g}" for s in scores),
                             f"{g.total:g}"])
    for g in graded:
        folder = out / Path(g.file).stem
        folder.mkdir(exist_ok=True)
        (folder / "results.json").write_text(json.dumps(gradescope(g), indent=1) + "\n")


def gradescope(g: Graded) -> dict:
    """A Gradescope autograder ``results.json`` for one submission."""
    tests = []
    for r in g.results:
        lines = [f"{r.passed}/{r.total} tests passed."]
        lines += r.failures
        if r.hidden_failed:
            lines.append(f"{r.hidden_failed} hidden test(s) failed.")
        if not r.full:
            lines.append(f"Hint: {r.question.hint}")
        tests.append({"name": f"Exercise {r.question.id}: {r.question.title}",
                      "score": r.score, "max_score": r.question.points,
                      "output": "\n".join(lines), "visibility": "visible"})
    output = f"Status: {g.status}."
    if g.cell_errors:
        output += "\n" + "\n".join(g.cell_errors)
    return {"score": g.total, "output": output, "tests": tests, "visibility": "visible",
            "execution_time": round(g.seconds, 2)}
