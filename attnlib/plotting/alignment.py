"""Alignment matrices: which input characters each output character attends to (chapter 8).

Tick labels are characters, some of them Chinese. Matplotlib's default font (DejaVu Sans) has
no CJK glyphs and would warn "Glyph missing" and draw boxes, so the labels use the first font
on this machine that has every glyph they need: the IPAexGothic font that the PyPI package
``matplotlib-fontja`` ships (registered without importing the package, which would change the
global default font), or a system CJK font. Without one, Chinese characters are written in
pinyin (``年`` -> ``nian``), and :func:`needs_transliteration` tells the caller to say so.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import torch
from matplotlib import font_manager, ft2font
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure

from attnlib.plotting.heatmaps import plot_attention_matrix
from attnlib.validation import check_tensor, describe

__all__ = ["plot_alignment", "font_for", "needs_transliteration", "transliterate"]

SPACE = "␣"  # U+2423 OPEN BOX: a visible space in tick labels
PINYIN = {
    "〇": "ling", "一": "yi", "二": "er", "三": "san", "四": "si", "五": "wu", "六": "liu",
    "七": "qi", "八": "ba", "九": "jiu", "十": "shi", "年": "nian", "月": "yue", "日": "ri",
    "星": "xing", "期": "qi",
}  # fmt: skip
# Families worth opening to look for CJK glyphs (others are not scanned, to stay fast).
_CJK_HINTS = (
    "cjk",
    "ipaex",
    "ipagothic",
    "source han",
    "wenquanyi",
    "wqy",
    "simhei",
    "yahei",
    "pingfang",
    "heiti",
    "hiragino",
    "droid sans fallback",
    "ar pl",
    "sarasa",
)


@functools.cache
def _charmap(path: str) -> frozenset[int]:
    return frozenset(ft2font.FT2Font(path).get_charmap())


@functools.cache
def _candidate_fonts() -> tuple[str, ...]:
    """Font files to try, DejaVu Sans (matplotlib's default) first."""
    paths: list[str] = [font_manager.findfont("DejaVu Sans")]
    spec = importlib.util.find_spec("matplotlib_fontja")  # locate, do not import (see above)
    if spec is not None and spec.origin is not None:
        ttf = Path(spec.origin).parent / "fonts" / "ipaexg.ttf"
        if ttf.is_file():
            paths.append(str(ttf))
    paths += sorted(
        f.fname for f in font_manager.fontManager.ttflist
        if any(h in f.name.lower() for h in _CJK_HINTS) and f.fname.endswith((".ttf", ".otf"))
    )  # fmt: skip
    return tuple(dict.fromkeys(paths))


def font_for(text: str) -> font_manager.FontProperties | None:
    """A font that has a glyph for every character of ``text``, or ``None`` if none here does."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {describe(text)}")
    needed = {ord(c) for c in text if not c.isspace()}
    for path in _candidate_fonts():
        if needed <= _charmap(path):
            return font_manager.FontProperties(fname=path)
    return None


def needs_transliteration(text: str) -> bool:
    """Whether :func:`plot_alignment` would write some of ``text`` in pinyin on this machine."""
    return font_for(text + SPACE) is None


def transliterate(text: str) -> list[str]:
    """One ASCII label per character: pinyin for the Chinese ones used by dates, else the
    character itself (``"2021年"`` -> ``['2', '0', '2', '1', 'nian']``)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {describe(text)}")
    return [PINYIN.get(c, c if c.isascii() else f"U+{ord(c):04X}") for c in text]


def plot_alignment(
    weights: torch.Tensor,
    source: str,
    output: str,
    *,
    title: str | None = None,
    cmap: str = "viridis",
    ax: Axes | None = None,
) -> tuple[Figure | SubFigure, Axes]:
    """Draw the attention weights of one translation, characters on both axes.

    Row ``i`` is output character ``i`` (a last row, labelled ``<eos>``, when ``weights`` has
    one more row than ``output``); column ``j`` is input character ``j`` (spaces shown as ␣).

    Args:
        weights: ``(L, S)`` with ``L = len(output)`` or ``len(output) + 1`` and ``S = len(source)``.
        source: the input string (the columns).
        output: the model's output string (the rows).
        title: the axes' title (ASCII, or characters the chosen font has).
        cmap: a colour-blind-safe colormap (viridis, cividis).
        ax: draw into this axes instead of a new figure.

    Returns:
        ``(fig, ax)``; when ``ax`` is given, ``fig`` is its figure (a ``SubFigure``
        if ``ax`` lies in one).
    """
    weights = check_tensor(weights, "weights", ndim=2, floating=True)
    for name, value in (("source", source), ("output", output)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, got {describe(value)}")
    L, S = weights.shape
    if S != len(source):
        raise ValueError(
            f"weights must have {len(source)} columns, one per character of source, "
            f"got shape {(L, S)}"
        )
    if L not in (len(output), len(output) + 1):
        raise ValueError(
            f"weights must have {len(output)} or {len(output) + 1} rows (the characters of "
            f"output, then <eos>), got shape {(L, S)}"
        )
    rows = list(output) + ["<eos>"] * (L - len(output))
    columns = [SPACE if c == " " else c for c in source]
    font = font_for("".join(rows + columns) + (title or ""))
    if font is None:
        rows = [r if r == "<eos>" else transliterate(r)[0] for r in rows]
        columns = [SPACE if c == SPACE else transliterate(c)[0] for c in columns]
    fig, ax = plot_attention_matrix(
        weights,
        query_labels=rows,
        key_labels=columns,
        xlabel="input character",
        ylabel="output character",
        cmap=cmap,
        ax=ax,
    )
    ax.tick_params(axis="x", labelrotation=0 if font is not None else 90)
    if font is not None:
        for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
            label.set_fontproperties(font)
    if title:
        ax.set_title(title, fontproperties=font)
    return fig, ax
