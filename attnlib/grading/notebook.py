"""Read a submitted notebook's code, and write notebooks (nbformat 4 JSON, no dependency).

The grader needs only the code cells, in order. IPython-only lines (``%magic``, ``!shell``)
cannot run in a plain interpreter and are blanked; everything else runs as written.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

_MAGIC = re.compile(r"^([ \t]*)([%!].*)$", re.MULTILINE)


class MalformedNotebook(ValueError):
    """The file is not a readable Jupyter notebook."""


def code_cells(source: Path | bytes) -> tuple[list[str], dict]:
    """Return the code of every code cell of a notebook (a path or its bytes) and its metadata.

    nbformat 4 is read as is; nbformat 3 (cells in ``worksheets``, code in ``input``) is
    converted; anything else is a :class:`MalformedNotebook`.
    """
    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        nb = json.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise MalformedNotebook(f"not a JSON notebook ({type(exc).__name__})") from None
    if type(nb) is not dict:
        raise MalformedNotebook("not a notebook object")
    version = nb.get("nbformat")
    raw: object  # the list of cells, checked below
    if version == 3:
        sheets = nb.get("worksheets")
        if type(sheets) is not list or not all(type(w) is dict for w in sheets):
            raise MalformedNotebook("nbformat 3 without a list of worksheets")
        raw = [c for w in sheets if type(w.get("cells")) is list for c in w["cells"]]
        key = "input"
    elif version == 4 or (version is None and "cells" in nb):
        raw, key = nb.get("cells"), "source"
    else:
        raise MalformedNotebook(f"nbformat {str(version)[:20]} is not supported (3 or 4)")
    if type(raw) is not list:
        raise MalformedNotebook("no list of cells")
    cells = []
    for cell in raw:
        if type(cell) is not dict or cell.get("cell_type") != "code":
            continue
        text = cell.get(key, "")
        if type(text) is list and all(type(s) is str for s in text):
            text = "".join(text)
        if type(text) is not str:
            raise MalformedNotebook("a code cell's source is not text")
        cells.append(_MAGIC.sub(r"\1pass  # \2", text))
    metadata = nb.get("metadata")
    return cells, metadata if type(metadata) is dict else {}


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and lines[-1].endswith("\n"):
        lines[-1] = lines[-1][:-1]
    return lines


def markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": _lines(text.strip())}


def code(text: str, tags: tuple[str, ...] = ()) -> dict:
    metadata = {"tags": list(tags)} if tags else {}
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": metadata,
        "outputs": [],
        "source": _lines(text.strip()),
    }


def notebook(cells: list[dict], metadata: dict) -> str:
    """A notebook as JSON text, with stable cell ids (so regenerating changes nothing)."""
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i:02d}"
    nb = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            **metadata,
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
