"""Specification of attnlib.plotting.alignment: alignment matrices with characters on the axes."""

from __future__ import annotations

import io
import warnings

import matplotlib.pyplot as plt
import pytest
import torch

from attnlib.plotting import alignment
from attnlib.plotting.alignment import (
    SPACE,
    font_for,
    needs_transliteration,
    plot_alignment,
    transliterate,
)


def draw_without_warnings(fig) -> None:
    """Render the figure; any warning (e.g. 'Glyph ... missing from font') fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


def weights_for(source: str, rows: int) -> torch.Tensor:
    return torch.softmax(
        torch.randn(rows, len(source), generator=torch.Generator().manual_seed(0)), -1
    )


def test_english_labels_rows_columns_and_eos():
    source, output = "3 Mar 21", "2021-03-03"
    fig, ax = plot_alignment(weights_for(source, 11), source, output, title="day_mon_yy")
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "3",
        SPACE,
        "M",
        "a",
        "r",
        SPACE,
        "2",
        "1",
    ]
    assert [t.get_text() for t in ax.get_yticklabels()] == [*output, "<eos>"]
    assert ax.get_xlabel() == "input character" and ax.get_ylabel() == "output character"
    assert ax.get_title() == "day_mon_yy"
    assert len(fig.axes) == 2  # the heatmap and its colour bar
    draw_without_warnings(fig)


def test_chinese_labels_with_a_cjk_font():
    source = "二〇二一年三月三日"
    if font_for(source) is None:
        pytest.skip("no CJK font on this machine (pip install matplotlib-fontja)")
    fig, ax = plot_alignment(weights_for(source, 10), source, "2021-03-03")
    assert [t.get_text() for t in ax.get_xticklabels()] == list(source)
    assert not needs_transliteration(source)
    draw_without_warnings(fig)


def test_chinese_labels_without_a_cjk_font_are_transliterated(monkeypatch):
    dejavu = alignment._candidate_fonts()[0]
    monkeypatch.setattr(alignment, "_candidate_fonts", lambda: (dejavu,))
    source = "2021年3月3日 星期三"
    assert needs_transliteration(source)
    assert not needs_transliteration("March 3, 2021")
    fig, ax = plot_alignment(weights_for(source, 10), source, "2021-03-03")
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[:5] == ["2", "0", "2", "1", "nian"] and labels[9] == SPACE
    assert labels[-3:] == ["xing", "qi", "san"]
    draw_without_warnings(fig)


def test_transliterate():
    assert transliterate("二〇二一年十二月") == [
        "er",
        "ling",
        "er",
        "yi",
        "nian",
        "shi",
        "er",
        "yue",
    ]
    assert transliterate("a日é") == ["a", "ri", "U+00E9"]


def test_draws_into_a_given_axes():
    fig, axes = plt.subplots(1, 2)
    _, ax = plot_alignment(weights_for("ab", 2), "ab", "x", ax=axes[1])
    assert ax is axes[1]
    draw_without_warnings(fig)


def test_font_for_ascii_is_matplotlib_default():
    assert "DejaVuSans" in font_for("2021-03-03").get_file()


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (
            (torch.ones(3), "abc", "xy"),
            ValueError,
            "weights must have 2 dimensions, got shape (3,)",
        ),
        (
            (torch.ones(2, 3, dtype=torch.long), "abc", "xy"),
            TypeError,
            "weights must have a floating-point dtype",
        ),
        (
            (torch.ones(2, 3), "abcd", "xy"),
            ValueError,
            "weights must have 4 columns, one per character of source, got shape (2, 3)",
        ),
        (
            (torch.ones(4, 3), "abc", "xy"),
            ValueError,
            "weights must have 2 or 3 rows (the characters of output, then <eos>), "
            "got shape (4, 3)",
        ),
        ((torch.ones(2, 3), ["a", "b", "c"], "xy"), TypeError, "source must be a str, got list"),
        ((torch.ones(2, 3), "abc", 12), TypeError, "output must be a str, got int"),
    ],
)
def test_bad_arguments(args, error, message):
    with pytest.raises(error) as info:
        plot_alignment(*args)
    assert message in str(info.value)


def test_font_for_bad_argument():
    with pytest.raises(TypeError, match="text must be a str, got int"):
        font_for(3)
