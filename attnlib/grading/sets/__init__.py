"""The exercise sets, one module per chapter: questions, stubs, solutions, public tests and
planted wrong answers. Hidden tests live outside the package (``exercises/hidden/``)."""

from __future__ import annotations

from attnlib.grading.sets import (
    ch01_what_is_attention,
    ch02_soft_attention,
    ch03_hard_attention,
    ch04_scoring_and_multihead,
    ch05_mnist_soft_attention,
    ch06_mnist_glimpses,
    ch07_spoken_digits,
    ch08_dates_seq2seq,
)
from attnlib.grading.spec import ExerciseSet, Question

ALL: tuple[ExerciseSet, ...] = (
    ch01_what_is_attention.SET,
    ch02_soft_attention.SET,
    ch03_hard_attention.SET,
    ch04_scoring_and_multihead.SET,
    ch05_mnist_soft_attention.SET,
    ch06_mnist_glimpses.SET,
    ch07_spoken_digits.SET,
    ch08_dates_seq2seq.SET,
)


def get_set(name: str) -> ExerciseSet:
    """The set named ``name`` (e.g. ``"02_soft_attention"``)."""
    for exset in ALL:
        if exset.name == name:
            return exset
    raise KeyError(f"no exercise set {name!r}; known: {[s.name for s in ALL]}")


def find_question(qid: str) -> tuple[ExerciseSet, Question]:
    """The set and question of ``qid`` (e.g. ``"2.1"``)."""
    for exset in ALL:
        for q in exset.questions:
            if q.id == qid:
                return exset, q
    known = [q.id for s in ALL for q in s.questions]
    raise KeyError(f"no exercise {qid!r}; known: {known}")
