"""attnlib.widgets.explorer: frames drawn in advance, chosen by controls without a kernel."""

import base64
import html
import re

import matplotlib
import pytest
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from attnlib.widgets.explorer import FrameExplorer, frame_explorer  # noqa: E402
from attnlib.widgets.gumbel import gumbel_softmax_frames  # noqa: E402
from attnlib.widgets.heads import heads_frames  # noqa: E402
from attnlib.widgets.kernel_regression import bandwidth_frames  # noqa: E402
from attnlib.widgets.softmax_explorer import temperature_frames  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


def _draw(slope, kind="line"):
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [0, slope], marker="o" if kind == "dots" else None)
    ax.set_title(f"{kind} {slope}")
    return fig, ax


def _alt(slope, kind="line"):
    return f"A {kind} of slope {slope} <b>"


def _images(page):
    return re.findall(
        r'<img data-key="([^"]+)" alt="([^"]*)"( hidden)? src="data:image/png;base64,'
        r'([^"]+)"',
        page,
    )


def test_one_frame_per_combination_and_the_initial_one_shown():
    explorer = frame_explorer(
        _draw,
        {"slope": [0.5, 1.0, 2.0], "kind": ["line", "dots"]},
        alt=_alt,
        initial={"slope": 1.0, "kind": "dots"},
    )
    assert isinstance(explorer, FrameExplorer)
    assert sorted(explorer.frames) == ["0-0", "0-1", "1-0", "1-1", "2-0", "2-1"]
    assert explorer.initial_key == "1-1"
    page = explorer._repr_html_()
    images = _images(page)
    assert len(images) == 6
    shown = [key for key, _, hidden, _ in images if not hidden]
    assert shown == ["1-1"]
    for _key, alt, _, data in images:
        assert base64.b64decode(data).startswith(PNG)
        assert html.unescape(alt).startswith("A ")
    assert len({data for *_, data in images}) == 6  # every frame differs
    assert plt.get_fignums() == []  # every figure was closed


def test_controls_slider_for_numbers_and_select_for_the_rest():
    explorer = frame_explorer(
        _draw,
        {"slope": [0.5, 1.0, 2.0], "kind": ["line", "dots"]},
        alt=_alt,
        labels={"slope": "slope m"},
    )
    page = explorer._repr_html_()
    assert re.search(
        r'<label for="[^"]+-slope">slope m</label><input type="range"[^>]* min="0" '
        r'max="2" step="1" value="0"',
        page,
    )
    assert re.search(
        r'<label for="[^"]+-kind">kind</label><select id="[^"]+-kind" '
        r"data-attn-control><option selected>line</option><option>dots</option>",
        page,
    )
    assert 'oninput="' in page and "<script" not in page


def test_alt_text_is_escaped():
    page = frame_explorer(_draw, {"slope": [1.0]}, alt=_alt)._repr_html_()
    assert "&lt;b&gt;" in page and "<b>" not in page


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"draw": 3}, TypeError, "draw must be callable, got int"),
        ({"alt": "text"}, TypeError, "alt must be callable, got str"),
        ({"controls": {}}, TypeError, "controls must be a non-empty mapping"),
        ({"controls": {"slope": 1.0}}, TypeError, "controls['slope'] must be a sequence of values"),
        (
            {"controls": {"slope": []}},
            ValueError,
            "controls['slope'] must offer at least one value",
        ),
        (
            {"initial": {"slope": 3.0}},
            ValueError,
            "initial['slope'] must be one of [0.5, 1.0], got 3.0",
        ),
        ({"labels": {"nope": "x"}}, ValueError, "labels and initial may only name controls"),
        ({"max_frames": 1}, ValueError, "the controls give 2 combinations, more than max_frames=1"),
        ({"colors": 300}, ValueError, "colors must be at most 256, got 300"),
        ({"draw": lambda slope: 1}, TypeError, "draw must return (fig, ax), got int"),
    ],
)
def test_bad_input(kwargs, error, message):
    arguments = {"draw": _draw, "controls": {"slope": [0.5, 1.0]}, "alt": _alt} | kwargs
    draw, controls = arguments.pop("draw"), arguments.pop("controls")
    with pytest.raises(error) as info:
        frame_explorer(draw, controls, **arguments)
    assert message in str(info.value)


def _shown_and_count(explorer):
    images = _images(explorer._repr_html_())
    return len(images), [alt for _, alt, hidden, _ in images if not hidden]


def test_chapter_explorers():
    x = torch.linspace(0, 5, 30)
    n, shown = _shown_and_count(
        bandwidth_frames(x, x.sin(), x, x.sin(), bandwidths=(0.1, 0.3, 1.0))
    )
    assert n == 3 and "h = 0.3" in shown[0]
    n, shown = _shown_and_count(
        temperature_frames(torch.tensor([1.0, 3.0, -1.0]), temperatures=(0.1, 1.0))
    )
    assert n == 2 and "temperature 1" in shown[0]
    n, shown = _shown_and_count(
        gumbel_softmax_frames(torch.tensor([1.0, 0.0]), num_samples=3, temperatures=(0.5, 1.0))
    )
    assert n == 2 and "temperature 1" in shown[0]
    n, shown = _shown_and_count(
        heads_frames(
            "a b a".split(), num_heads=2, head_dims=(1, 4), temperatures=(1.0,), head_dim=4
        )
    )
    assert n == 4 and "d_k = 4" in shown[0] and "divided by √d_k" in shown[0]


def test_bandwidth_frames_show_the_fit_of_each_bandwidth():
    """A small bandwidth fits the training data more closely than a large one (chapter 1)."""
    x = torch.linspace(0, 5, 40)
    y = x.sin()
    explorer = bandwidth_frames(x, y, x, y, bandwidths=(0.05, 10.0), initial=0.05)
    mse = [
        float(re.search(r"error is ([0-9]+\.[0-9]+)", alt).group(1))
        for _, alt in explorer.frames.values()
    ]
    assert mse[0] < mse[1]
