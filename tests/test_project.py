"""End-to-end checks of the project's promises: the README's commands, the pins, the chapters.

These read the repository itself, so a change that breaks a documented command, loosens a pin
or leaves a chapter without outputs fails here before it reaches a reader.
"""

import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml
from nbval_data import declared_datasets  # the plugin's own reader: one rule for both

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def requirement_lines(path: Path) -> list[str]:
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return [line for line in lines if line and not line.startswith("-")]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("target", sorted(set(re.findall(r"`make (\w+)`", README))))
def test_every_make_command_in_the_readme_exists(target):
    # A dry run (-n) resolves the target and its prerequisites without running them.
    result = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_readme_documents_the_two_commands():
    assert "make book" in README and "make test" in README


def test_ci_runs_make_test_and_nothing_weaker():
    script = (ROOT / ".ci" / "run").read_text()
    commands = [
        line.strip() for line in script.splitlines() if line.strip() and not line.startswith("#")
    ]
    assert "make test" in commands
    assert not any("make unit" in c or "pytest" in c for c in commands)


def test_every_requirement_is_pinned_exactly():
    for line in requirement_lines(ROOT / "requirements.txt"):
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+]+", line), (
            f"not pinned exactly: {line}"
        )


def test_torch_and_jupyter_book_pins():
    pins = dict(line.split("==") for line in requirement_lines(ROOT / "requirements.txt"))
    # Any other torch requirement downloads a multi-GB CUDA build; Jupyter Book 2 is another tool.
    assert pins["torch"] == "2.13.0"
    assert int(pins["jupyter-book"].split(".")[0]) == 1


def test_binder_installs_the_same_pins():
    binder = (ROOT / "binder" / "requirements.txt").read_text()
    assert "-r ../requirements.txt" in binder


def test_toc_lists_every_chapter_and_every_entry_exists():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [entry["file"] for part in toc["parts"] for entry in part["chapters"]]
    for name in files:
        assert any((ROOT / f"{name}{suffix}").exists() for suffix in (".ipynb", ".md")), name
    listed = {name for name in files if name.startswith("chapters/")}
    assert listed == {f"chapters/{path.stem}" for path in CHAPTERS}


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_structure(path):
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    first = nb.cells[0].source
    assert first.startswith("# "), "a chapter opens with its title"
    assert "Learning objectives" in first
    assert re.search(r"\d+ minutes to read", first), "an estimated time: 'about N minutes to read'"
    assert "## Summary" in markdown and "## Exercises" in markdown
    assert "{cite" in markdown, "a chapter cites its sources"
    assert "{bibliography}" not in markdown, "one global bibliography (references.md)"
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_is_stored_with_its_outputs(path):
    # The site renders stored outputs and nbval compares against them: every code cell has run.
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count is not None for c in code), "run `make execute`"
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), "run top to bottom"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_has_no_error_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", cell.source[:80]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_declares_the_real_datasets_it_reads(path):
    # tests/nbval_data.py compares a chapter's outputs only where these datasets are available.
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    reads = {name for name in ("mnist", "fsdd") if re.search(rf"\bload_{name}\(", code)}
    assert set(declared_datasets(path)) == reads, (
        f"set metadata.attnlib.datasets to {sorted(reads)}"
    )


def first_code_cell(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return next(c.source for c in nb.cells if c.cell_type == "code")


def test_every_chapter_opens_with_the_same_colab_set_up():
    # Colab opens a chapter without the course: this cell clones it and installs attnlib[course].
    set_up = {first_code_cell(path) for path in CHAPTERS}
    assert len(set_up) == 1, "the chapters' first code cells differ"
    cell = set_up.pop()
    repository = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    assert f"git clone --quiet --depth 1 {repository} " in cell
    assert '%pip install --quiet "{COURSE}[course]"' in cell


def third_party_imports(path: Path) -> set[str]:
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    modules = re.findall(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", code, flags=re.MULTILINE)
    return {m for m in modules if m not in sys.stdlib_module_names and m != "attnlib"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_attnlib_course_extra_provides_every_import_of_the_chapter(path):
    # What `pip install attnlib[course]` brings (Colab), found by distribution name.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needed = project["dependencies"] + project["optional-dependencies"]["course"]
    provided = {canonical(re.split(r"[<>=!~\[; ]", spec)[0]) for spec in needed}
    provided |= {"ipython", "ipykernel"}  # every Jupyter kernel has them
    distributions = importlib.metadata.packages_distributions()
    for module in third_party_imports(path):
        owners = {canonical(d) for d in distributions.get(module, [])}
        assert owners & provided, f"{module} (from {sorted(owners)}) is not in attnlib[course]"


def test_the_exercises_readme_counts_what_the_sources_hold():
    """The table's exercise counts, the planted mistakes and the grader's size match the code."""
    from attnlib.grading.content import all_sets

    readme = (ROOT / "exercises" / "README.md").read_text()
    sets = {s.name: s for s in all_sets()}
    rows = re.findall(r"\{doc\}`(\d+) exercises <pages/(\w+)>`", readme)
    assert sorted(name for _, name in rows) == sorted(sets)  # one row per set
    for count, name in rows:
        assert int(count) == len(sets[name].questions), name
    planted = sum(len(q.wrong) for s in sets.values() for q in s.questions)
    assert re.search(rf"each of the {planted} planted", readme), planted
    lines = sum(len(p.read_text().splitlines()) for p in (ROOT / "attnlib/grading").glob("*.py"))
    quoted = int(re.search(r"about ([\d,]+) lines of Python", readme)[1].replace(",", ""))
    assert abs(quoted - lines) <= 0.05 * lines, (quoted, lines)  # "about": within 5 %
