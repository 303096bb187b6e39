"""``check``: the learner's feedback inside the notebook, from the public tests.

    from attnlib.grading import check
    check("2.1")

runs exercise 2.1's public tests on what the notebook defines, in the notebook's own process
(public tests are no secret), and prints the score, what was expected and what came for each
failure, and a hint. The instructor's grade also counts hidden tests, run in a sandbox.
"""

from __future__ import annotations

import sys

from attnlib.grading.content import find_question
from attnlib.grading.reference import expected_outputs, run_case
from attnlib.grading.scoring import QuestionResult, score_question


def run_public(qid: str, namespace: dict) -> QuestionResult:
    """Score question ``qid`` on its public tests against the names in ``namespace``."""
    exset, question = find_question(qid)
    cases = list(question.public)
    expected = expected_outputs(exset, cases)
    answers = []
    for case in cases:
        try:
            if case.target not in namespace:
                raise NameError(f"name {case.target!r} is not defined: run the answer cell first")
            answers.append(("ok", run_case(case, namespace)))
        except Exception as exc:  # noqa: BLE001  (any mistake in the answer is feedback)
            answers.append(("error", f"{type(exc).__name__}: {exc}"))
    return score_question(question, cases, expected, answers, [False] * len(cases))


def report(result: QuestionResult) -> str:
    """The text ``check`` prints."""
    q = result.question
    mark = "all passed" if result.full else f"{result.passed}/{result.total} passed"
    lines = [
        f"Exercise {q.id} ({q.title}): public tests {mark}, {result.score:g}/{q.points} points."
    ]
    lines += [f"  ✗ {failure}" for failure in result.failures]
    if not result.full:
        lines.append(f"  Hint: {q.hint}")
    lines.append("Hidden tests will also count when your notebook is graded.")
    return "\n".join(lines)


def check(qid: str, namespace: dict | None = None) -> None:
    """Print the public-test score and feedback for exercise ``qid`` (e.g. ``"2.1"``).

    Args:
        qid: the exercise's number, as in its heading.
        namespace: where the answer is defined; by default the caller's globals (the notebook).
    """
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    try:
        find_question(qid)
    except OSError as exc:  # no exercise files here (a bare install, or the grader's sandbox)
        print(f"check({qid!r}) cannot run: {exc}")
        return
    print(report(run_public(qid, namespace)))
