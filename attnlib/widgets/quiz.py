r"""Self-check quizzes that work without a kernel and without JavaScript.

:func:`quiz` turns a list of multiple-choice questions into HTML: each answer is a
``<details>`` element, so the reader commits to an answer by opening it and reads whether it
is right and why. It works in a notebook (once the cell has run), on the website and on
GitHub alike. Every answer, right or wrong, must carry its explanation: a quiz that only says
"wrong" teaches nothing. Inline code goes between backticks and inline maths between ``$``
signs (typeset by the site's MathJax and by Jupyter's).

Example:
    >>> q = quiz([{
    ...     "question": "Does softmax depend on adding a constant to every score?",
    ...     "answers": [
    ...         {"answer": "Yes", "correct": False,
    ...          "why": "The constant cancels between numerator and denominator."},
    ...         {"answer": "No", "correct": True,
    ...          "why": "$e^{s_i + c} / \\sum_j e^{s_j + c} = e^{s_i} / \\sum_j e^{s_j}$."},
    ...     ]}])
    >>> q
    Quiz(1 question)
    >>> q._repr_html_().count("<details")
    2
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

from attnlib.validation import describe

__all__ = ["Quiz", "quiz"]

_CODE = re.compile(r"`([^`]+)`")
_MATH = re.compile(r"\$([^$]+)\$")


def _inline(text: str) -> str:
    """Escape ``text``; `code` -> <code>, $maths$ -> a span MathJax typesets."""
    pieces = []
    for i, part in enumerate(_CODE.split(text)):
        if i % 2:
            pieces.append(f'<code class="docutils literal notranslate">{html.escape(part)}</code>')
        else:
            pieces.append(
                _MATH.sub(
                    lambda m: f'<span class="math notranslate nohighlight">\\({m.group(1)}\\)</span>',
                    html.escape(part, quote=False),
                )
            )
    return "".join(pieces)


def _check(questions: object) -> list[dict]:
    if isinstance(questions, (str, Mapping)) or not isinstance(questions, Sequence) or not questions:
        raise TypeError(f"questions must be a non-empty list of dicts, got {describe(questions)}")
    checked = []
    for n, question in enumerate(questions, start=1):
        where = f"question {n}"
        if not isinstance(question, Mapping):
            raise TypeError(f"{where} must be a dict, got {describe(question)}")
        if set(question) != {"question", "answers"}:
            raise ValueError(f"{where} must have the keys 'question' and 'answers', got {sorted(question)}")
        if not isinstance(question["question"], str) or not question["question"].strip():
            raise ValueError(f"{where}: 'question' must be a non-empty string")
        answers = question["answers"]
        if isinstance(answers, (str, Mapping)) or not isinstance(answers, Sequence) or len(answers) < 2:
            raise ValueError(f"{where} must offer at least 2 answers, got {describe(answers)}")
        for m, answer in enumerate(answers, start=1):
            if not isinstance(answer, Mapping) or set(answer) != {"answer", "correct", "why"}:
                raise ValueError(
                    f"{where}, answer {m} must be a dict with the keys 'answer', 'correct' and "
                    f"'why', got {answer!r}"
                )
            if not isinstance(answer["correct"], bool):
                raise TypeError(f"{where}, answer {m}: 'correct' must be a bool, got {describe(answer['correct'])}")
            for key in ("answer", "why"):
                if not isinstance(answer[key], str) or not answer[key].strip():
                    raise ValueError(f"{where}, answer {m}: {key!r} must be a non-empty string (explain every answer)")
        if not any(a["correct"] for a in answers):
            raise ValueError(f"{where} has no correct answer")
        checked.append({"question": question["question"], "answers": [dict(a) for a in answers]})
    return checked


class Quiz:
    """Multiple-choice questions rendered as HTML; see :func:`quiz`."""

    def __init__(self, questions: list[dict], title: str) -> None:
        self.questions = questions
        self.title = title

    def __repr__(self) -> str:
        n = len(self.questions)
        return f"Quiz({n} question{'s' if n != 1 else ''})"

    def _repr_html_(self) -> str:
        items = []
        for question in self.questions:
            answers = "".join(
                "<details><summary>"
                f"{chr(ord('A') + i)}. {_inline(a['answer'])}</summary><p>"
                f"<strong>{'Right.' if a['correct'] else 'Not quite.'}</strong> "
                f"{_inline(a['why'])}</p></details>"
                for i, a in enumerate(question["answers"])
            )
            items.append(f"<li><p>{_inline(question['question'])}</p>{answers}</li>")
        return (
            f'<div class="attn-quiz" role="group" aria-label="{html.escape(self.title)}">'
            f"<p><strong>{html.escape(self.title)}</strong> Pick an answer, then open it to "
            f"see whether it is right and why.</p><ol>{''.join(items)}</ol></div>"
        )


def quiz(questions: Sequence[Mapping], *, title: str = "Check yourself") -> Quiz:
    """Multiple-choice self-check questions, each answer explained.

    Args:
        questions: a list of ``{"question": str, "answers": [{"answer": str, "correct": bool,
            "why": str}, ...]}`` (jupyterquiz's layout, with ``why`` required for every
            answer); at least two answers per question, at least one of them correct.
        title: the heading over the questions.

    Returns:
        A :class:`Quiz`; display it as a cell's last expression.

    Raises:
        TypeError, ValueError: a question or answer is malformed (the message says which).
    """
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be a non-empty string, got {title!r}")
    return Quiz(_check(questions), title)
