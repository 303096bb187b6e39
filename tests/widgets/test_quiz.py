"""attnlib.widgets.quiz: self-check questions as HTML, and every chapter has one."""

import json
from pathlib import Path

import pytest

from attnlib.widgets.quiz import Quiz, quiz

ROOT = Path(__file__).resolve().parents[2]


def _question(**changes):
    question = {
        "question": "Is `x` a $\\tau$?",
        "answers": [
            {"answer": "Yes <really>", "correct": True, "why": "Because $a < b$."},
            {"answer": "No", "correct": False, "why": "It is."},
        ],
    }
    return question | changes


def test_each_answer_is_a_details_with_its_verdict_and_explanation():
    q = quiz([_question(), _question()], title="Check")
    assert isinstance(q, Quiz) and repr(q) == "Quiz(2 questions)"
    page = q._repr_html_()
    assert page.count("<li>") == 2 and page.count("<details>") == 4
    assert "<summary>A. Yes &lt;really&gt;</summary><p><strong>Right.</strong> Because" in page
    assert "<summary>B. No</summary><p><strong>Not quite.</strong> It is.</p>" in page
    assert '<code class="docutils literal notranslate">x</code>' in page
    assert '<span class="math notranslate nohighlight">\\(\\tau\\)</span>' in page
    assert "\\(a &lt; b\\)" in page
    assert "<script" not in page


@pytest.mark.parametrize(
    ("questions", "error", "message"),
    [
        ("text", TypeError, "questions must be a non-empty list of dicts, got str"),
        ([], TypeError, "questions must be a non-empty list of dicts"),
        ([3], TypeError, "question 1 must be a dict, got int"),
        ([{"question": "q"}], ValueError, "question 1 must have the keys 'question' and 'answers'"),
        (
            [_question(question=" ")],
            ValueError,
            "question 1: 'question' must be a non-empty string",
        ),
        (
            [_question(answers=[{"answer": "a", "correct": True, "why": "w"}])],
            ValueError,
            "question 1 must offer at least 2 answers",
        ),
        (
            [_question(answers=[{"answer": "a", "correct": True}] * 2)],
            ValueError,
            "question 1, answer 1 must be a dict with the keys 'answer', 'correct' and 'why'",
        ),
        (
            [_question(answers=[{"answer": "a", "correct": "yes", "why": "w"}] * 2)],
            TypeError,
            "question 1, answer 1: 'correct' must be a bool, got str",
        ),
        (
            [_question(answers=[{"answer": "a", "correct": True, "why": ""}] * 2)],
            ValueError,
            "question 1, answer 1: 'why' must be a non-empty string (explain every answer)",
        ),
        (
            [_question(answers=[{"answer": "a", "correct": False, "why": "w"}] * 2)],
            ValueError,
            "question 1 has no correct answer",
        ),
    ],
)
def test_bad_input(questions, error, message):
    with pytest.raises(error) as info:
        quiz(questions)
    assert message in str(info.value)


@pytest.mark.parametrize(
    "path", sorted((ROOT / "chapters").glob("0[1-8]_*.ipynb")), ids=lambda p: p.stem
)
def test_chapters_1_to_8_have_a_quiz_of_at_least_3_questions(path):
    """Its stored output is what the cell computes (the site renders the stored output)."""
    nb = json.loads(path.read_text())
    cells = [
        c
        for c in nb["cells"]
        if c["cell_type"] == "code"
        and "from attnlib.widgets.quiz import quiz" in "".join(c["source"])
    ]
    assert len(cells) == 1, "one quiz cell per chapter"
    source = "".join(cells[0]["source"]).replace("\nquiz(", "\n_quiz = quiz(", 1)
    namespace: dict = {}
    exec(source, namespace)
    assert len(namespace["_quiz"].questions) >= 3
    (output,) = cells[0]["outputs"]
    stored = output["data"]["text/html"]
    stored = "".join(stored) if isinstance(stored, list) else stored
    assert stored == namespace["_quiz"]._repr_html_()
