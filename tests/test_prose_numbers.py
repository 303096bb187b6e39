"""Numbers typed into chapter prose must come from code (glue), from a source (cite) or be math.

CONTRIBUTING.md ("Numbers in the prose") states the rule; this test enforces it on the markdown
cells of every ``chapters/*.ipynb``. A number in a markdown cell passes when it is

- produced by code: inside a role such as ``{glue:text}`name:.1f``` (any ``{role}`...```);
- quoted from a source: in a sentence that carries a ``{cite...}`` role;
- part of a formula or of code: inside ``$...$``, ``$$...$$``, inline code or a code fence;
- not prose: a heading's number, a claim a heading quotes in double quotes (chapter 12's
  myths: ``### 8. "X reaches 76 % on ImageNet"``), a list item's number, a link target, a
  directive option line
  (``:name:``, ``:alt:``; alt text cannot hold glue, so describe there and quote in the caption);
- a single digit 0-9 on its own (a count of things, "chapter 2", "top-3"), a year 1900-2099,
  or a match of one of the short ``ALLOWED`` patterns below (chapter numbers, reading times, the
  course's fixed budgets, shapes written as ``28 × 28``).

Everything else is reported with its notebook, cell id and context: a decimal, a percentage or an
integer of two or more digits typed into a sentence. Glue it from the cell that measures it, cite
its source in the same sentence, or write a setting that defines the experiment as math
(``$N = 256$``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))

# The short allow-list: numbers that are constants of the course or references, not results.
ALLOWED = [
    r"(?i)\b(?:chapters?|sections?|parts?|exercises?|steps?)\s+\d+(?:\s*(?:[–-]|and|to|,)\s*\d+)*",
    r"(?i)\b\d+\s+minutes\s+to\s+(?:read|run)",  # the estimated time in the objectives
    r"(?i)\babout\s+\d+\s+minutes\b",
    r"(?i)\bunder\s+\d+\s+seconds\s+to\s+run",
    r"\b\d+\s*[×x]\s*\d+\b",  # a shape: a 28 × 28 image, a 16×16 patch (both sides typed)
    r"\b120\s*s\b",  # the per-chapter budget
    r"\b2\s*GB\b",  # the per-chapter memory budget
    r"\b2\s+(?:CPU\s+)?cores\b",  # the reference machine
    r"\bPython\s+\d+\.\d+\b",
    r"\bSHA-\d+\b",
]
ROLE = re.compile(r"\{[\w:.-]+\}`[^`]*`")
INLINE_CODE = re.compile(r"``[^`]+``|`[^`]+`")
DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)[^$]+?(?<!\\)\$")
PAREN_MATH = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]", re.S)
FENCE = re.compile(
    r"^(?P<tick>`{3,}|~{3,})(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=tick)\s*$", re.S | re.M
)
LINK_TARGET = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|https?://\S+")
HTML = re.compile(r"<[^>\n]+>")
# A number: digits with optional thousands separators and decimals, then an optional percent.
# Not part of a word or identifier (float32, ViT-B/32, arXiv:1409.0473, x_1).
NUMBER = re.compile(r"(?<![\w.:/\\^_-])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?!\.?\d)(\s*%)?")
SENTENCE_END = re.compile(
    r"(?<!\bal)(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\bcf)[.!?](?=\s+[A-Z(*\"`{])"
)


def _strip_fences(text: str) -> str:
    """Remove code fences; keep the body of MyST directives (``{name}``), minus option lines."""

    def replace(match: re.Match) -> str:
        info = match["info"].strip()
        if not info.startswith("{") or info.startswith(("{code-cell}", "{code}", "{math}")):
            return "\n"
        if info.startswith("{mermaid}"):
            return "\n"
        body = "\n".join(
            line for line in match["body"].splitlines() if not re.match(r"\s*:[\w-]+:", line)
        )
        return "\n" + _strip_fences(body) + "\n"

    return FENCE.sub(replace, text)


def _blank(pattern: re.Pattern, text: str, keep_cites: bool = False) -> str:
    """Replace matches by spaces (by a marker for citations, which the sentence rule needs)."""

    def replace(match: re.Match) -> str:
        if keep_cites and match.group().startswith("{cite"):
            return " CITED "
        return " "

    return pattern.sub(replace, text)


def prose(markdown: str) -> str:
    """The prose of a markdown cell: what a reader reads as sentences, roles marked or removed."""
    text = _strip_fences(markdown)
    text = _blank(DISPLAY_MATH, text)
    text = _blank(PAREN_MATH, text)
    text = _blank(ROLE, text, keep_cites=True)
    text = _blank(INLINE_MATH, text)
    text = _blank(INLINE_CODE, text)
    text = _blank(LINK_TARGET, text)
    text = _blank(HTML, text)
    lines = []
    for line in text.splitlines():
        if re.match(r"\s*#", line):  # a heading that quotes a claim under examination (a myth)
            line = re.sub(r'"[^"]*"|“[^”]*”', " ", line)
        line = re.sub(r"^\s*#+\s*\d+(?:\.\d+)*\.?", " ", line)  # "# 8. Title", "## 2.1 ..."
        line = re.sub(r"^\s*\d+\.\s", " ", line)  # numbered list items
        lines.append(line)
    return "\n".join(lines)


def typed_numbers(markdown: str) -> list[tuple[str, str]]:
    """Every (number, context) in ``markdown`` that is neither glued, cited, math nor allowed."""
    found = []
    for paragraph in re.split(r"\n\s*\n", prose(markdown)):
        paragraph = " ".join(paragraph.split())
        for sentence in SENTENCE_END.split(paragraph):
            if "CITED" in sentence:
                continue
            allowed = [m.span() for p in ALLOWED for m in re.finditer(p, sentence)]
            for match in NUMBER.finditer(sentence):
                digits, decimals, percent = match.group(1), match.group(2), match.group(3)
                start = match.start()
                if any(a <= start < b for a, b in allowed):
                    continue
                if not decimals and not percent:
                    value = int(digits.replace(",", ""))
                    if value < 10 and len(digits) == 1:
                        continue  # a single digit: a count, "chapter 2", "top-3"
                    if 1900 <= value <= 2099 and "," not in digits:
                        continue  # a year
                context = sentence[max(0, start - 50) : match.end() + 30].strip()
                found.append((match.group().strip(), context))
    return found


def chapter_violations(path: Path) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    messages = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for number, context in typed_numbers("".join(cell["source"])):
            messages.append(f"{path.name} cell {cell.get('id')}: {number!r} in '... {context} ...'")
    return messages


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_no_typed_numbers_in_chapter_prose(path: Path) -> None:
    messages = chapter_violations(path)
    assert not messages, (
        "numbers typed into the prose (glue them from the code that measures them, cite their "
        "source in the same sentence, or write a setting as math; see CONTRIBUTING.md):\n"
        + "\n".join(messages)
    )


# The check itself: it must catch what the issue found, and let through what the rule allows.
@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("The slope came out between 1.8 and 2.7 on our machines.", ["1.8", "2.7"]),
        ("It sees 29 frames (0.29 s) of context.", ["29", "0.29"]),
        ("The benchmark asserts at least 99.2 %.", ["99.2 %"]),
        ("The baseline pushes the date through one 128-number summary.", ["128"]),
        ("It reads {glue:text}`n` × 128 values per digit.", ["128"]),
        ("Over 1,000 random vectors the error stays small.", ["1,000"]),
        ("A table row | 0.93 | is prose too.", ["0.93"]),
        ('A sentence quoting "a myth at 76 %" is prose.', ["76 %"]),
        ("### 8. A heading that states 76 % itself", ["76 %"]),
    ],
)
def test_typed_numbers_are_found(markdown: str, expected: list[str]) -> None:
    assert [number for number, _ in typed_numbers(markdown)] == expected


@pytest.mark.parametrize(
    "markdown",
    [
        "Attention gets {glue:text}`acc:.1f` % of the dates right.",
        "The Transformer reported 27.3 BLEU on WMT 2014 {cite:p}`vaswani2017attention`.",
        "Frames of $N = 256$ samples, and $$e^{-88.7}$$ underflows.",
        "Call `make execute NOTEBOOKS=chapters/08_x.ipynb` with `--budget 120`.",
        "# 10. Efficient attention\n\nChapters 9–13 and chapter 12 follow; see section 4.",
        "About 45 minutes to read, 2 minutes to run, within 120 s on 2 cores and 2 GB.",
        "In 1987 a top-3 of 2 × 2 patches was a ViT-B/32 idea, arXiv:1409.0473, float32.",
        "```python\nx = 12.5\n```\n\n"
        "```{glue:figure} fig\n:alt: a curve of 4096 points\n:name: f\n```",
        "[the 2019 paper](https://example.org/2019/10.5555) and <https://x.org/1234>",
        "1. First step\n2. Second step",
        "```{mermaid}\ngraph LR; A[128 inputs] --> B\n```",
        '### 8. "An attention-based ResNet reaches about 76 % on ImageNet"',
    ],
)
def test_allowed_numbers_pass(markdown: str) -> None:
    assert typed_numbers(markdown) == []


def test_a_notebook_with_a_typed_number_fails(tmp_path: Path) -> None:
    """The whole path, on a synthetic notebook: one typed number is reported with its cell id."""
    notebook = {
        "cells": [
            {
                "cell_type": "markdown",
                "id": "glued",
                "metadata": {},
                "source": ["Accuracy {glue:text}`acc:.1f` %.\n"],
            },
            {
                "cell_type": "code",
                "id": "code",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": ["acc = 99.2\n"],
            },
            {
                "cell_type": "markdown",
                "id": "typed",
                "metadata": {},
                "source": ["The model reaches 98.7 % on the test set.\n"],
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "99_synthetic.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    messages = chapter_violations(path)
    assert len(messages) == 1 and "cell typed" in messages[0] and "'98.7 %'" in messages[0]
    with pytest.raises(AssertionError, match="numbers typed into the prose"):
        test_no_typed_numbers_in_chapter_prose(path)
