"""What an exercise set is: questions, their reference solutions, and the test cases.

A test case names something the learner defines (a function to call, or a variable to read)
and the inputs to call it with; it holds no expected value. The expected value comes from
running the question's reference solution on the same inputs, in the grader's own process.

    >>> call("stable_softmax", [1.0, 2.0], label="two scores").target
    'stable_softmax'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("implement", "compute", "predict")


@dataclass(frozen=True)
class Case:
    """One test: call ``target(*args, **kwargs)`` (or read ``target``) and compare.

    Args:
        target: a name the learner's answer defines.
        args, kwargs: inputs for a call; tensors, numbers, strings, lists, dicts.
        is_call: call ``target`` (True) or read it as a value (False).
        label: what the case tests, shown in the feedback ("scores up to 1000").
        rtol, atol: the tolerance of the numeric comparison.
    """

    target: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    is_call: bool = True
    label: str = ""
    rtol: float = 1e-4
    atol: float = 1e-5

    def describe(self) -> str:
        """The label, or ``target(...)`` when there is none."""
        if self.label:
            return self.label
        return f"{self.target}(...)" if self.is_call else self.target


def call(
    target: str, *args: Any, label: str = "", rtol: float = 1e-4, atol: float = 1e-5, **kwargs: Any
) -> Case:
    """A case that calls ``target(*args, **kwargs)``."""
    return Case(target, tuple(args), dict(kwargs), True, label, rtol, atol)


def value(target: str, *, label: str = "", rtol: float = 1e-4, atol: float = 1e-5) -> Case:
    """A case that reads the variable ``target``."""
    return Case(target, (), {}, False, label, rtol, atol)


@dataclass(frozen=True)
class Question:
    """One graded exercise.

    Args:
        id: ``"<chapter>.<n>"``, e.g. ``"2.1"``; the learner calls ``check("2.1")``.
        title: a few words.
        kind: ``"implement"`` a function, ``"compute"`` a derived value, or ``"predict"`` a
            behaviour (a choice, with the explanation written in a markdown cell).
        points: the question's weight in the total.
        prompt: the task, in MyST markdown.
        stub: the code the learner starts from; it must score zero.
        solution: the reference answer, as a learner would write it in the same cell.
        hint: shown whenever a test fails.
        public: the cases the learner's ``check`` runs (hidden ones live outside the package).
        wrong: plausible wrong answers (name -> code), each of which must lose points.
        explanation: markdown shown under the solution on the site.
        forbid: for an "implement" exercise, what it asks the learner to write, as the
            library's and torch's dotted names (``"torch.softmax"``); calling one of them
            while this exercise's tests run scores nothing on that test, and says why.
    """

    id: str
    title: str
    kind: str
    points: int
    prompt: str
    stub: str
    solution: str
    hint: str
    public: tuple[Case, ...]
    wrong: dict[str, str]
    explanation: str = ""
    forbid: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {list(KINDS)}, got {self.kind!r}")
        if not self.public:
            raise ValueError(f"question {self.id} needs at least one public case")
        if not self.wrong:
            raise ValueError(f"question {self.id} needs at least one planted wrong answer")


@dataclass(frozen=True)
class ExerciseSet:
    """The exercises of one chapter.

    Args:
        name: the file stem shared by the learner notebook, the site page and the hidden
            tests, e.g. ``"02_soft_attention"``.
        chapter: the chapter's path without suffix, e.g. ``"chapters/02_soft_attention"``.
        title: the page title.
        intro: markdown under the title.
        setup: code run before the answers (imports), shared by learners and the reference.
        questions: in order.
    """

    name: str
    chapter: str
    title: str
    intro: str
    setup: str
    questions: tuple[Question, ...]

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    @property
    def max_score(self) -> int:
        return sum(q.points for q in self.questions)
