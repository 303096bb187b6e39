"""Reference outputs: run an exercise set's solutions, in the grader's process, on the cases.

The solutions are the course's own code (trusted); their outputs go through the same
encode/decode as a submission's, so both sides are compared as the same kind of plain data.
"""

from __future__ import annotations

import contextlib
import io
from functools import cache

from attnlib.grading.codec import decode, encode
from attnlib.grading.spec import Case, ExerciseSet


def namespace(exset: ExerciseSet, answers: dict[str, str] | None = None) -> dict:
    """Execute the set-up and every answer (the solutions unless ``answers`` overrides one)."""
    answers = answers or {}
    ns: dict = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(exset.setup, f"<{exset.name} setup>", "exec"), ns)  # noqa: S102
        for q in exset.questions:
            code = answers.get(q.id, q.solution)
            exec(compile(code, f"<{exset.name} {q.id}>", "exec"), ns)  # noqa: S102
    return ns


def run_case(case: Case, ns: dict) -> object:
    """Call (or read) the case's target in ``ns`` and return the output as plain data."""
    target = ns[case.target]
    if case.is_call:
        args = [decode(encode(a)) for a in case.args]  # fresh copies: nothing is shared
        kwargs = {k: decode(encode(v)) for k, v in case.kwargs.items()}
        result = target(*args, **kwargs)
    else:
        result = target
    return decode(encode(result))


def expected_outputs(exset: ExerciseSet, cases: list[Case]) -> list[object]:
    """The reference output of each case."""
    ns = _solution_namespace(exset.name)
    return [run_case(case, ns) for case in cases]


@cache
def _solution_namespace(name: str) -> dict:
    from attnlib.grading.content import get_set

    return namespace(get_set(name))
