"""Read the exercise sets from their files: ``exercises/source/NN_topic/``.

One folder per chapter's set; the folder's name (``NN_topic``) names the set, its handout
notebook ``exercises/NN_topic.ipynb`` and its site page ``exercises/pages/NN_topic.md``:

- ``set.toml``: ``chapter``, ``title``, ``intro``, then one ``[[question]]`` table per exercise
  (``id``, ``title``, ``kind``, ``points``, ``hint``, optional ``explanation`` and ``forbid``);
- ``prompt_N_k.md``: the prompt of exercise ``N.k`` (MyST markdown);
- ``solution.py``: a ``# %% setup`` section (the set-up cell), then one ``# %% N.k`` section
  per exercise (the reference answer cell); a real module that golden tests import;
- ``stub.py``: one ``# %% N.k`` section per exercise, the handout's answer cell;
- ``mistakes.py``: ``# %% N.k: what is wrong`` sections, at least one per exercise;
- ``public.py`` and ``hidden.py``: each defines ``CASES = {"N.k": [call(...), value(...)]}``.

In the ``.py`` files, text before the first ``# %%`` line is a header (docstring, imports for
linters) and belongs to no cell. Every folder with a ``set.toml`` is a set, in name order.

    >>> [s for s in sections("x = 0\\n# %% 1.1: a name\\ny = 1\\n")]
    [('1.1', 'a name', 'y = 1')]
"""

from __future__ import annotations

import importlib.util
import os
import re
import tomllib
from functools import cache
from pathlib import Path
from types import ModuleType

from attnlib.grading.spec import Case, ExerciseSet, Question

SOURCE = Path(__file__).resolve().parents[2] / "exercises" / "source"
_MARKER = re.compile(r"^# %% ([^\s:]+)(?::[ \t]*(.*?))?[ \t]*$", re.MULTILINE)


def source_root() -> Path:
    """Where the sets are: ``$ATTNLIB_EXERCISES``, else this checkout's ``exercises/source``."""
    return Path(os.environ.get("ATTNLIB_EXERCISES") or SOURCE)


def sections(text: str) -> list[tuple[str, str, str]]:
    """The ``# %% key: label`` sections of ``text`` as ``(key, label, code)``, header dropped."""
    marks = list(_MARKER.finditer(text))
    out = []
    for m, nxt in zip(marks, marks[1:] + [None], strict=True):
        code = text[m.end() : nxt.start() if nxt else len(text)].strip("\n")
        out.append((m.group(1), (m.group(2) or "").strip(), code.rstrip() if code else ""))
    return out


def load_module(folder: Path, stem: str) -> ModuleType:
    """Import ``folder/stem.py`` as a module (the folders' names are not identifiers)."""
    path = Path(folder) / f"{stem}.py"
    spec = importlib.util.spec_from_file_location(f"_exercises_{Path(folder).name}_{stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path} as a module")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def solution_module(name: str) -> ModuleType:
    """The reference solutions of set ``name`` as a module (for golden tests)."""
    return load_module(source_root() / name, "solution")


def load_cases(path: Path, qids: set[str]) -> dict[str, list[Case]]:
    """``CASES`` of ``path``, checked: known question ids, lists of cases."""
    module = load_module(path.parent, path.stem)
    cases = getattr(module, "CASES", None)
    if type(cases) is not dict:
        raise ValueError(f"{path} must define CASES, a dict")
    unknown = set(cases) - qids
    if unknown:
        raise ValueError(f"{path} has cases for unknown questions {sorted(unknown)}")
    for qid, items in cases.items():
        if not all(isinstance(c, Case) for c in items):
            raise ValueError(f"{path}: CASES[{qid!r}] must hold call(...) and value(...) cases")
    return {q: list(cases.get(q, [])) for q in qids}


def load_set(folder: Path) -> ExerciseSet:
    """The exercise set in ``folder`` (see the module docstring for its files)."""
    folder = Path(folder)
    meta = tomllib.loads((folder / "set.toml").read_text(encoding="utf-8"))
    solution = sections((folder / "solution.py").read_text(encoding="utf-8"))
    stubs = {k: c for k, _, c in sections((folder / "stub.py").read_text(encoding="utf-8"))}
    wrong: dict[str, dict[str, str]] = {}
    for key, label, code in sections((folder / "mistakes.py").read_text(encoding="utf-8")):
        wrong.setdefault(key, {})[label or f"mistake {len(wrong.get(key, {})) + 1}"] = code
    solutions = dict((k, c) for k, _, c in solution)
    if "setup" not in solutions:
        raise ValueError(f"{folder}/solution.py needs a '# %% setup' section")
    qids = {q["id"] for q in meta["question"]}
    public = load_cases(folder / "public.py", qids)
    questions = []
    for q in meta["question"]:
        qid = q["id"]
        for what, table in (("solution.py", solutions), ("stub.py", stubs)):
            if qid not in table:
                raise ValueError(f"{folder}/{what} has no '# %% {qid}' section")
        prompt = (folder / f"prompt_{qid.replace('.', '_')}.md").read_text(encoding="utf-8")
        questions.append(
            Question(
                id=qid,
                title=q["title"],
                kind=q["kind"],
                points=int(q["points"]),
                prompt=prompt,
                stub=stubs[qid],
                solution=solutions[qid],
                hint=q["hint"],
                public=tuple(public[qid]),
                wrong=wrong.get(qid, {}),
                explanation=q.get("explanation", ""),
                forbid=tuple(q.get("forbid", ())),
            )
        )
    return ExerciseSet(
        name=folder.name,
        chapter=meta["chapter"],
        title=meta["title"],
        intro=meta["intro"],
        setup=solutions["setup"],
        questions=tuple(questions),
    )


@cache
def _all(root: str) -> tuple[ExerciseSet, ...]:
    folders = sorted(p for p in Path(root).iterdir() if (p / "set.toml").is_file())
    return tuple(load_set(p) for p in folders)


def all_sets() -> tuple[ExerciseSet, ...]:
    """Every exercise set, in name order."""
    root = source_root()
    if not root.is_dir():
        raise FileNotFoundError(
            f"the exercise files are not here ({root}): work in a clone of the course, or set "
            "ATTNLIB_EXERCISES to its exercises/source folder"
        )
    return _all(str(root))


def get_set(name: str) -> ExerciseSet:
    """The set named ``name`` (e.g. ``"02_soft_attention"``)."""
    for exset in all_sets():
        if exset.name == name:
            return exset
    raise KeyError(f"no exercise set {name!r}; known: {[s.name for s in all_sets()]}")


def find_question(qid: str) -> tuple[ExerciseSet, Question]:
    """The set and question of ``qid`` (e.g. ``"2.1"``)."""
    for exset in all_sets():
        for q in exset.questions:
            if q.id == qid:
                return exset, q
    known = [q.id for s in all_sets() for q in s.questions]
    raise KeyError(f"no exercise {qid!r}; known: {known}")


def hidden_path(tests_dir: Path, name: str) -> Path:
    """The hidden cases of set ``name`` in ``tests_dir``: ``name.py`` or ``name/hidden.py``."""
    flat = Path(tests_dir) / f"{name}.py"
    return flat if flat.is_file() else Path(tests_dir) / name / "hidden.py"


def load_hidden(tests_dir: Path, exset: ExerciseSet) -> dict[str, list[Case]]:
    """The hidden cases of ``exset`` from ``tests_dir``, keyed by question."""
    path = hidden_path(tests_dir, exset.name)
    if not path.is_file():
        raise FileNotFoundError(f"no hidden tests for {exset.name} in {tests_dir}")
    cases = load_cases(path, {q.id for q in exset.questions})
    return {q.id: cases[q.id] for q in exset.questions}
