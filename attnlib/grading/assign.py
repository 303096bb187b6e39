"""Build, from each exercise set, what learners and the site get.

- ``exercises/<name>.ipynb``: the learner notebook (stubs, check cells, no hidden test);
- ``exercises/pages/<name>.md``: the site page, each exercise with its solution in a dropdown
  (a MyST page with code blocks, so that building the book executes nothing);
- on request, the reference solution as a learner would submit it (``solutions``).

``python -m attnlib.grading assign`` rewrites the first two; ``--check`` only reports files
that differ from what the sets produce.
"""

from __future__ import annotations

from pathlib import Path

from attnlib.grading import notebook as nb
from attnlib.grading.spec import ExerciseSet

EXERCISES = Path(__file__).resolve().parents[2] / "exercises"
REPO_URL = "https://github.com/attnlib/attention-course"
SETUP = """# Set-up: Colab and Binder need the course's library; a local install has it already.
import importlib.util
if importlib.util.find_spec("attnlib") is None:
    %pip install --quiet "attnlib @ git+https://github.com/attnlib/attention-course"

{setup}
from attnlib.grading import check"""
HOW = """**How this works.** Write your answer in each cell marked *Your answer*, run it, then
run the cell below it: `check("N.k")` runs the public tests and prints your score, what was
expected and what came, and a hint. When your notebook is graded, hidden tests count too, so
an answer that only fits the public tests will lose points. Keep the names the stubs define;
a notebook is graded by calling them. Grading runs your code without files or network:
do not read or write files."""


def learner_notebook(exset: ExerciseSet, answers: dict[str, str] | None = None) -> str:
    """The notebook learners get (``answers`` replaces stubs, e.g. by the solutions)."""
    answers = answers or {}
    chapter_no = int(exset.name[:2])
    cells = [
        nb.markdown(f"# {exset.title}\n\n{exset.intro.strip()}\n\n{HOW}"),
        nb.code(SETUP.format(setup=exset.setup.strip())),
    ]
    for q in exset.questions:
        cells.append(
            nb.markdown(
                f"## Exercise {q.id}: {q.title} ({_points(q.points)})\n\n{q.prompt.strip()}"
            )
        )
        cells.append(
            nb.code(
                f"# Your answer (exercise {q.id})\n" + answers.get(q.id, q.stub).strip(),
                tags=("answer",),
            )
        )
        if q.kind == "predict":
            cells.append(
                nb.markdown(
                    "**Your explanation** (read by your instructor, not graded automatically): ..."
                )
            )
        cells.append(nb.code(f'check("{q.id}")', tags=("check",)))
    metadata = {"attnlib_exercises": {"set": exset.name, "chapter": chapter_no}}
    return nb.notebook(cells, metadata)


def solution_notebook(exset: ExerciseSet) -> str:
    """The reference solution, submitted as a learner would."""
    return learner_notebook(exset, {q.id: q.solution for q in exset.questions})


def _points(n: int) -> str:
    return f"{n} point" + ("s" if n != 1 else "")


def site_page(exset: ExerciseSet) -> str:
    """The site's page: every exercise, then its solution in a dropdown."""
    colab = (
        f"https://colab.research.google.com/github/attnlib/attention-course/blob/main/"
        f"exercises/{exset.name}.ipynb"
    )
    parts = [
        f"# {exset.title}\n",
        exset.intro.strip() + "\n",
        f"These exercises accompany {{doc}}`the chapter </{exset.chapter}>`. To be graded, work in "
        f"the notebook ({{download}}`download it <../{exset.name}.ipynb>` or "
        f"[open it in Colab]({colab})): each exercise there has a check cell that runs the "
        "public tests and gives feedback; your instructor's grade also counts hidden tests. "
        "Try each exercise before you open its solution.\n",
    ]
    for q in exset.questions:
        label = f"ex-{q.id.replace('.', '-')}"
        parts.append(
            f"````{{exercise}} {q.id} {q.title} ({_points(q.points)})\n:label: {label}\n\n"
            f"{q.prompt.strip()}\n\nStart from:\n\n```python\n{q.stub.strip()}\n```\n````\n"
        )
        explanation = f"\n\n{q.explanation.strip()}" if q.explanation.strip() else ""
        parts.append(
            f"````{{solution}} {label}\n:class: dropdown\n\n```python\n{q.solution.strip()}\n"
            f"```{explanation}\n````\n"
        )
    return "\n".join(parts)


def outputs(exsets: tuple[ExerciseSet, ...], root: Path = EXERCISES) -> dict[Path, str]:
    """Every generated file and its text."""
    files = {}
    for exset in exsets:
        files[root / f"{exset.name}.ipynb"] = learner_notebook(exset)
        files[root / "pages" / f"{exset.name}.md"] = site_page(exset)
    return files


def assign(
    exsets: tuple[ExerciseSet, ...], root: Path = EXERCISES, *, check: bool = False
) -> list[Path]:
    """Write the generated files (or, with ``check``, list those that are out of date)."""
    stale = []
    for path, text in outputs(exsets, root).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    return stale
