"""Graded exercises: in-notebook feedback, hidden tests, and the instructor's grader.

Learners call :func:`check` in their notebook. Instructors run, from a shell::

    python -m attnlib.grading grade SUBMISSIONS --out OUT [--tests DIR]
    python -m attnlib.grading solutions DIR

See ``exercises/README.md`` for how grading works and why it cannot be fooled by the
submission it grades.
"""

from attnlib.grading.spec import Case, ExerciseSet, Question, call, value

__all__ = ["Case", "ExerciseSet", "Question", "call", "check", "value"]


def __getattr__(name: str):
    # ``check`` loads the exercise files; import it only when a notebook asks for it, so that
    # the sandbox's runner (which imports attnlib.grading.codec) never loads them.
    if name == "check":
        from attnlib.grading.feedback import check

        return check
    raise AttributeError(f"module 'attnlib.grading' has no attribute {name!r}")
