"""Grade a folder of submitted notebooks against the public and hidden tests.

For each file: find its exercise set (from the file name), run its code and the calls of
every test case in a sandbox (see :mod:`attnlib.grading.sandbox`), compare the outputs that
come back with the reference outputs computed here, and write ``OUT/grades.csv`` and
``OUT/results/<name>/results.json`` (Gradescope's format). Whatever one submission does or
is, the batch goes on: every file given is a row of ``grades.csv``, with a status that says
why when it could not be graded.
"""

from __future__ import annotations

import csv
import io
import json
import os
import queue
import re
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from attnlib.grading import sandbox
from attnlib.grading.codec import encode
from attnlib.grading.content import all_sets, get_set, load_hidden
from attnlib.grading.notebook import MalformedNotebook, code_cells
from attnlib.grading.reference import expected_outputs
from attnlib.grading.scoring import QuestionResult, score_question
from attnlib.grading.spec import Case, ExerciseSet

DEFAULT_TESTS = Path(__file__).resolve().parents[2] / "exercises" / "source"
MAX_NOTEBOOK_BYTES = 32 * 2**20


@dataclass
class Graded:
    """One submission's grade."""

    file: str
    set_name: str | None
    status: str
    results: list[QuestionResult] = field(default_factory=list)
    cell_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> float:
        return round(sum(r.score for r in self.results), 2)

    def score(self, qid: str) -> float | None:
        return next((r.score for r in self.results if r.question.id == qid), None)


class Plan:
    """Every case of an exercise set, the encoded calls, and the reference outputs."""

    def __init__(self, exset: ExerciseSet, tests_dir: Path) -> None:
        hidden = load_hidden(tests_dir, exset)
        self.exset = exset
        self.groups = []  # (question, first index, cases, hidden flags)
        self.cases: list[Case] = []
        forbid: list[tuple[str, ...]] = []
        for q in exset.questions:
            cases = list(q.public) + hidden[q.id]
            flags = [False] * len(q.public) + [True] * len(hidden[q.id])
            self.groups.append((q, len(self.cases), cases, flags))
            self.cases += cases
            forbid += [q.forbid] * len(cases)
        self.expected = expected_outputs(exset, self.cases)
        self.calls = [
            {
                "target": c.target,
                "is_call": c.is_call,
                "args": [encode(a) for a in c.args],
                "kwargs": {k: encode(v) for k, v in c.kwargs.items()},
                "forbid": list(f),
            }
            for c, f in zip(self.cases, forbid, strict=True)
        ]
        self.wrap = tuple(sorted({name for q in exset.questions for name in q.forbid}))
        # Every public call runs before any hidden one: what a public call shows (its error
        # message) can then hold nothing a learner function saw of a hidden input.
        hidden_flags = [flag for *_, flags in self.groups for flag in flags]
        self.order = [i for i, hidden in enumerate(hidden_flags) if not hidden] + [
            i for i, hidden in enumerate(hidden_flags) if hidden
        ]
        self.hidden = frozenset(i for i, hidden in enumerate(hidden_flags) if hidden)

    def score(self, outcome: sandbox.Outcome) -> list[QuestionResult]:
        results = []
        for q, first, cases, flags in self.groups:
            answers = [outcome.answers.get(first + i) for i in range(len(cases))]
            expected = self.expected[first : first + len(cases)]
            results.append(score_question(q, cases, expected, answers, flags))
        return results


def identify(name: str, forced: str | None) -> ExerciseSet:
    """The submission's exercise set: ``forced``, else the set whose name its file name holds."""
    if forced:
        return get_set(forced)
    lower = name.lower()
    matches = [s for s in all_sets() if s.name.lower() in lower]
    if not matches:
        raise LookupError("its file name names no exercise set (rename it, or use --set)")
    return max(matches, key=lambda s: len(s.name))


def _read(folder_fd: int, name: str) -> bytes:
    """Read ``name`` in the submissions folder without following a link, at most 32 MiB."""
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder_fd)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise MalformedNotebook("not a regular file")
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(MAX_NOTEBOOK_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise MalformedNotebook(f"larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB")
    return data


class Grader:
    """Grades submissions one by one; builds each set's plan once, on first use."""

    def __init__(
        self, tests_dir: Path, limits: sandbox.Limits, forced: str | None, insecure: bool
    ) -> None:
        self.tests_dir, self.limits, self.forced, self.insecure = (
            tests_dir,
            limits,
            forced,
            insecure,
        )
        self.plans: dict[str, Plan | Exception] = {}

    def plan(self, exset: ExerciseSet) -> Plan:
        if exset.name not in self.plans:
            try:
                self.plans[exset.name] = Plan(exset, self.tests_dir)
            except Exception as exc:  # noqa: BLE001  (a broken tests folder fails its set only)
                self.plans[exset.name] = exc
        found = self.plans[exset.name]
        if isinstance(found, Exception):
            raise LookupError(f"cannot build the tests of {exset.name}: {found}")
        return found

    def grade_one(self, folder_fd: int, name: str, slot: int) -> Graded:
        """Grade one file; never raises (a failure is the submission's status)."""
        try:
            return self._grade_one(folder_fd, name, slot)
        except Exception as exc:  # noqa: BLE001  (the batch never dies)
            return Graded(
                name, None, f"not graded: grader error ({type(exc).__name__}: {str(exc)[:200]})"
            )

    def _grade_one(self, folder_fd: int, name: str, slot: int) -> Graded:
        if not name.lower().endswith(".ipynb"):
            return Graded(name, None, "not graded: not a .ipynb notebook")
        try:
            exset = identify(name, self.forced)
        except LookupError as exc:
            return Graded(name, None, f"not graded: {exc}")
        zeros = [QuestionResult(q, 0.0, 0, 1) for q in exset.questions]
        try:
            plan = self.plan(exset)
        except LookupError as exc:
            return Graded(name, exset.name, f"not graded: {exc}", zeros)
        try:
            cells, metadata = code_cells(_read(folder_fd, name))
        except (MalformedNotebook, OSError) as exc:
            return Graded(name, exset.name, f"malformed notebook: {exc}", zeros)
        outcome = sandbox.run(
            cells,
            plan.calls,
            self.limits,
            slot,
            wrap=plan.wrap,
            order=plan.order,
            hidden=plan.hidden,
            insecure=self.insecure,
        )
        status = outcome.status
        if outcome.errors and status == "ok":
            status = f"ok, {len(outcome.errors)} cell(s) raised"
        claimed = metadata.get("attnlib_exercises", {})
        claimed = claimed.get("set") if isinstance(claimed, dict) else None
        if claimed is not None and claimed != exset.name:
            status += f"; its metadata names set {str(claimed)[:60]!r}, graded as {exset.name}"
        return Graded(
            name, exset.name, status, plan.score(outcome), outcome.errors, outcome.seconds
        )


def grade(
    submissions: Path,
    out: Path,
    *,
    tests_dir: Path = DEFAULT_TESTS,
    jobs: int = 2,
    limits: sandbox.Limits | None = None,
    forced_set: str | None = None,
    insecure: bool = False,
) -> list[Graded]:
    """Grade every file in ``submissions``; write ``out/grades.csv`` and the results files.

    Raises:
        SandboxUnavailable: no sandbox can start here and ``insecure`` is False.
    """
    if not insecure:
        sandbox.require_sandbox()
    out_fd = make_out(Path(out))
    folder_fd = os.open(submissions, os.O_RDONLY | os.O_DIRECTORY)
    try:
        names = sorted(os.listdir(folder_fd))
        if not names:
            raise FileNotFoundError(f"no files in {submissions}")
        grader = Grader(Path(tests_dir), limits or sandbox.Limits(), forced_set, insecure)
        if forced_set:
            get_set(forced_set)  # an unknown --set is the instructor's error: say so now
        slots: queue.Queue[int] = queue.Queue()
        for i in range(jobs):
            slots.put(i)

        def work(name: str) -> Graded:
            slot = slots.get()
            try:
                return grader.grade_one(folder_fd, name, slot)
            finally:
                slots.put(slot)

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            graded = list(pool.map(work, names))
    finally:
        os.close(folder_fd)
    try:
        write(graded, out_fd)
    finally:
        os.close(out_fd)
    return graded


def make_out(out: Path) -> int:
    """Create ``out`` (mode 0700) if needed, refuse a link, and return a descriptor to it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.mkdir(out, 0o700)
    except FileExistsError:
        pass
    try:
        fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        raise OSError(f"{out} must be a folder, not a link or a file") from exc
    os.fchmod(fd, 0o700)
    return fd


_FORMULA = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def csv_cell(text: str) -> str:
    """``text`` made safe for a spreadsheet: a leading formula character is quoted away."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(text))
    return "'" + text if text.startswith(_FORMULA) else text


def safe_stem(name: str, taken: set[str]) -> str:
    """A folder name for ``name``'s results: letters, digits, ``-_.``, unique, never a dot name."""
    stem = name[:-6] if name.lower().endswith(".ipynb") else name
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", stem)[:80].strip(".") or "submission"
    candidate, n = stem, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{stem}-{n}"
    taken.add(candidate.lower())
    return candidate


def _unlink_if_not(dir_fd: int, name: str, kind: int) -> None:
    """Remove ``name`` (never following it) unless it is of file type ``kind``."""
    try:
        mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
    except FileNotFoundError:
        return
    if stat.S_IFMT(mode) != kind:
        if stat.S_ISDIR(mode):
            raise OSError(f"{name} is a folder where a file should be")
        os.unlink(name, dir_fd=dir_fd)


def _write_at(dir_fd: int, name: str, text: str) -> None:
    _unlink_if_not(dir_fd, name, stat.S_IFREG)
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600, dir_fd=dir_fd)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def _subdir(dir_fd: int, name: str) -> int:
    _unlink_if_not(dir_fd, name, stat.S_IFDIR)
    try:
        os.mkdir(name, 0o700, dir_fd=dir_fd)
    except FileExistsError:
        pass
    return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)


def write(graded: list[Graded], out_fd: int) -> None:
    """Write ``grades.csv`` and ``results/<stem>/results.json`` under the folder ``out_fd``."""
    present = {g.set_name for g in graded}
    qids = [q.id for s in all_sets() if s.name in present for q in s.questions]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["file", "status", *qids, "total"])
    for g in graded:
        scores = [g.score(q) for q in qids]
        writer.writerow(
            [
                csv_cell(g.file),
                csv_cell(g.status),
                *("" if s is None else f"{s:g}" for s in scores),
                f"{g.total:g}",
            ]
        )
    _write_at(out_fd, "grades.csv", buffer.getvalue())
    results_fd = _subdir(out_fd, "results")
    taken: set[str] = set()
    try:
        for g in graded:
            folder_fd = _subdir(results_fd, safe_stem(g.file, taken))
            try:
                _write_at(folder_fd, "results.json", json.dumps(gradescope(g), indent=1) + "\n")
            finally:
                os.close(folder_fd)
    finally:
        os.close(results_fd)


def gradescope(g: Graded) -> dict:
    """A Gradescope autograder ``results.json`` for one submission."""
    tests = []
    for r in g.results:
        lines = [f"{r.passed}/{r.total} tests passed."]
        lines += r.failures
        if r.hidden_failed:
            lines.append(f"{r.hidden_failed} hidden test(s) failed.")
        if not r.full:
            lines.append(f"Hint: {r.question.hint}")
        tests.append(
            {
                "name": f"Exercise {r.question.id}: {r.question.title}",
                "score": r.score,
                "max_score": r.question.points,
                "output": "\n".join(lines),
                "visibility": "visible",
            }
        )
    output = f"File: {g.file}\nStatus: {g.status}."
    if g.cell_errors:
        output += "\n" + "\n".join(g.cell_errors)
    return {
        "score": g.total,
        "output": output,
        "tests": tests,
        "visibility": "visible",
        "execution_time": round(g.seconds, 2),
    }
