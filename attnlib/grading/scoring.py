"""Score one question: compare each case's output with the reference and say what differs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from attnlib.grading.compare import compare
from attnlib.grading.spec import Case, Question


@dataclass
class QuestionResult:
    """A question's score, its passed and total cases, and one line per failed case."""

    question: Question
    score: float
    passed: int
    total: int
    failures: list[str] = field(default_factory=list)
    hidden_failed: int = 0

    @property
    def full(self) -> bool:
        return self.passed == self.total


def score_question(
    question: Question,
    cases: list[Case],
    expected: list[object],
    answers: Sequence[tuple[str, object] | None],
    hidden: list[bool],
) -> QuestionResult:
    """Each case weighs the same: ``points * passed / total``.

    Args:
        answers: per case ``("ok", output)``, ``("error", message)``, or None (no answer).
        hidden: per case, whether it is a hidden test (its inputs are not described).
    """
    passed, failures, hidden_failed = 0, [], 0
    for case, want, answer, is_hidden in zip(cases, expected, answers, hidden, strict=True):
        message: str | None
        if answer is None:
            message = "no answer (the process stopped before this test)"
        elif answer[0] == "forbidden":
            message = (
                f"calls {answer[1]}, the library's own implementation of what this "
                "exercise asks you to write: this test scores nothing"
            )
        elif answer[0] == "error":
            message = f"raised {answer[1]}"
        else:
            try:
                message = compare(want, answer[1], rtol=case.rtol, atol=case.atol)
            except (ArithmeticError, ValueError, TypeError, RecursionError, RuntimeError) as exc:
                message = f"cannot be compared ({type(exc).__name__})"
        if (
            message is not None
            and question.kind != "implement"
            and answer is not None
            and answer[0] == "ok"
        ):
            # A compute or predict answer is a value: showing the expected one would give it away.
            message = (
                "not the expected value (which is not shown for compute and predict exercises)"
            )
        if message is None:
            passed += 1
        elif is_hidden:
            hidden_failed += 1
            if answer is not None and answer[0] == "forbidden":
                failures.append(f"a hidden test: {message}")
        else:
            failures.append(f"{case.describe()}: {message}")
    score = round(question.points * passed / len(cases), 2) if cases else 0.0
    return QuestionResult(question, score, passed, len(cases), failures, hidden_failed)
