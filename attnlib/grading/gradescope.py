# ruff: noqa: E501  (the shell scripts below are templates; their lines are kept whole)
"""A Gradescope autograder bundle that runs this grader, sandbox included.

``python -m attnlib.grading gradescope DIR --set NN_topic [--tests TESTS] [--ref REF]`` writes

- ``DIR/setup.sh``: run once when Gradescope builds its Ubuntu image: installs bubblewrap,
  git and Python's venv, clones the course at ``REF`` into ``/autograder/course`` and
  installs its pinned requirements and attnlib into ``/autograder/venv``;
- ``DIR/run_autograder``: run per submission: grades the one ``.ipynb`` in
  ``/autograder/submission`` as set ``NN_topic`` against the hidden tests in
  ``/autograder/source/tests`` and writes ``/autograder/results/results.json``;
- ``DIR/tests/NN_topic.py``: the hidden tests (yours, from ``--tests``, if given).

Zip the folder's contents and upload it as the assignment's autograder. ``run_autograder``
reads two variables so that it can be tested off Gradescope: ``AUTOGRADER_ROOT`` (default
``/autograder``) and ``AUTOGRADER_PYTHON`` (default ``$AUTOGRADER_ROOT/venv/bin/python``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from attnlib.grading.content import get_set, hidden_path

COURSE = "https://github.com/attnlib/attention-course"

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, in its Ubuntu image.
set -euo pipefail
apt-get update
apt-get install -y bubblewrap git python3 python3-venv python3-pip
git clone --quiet {course} /autograder/course
git -C /autograder/course checkout --quiet {ref}
python3 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --quiet -r /autograder/course/requirements.txt
/autograder/venv/bin/python -m pip install --quiet --no-deps -e /autograder/course
# Fail the build now, not at the first submission, if no sandbox can start here.
/autograder/venv/bin/python -c "from attnlib.grading import sandbox; sandbox.require_sandbox()"{insecure_note}
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this per submission. It grades the one notebook in submission/ as set
# {name} and writes results/results.json (Gradescope's format).
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
mkdir -p "$ROOT/results"
fail() {{
    printf '{{"score": 0, "output": "%s", "visibility": "visible"}}\\n' "$1" > "$ROOT/results/results.json"
    exit 0
}}
shopt -s nullglob nocaseglob
notebooks=("$ROOT"/submission/*.ipynb)
shopt -u nocaseglob
[ "${{#notebooks[@]}}" -eq 1 ] || fail "Submit exactly one .ipynb notebook (found ${{#notebooks[@]}})."
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/subs"
cp -- "${{notebooks[0]}}" "$WORK/subs/{name}.ipynb"
"$PYTHON" -m attnlib.grading grade "$WORK/subs" --out "$WORK/out" --set {name} \\
    --tests "$ROOT/source/tests" --jobs 1{insecure} > "$WORK/log" 2>&1 \\
    || fail "The grader could not run; your instructor has been told. $(tail -c 300 "$WORK/log" | tr -d '"\\\\' | tr '\\n' ' ')"
cp "$WORK/out/results/{name}/results.json" "$ROOT/results/results.json"
"""


def bundle(
    folder: Path,
    name: str,
    tests_dir: Path | None = None,
    ref: str = "main",
    insecure: bool = False,
) -> list[Path]:
    """Write the bundle for set ``name`` into ``folder``; return the files written."""
    exset = get_set(name)
    from attnlib.grading.grader import DEFAULT_TESTS

    source = hidden_path(tests_dir or DEFAULT_TESTS, exset.name)
    if not source.is_file():
        raise FileNotFoundError(f"no hidden tests for {exset.name}: expected {source}")
    folder = Path(folder)
    (folder / "tests").mkdir(parents=True, exist_ok=True)
    files = {
        folder / "setup.sh": SETUP.format(
            course=COURSE,
            ref=ref,
            insecure_note="" if not insecure else " || echo 'no sandbox: grading insecurely'",
        ),
        folder / "run_autograder": RUN.format(
            name=exset.name, insecure=" --insecure-no-sandbox" if insecure else ""
        ),
    }
    for path, text in files.items():
        path.write_text(text)
        path.chmod(0o755)
    target = folder / "tests" / f"{exset.name}.py"
    shutil.copyfile(source, target)
    return [*files, target]
