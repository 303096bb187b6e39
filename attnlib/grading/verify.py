"""The maintainers' check (``make exercises``): the tests still tell right from wrong.

Grades, through the same sandbox as real submissions, every reference solution (must score
full marks) and every learner notebook as handed out (must score zero). Then scores, against
the same public and hidden cases, answer sets in which each question's planted wrong answers
replace its solution (each must lose points on that question). The planted answers are the
course's own code, so they run in this process: a sandbox per answer set would cost a second
or two of interpreter start-up each, for nothing. Answer set ``k`` carries every question's
``k``-th wrong answer, since questions are scored independently.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from attnlib.grading.assign import EXERCISES, assign, learner_notebook
from attnlib.grading.content import all_sets
from attnlib.grading.grader import DEFAULT_TESTS, Graded, Plan, grade
from attnlib.grading.reference import namespace, run_case
from attnlib.grading.sandbox import Outcome
from attnlib.grading.spec import ExerciseSet


def in_process(plan: Plan, answers: dict[str, str]) -> Outcome:
    """Run trusted answers (the solutions with some replaced) on the plan's cases, here."""
    ns = namespace(plan.exset, answers)
    outcome = Outcome(status="ok")
    for i, case in enumerate(plan.cases):
        try:
            outcome.answers[i] = ("ok", run_case(case, ns))
        except Exception as exc:  # noqa: BLE001  (a wrong answer may raise)
            outcome.answers[i] = ("error", f"{type(exc).__name__}: {exc}")
    return outcome


def verify(tests_dir: Path = DEFAULT_TESTS, jobs: int = 2, root: Path = EXERCISES) -> list[str]:
    """Return the problems found (an empty list means all is well); print a summary."""
    problems = [
        f"{p} is out of date: run python -m attnlib.grading assign"
        for p in assign(all_sets(), root, check=True)
    ]
    # file name -> (set, kind, {qid: wrong name})
    expect: dict[str, tuple[ExerciseSet, str, dict[str, str]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "submissions"
        subs.mkdir()
        for exset in all_sets():
            solutions = {q.id: q.solution for q in exset.questions}
            (subs / f"{exset.name}__solution.ipynb").write_text(learner_notebook(exset, solutions))
            expect[f"{exset.name}__solution.ipynb"] = (exset, "solution", {})
            learner = root / f"{exset.name}.ipynb"
            if learner.exists():
                shutil.copy(learner, subs / f"{exset.name}__learner.ipynb")
                expect[f"{exset.name}__learner.ipynb"] = (exset, "learner", {})
        start = time.perf_counter()
        graded = grade(subs, Path(tmp) / "out", tests_dir=tests_dir, jobs=jobs)
        seconds = time.perf_counter() - start
    for exset in all_sets():
        plan = Plan(exset, tests_dir)
        for k in range(max(len(q.wrong) for q in exset.questions)):
            answers, planted = {}, {}
            for q in exset.questions:
                if k < len(q.wrong):
                    answers[q.id], planted[q.id] = list(q.wrong.values())[k], list(q.wrong)[k]
            results = plan.score(in_process(plan, answers))
            g = Graded(f"{exset.name}__wrong{k + 1} (in process)", exset.name, "ok", results)
            graded.append(g)
            expect[g.file] = (exset, "wrong", planted)
    planted_total = 0
    for g in graded:
        exset, kind, planted = expect[g.file]
        if not g.status.startswith("ok"):
            problems.append(f"{g.file}: status {g.status!r}")
        if kind == "solution" and g.total != exset.max_score:
            lost = [
                f"{r.question.id}: {r.failures or r.hidden_failed}" for r in g.results if not r.full
            ]
            problems.append(f"{g.file}: reference scores {g.total}/{exset.max_score}: {lost}")
        if kind == "learner" and g.total != 0:
            problems.append(f"{g.file}: the notebook as handed out scores {g.total}, not 0")
        for qid, name in planted.items():
            planted_total += 1
            q = exset.question(qid)
            score = g.score(qid)
            if score is None:
                problems.append(f"{g.file}: {qid} was not scored")
            elif score >= q.points:
                problems.append(f"{qid} planted wrong answer {name!r} keeps full marks")
    print(
        f"graded {2 * len(all_sets())} notebooks in the sandbox in {seconds:.1f} s with {jobs} "
        f"workers, and {planted_total} planted wrong answers in process"
    )
    for g in graded:
        print(f"  {g.file:52s} {g.total:6g}  {g.status}")
    return problems
