"""Explorers that work without a kernel: every frame drawn in advance, controls pick one.

A Jupyter widget needs a running kernel to redraw, so on the static website its slider moves
while its plot stays put. :func:`frame_explorer` instead calls a drawing function (one that
returns ``(fig, ax)``, as every ``attnlib.plotting`` function does) once for every
combination of the control values, stores each figure as a small PNG, and shows the one the
controls select. The result is a single self-contained block of HTML: a slider for each
numeric control, a drop-down list for any other, the frames with their alt text, and an
inline event handler that swaps frames. It needs no kernel, no JavaScript library and no
network, in a notebook (once the cell has run) and on the website alike.

Example:
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> def draw(slope):
    ...     fig, ax = plt.subplots(figsize=(3, 2))
    ...     ax.plot([0, 1], [0, slope])
    ...     return fig, ax
    >>> explorer = frame_explorer(
    ...     draw, {"slope": [0.5, 1.0, 2.0]},
    ...     alt=lambda slope: f"A line from (0, 0) to (1, {slope}).", initial={"slope": 1.0})
    >>> explorer
    FrameExplorer(slope: 3 values; 3 frames)
    >>> 'type="range"' in explorer._repr_html_()
    True
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt

from attnlib.validation import check_int, describe

__all__ = ["FrameExplorer", "frame_explorer"]

# Runs in the browser when a control changes (an inline handler: no <script> to execute, so it
# works in a notebook's trusted output and on the website alike). It builds the key of the
# selected frame from the controls' indices, shows that frame, hides the others, and updates
# each slider's read-out.
_ON_CHANGE = (
    "var r=this,k=[];"
    "r.querySelectorAll('[data-attn-control]').forEach(function(c){"
    "var i=c.tagName=='SELECT'?c.selectedIndex:+c.value;k.push(i);"
    "if(c.tagName!='SELECT'){var v=JSON.parse(c.dataset.labels)[i];"
    "c.setAttribute('aria-valuetext',v);"
    "r.querySelector('output[for=\"'+c.id+'\"]').textContent=v;}});"
    "k=k.join('-');"
    "r.querySelectorAll('img[data-key]').forEach(function(m){m.hidden=m.dataset.key!=k;});"
)

_counter = itertools.count()


def _label(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return f"{float(value):.3g}"
    return str(value)


def _png(fig: Any, dpi: int, colors: int) -> bytes:
    """The figure as a PNG with a palette of at most ``colors`` colours (a fraction of the bytes)."""
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT).save(
        out, format="png", optimize=True
    )
    return out.getvalue()


class FrameExplorer:
    """Precomputed frames and the controls that choose among them; see :func:`frame_explorer`.

    Attributes:
        controls: control name -> its values, in order.
        labels: control name -> the text beside the control.
        initial: control name -> the index of the value shown first.
        frames: frame key (the control indices joined by ``-``) -> ``(png bytes, alt text)``.
        title: an optional heading over the controls.
    """

    def __init__(
        self,
        controls: dict[str, list],
        labels: dict[str, str],
        initial: dict[str, int],
        frames: dict[str, tuple[bytes, str]],
        title: str | None = None,
    ) -> None:
        self.controls = controls
        self.labels = labels
        self.initial = initial
        self.frames = frames
        self.title = title

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}: {len(values)} values" for name, values in self.controls.items())
        return f"FrameExplorer({sizes}; {len(self.frames)} frames)"

    @property
    def initial_key(self) -> str:
        return "-".join(str(self.initial[name]) for name in self.controls)

    def _control_html(self, uid: str, name: str) -> str:
        values = self.controls[name]
        labels = [_label(v) for v in values]
        index = self.initial[name]
        cid = f"{uid}-{name}"
        label = html.escape(self.labels[name])
        numeric = all(
            isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values
        )
        if numeric and len(values) > 1:
            return (
                f'<label for="{cid}">{label}</label>'
                f'<input type="range" id="{cid}" data-attn-control min="0" '
                f'max="{len(values) - 1}" step="1" value="{index}" '
                f"data-labels='{html.escape(json.dumps(labels), quote=True)}' "
                f'aria-valuetext="{html.escape(labels[index])}">'
                f'<output for="{cid}">{html.escape(labels[index])}</output>'
            )
        options = "".join(
            f'<option{" selected" if i == index else ""}>{html.escape(text)}</option>'
            for i, text in enumerate(labels)
        )
        return (
            f'<label for="{cid}">{label}</label>'
            f'<select id="{cid}" data-attn-control>{options}</select>'
        )

    def _repr_html_(self) -> str:
        uid = f"attn-explorer-{next(_counter)}"
        controls = "".join(
            f'<span class="attn-explorer-control">{self._control_html(uid, name)}</span>'
            for name in self.controls
        )
        initial = self.initial_key
        images = "".join(
            f'<img data-key="{key}" alt="{html.escape(alt, quote=True)}"'
            f'{"" if key == initial else " hidden"} '
            f'src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'
            for key, (png, alt) in self.frames.items()
        )
        title = f'<p class="attn-explorer-title"><strong>{html.escape(self.title)}</strong></p>' \
            if self.title else ""
        handler = html.escape(_ON_CHANGE, quote=True)
        return (
            f'<div class="attn-explorer" id="{uid}" data-attn-explorer '
            f'oninput="{handler}">{title}'
            f'<div class="attn-explorer-controls">{controls}</div>'
            f'<div class="attn-explorer-frames">{images}</div></div>'
        )


def frame_explorer(
    draw: Callable[..., tuple[Any, Any]],
    controls: Mapping[str, Sequence],
    *,
    alt: Callable[..., str],
    labels: Mapping[str, str] | None = None,
    initial: Mapping[str, object] | None = None,
    title: str | None = None,
    dpi: int = 72,
    colors: int = 128,
    max_frames: int = 120,
) -> FrameExplorer:
    """Draw every combination of control values now; let the reader pick one later.

    ``draw(**values)`` is called once per combination of ``controls`` (their Cartesian
    product) and must return ``(fig, ax)``; each figure is stored as a PNG and closed.
    Numeric controls become sliders over their listed values (give them in order, e.g. on a
    log grid); any other control (strings, booleans) becomes a drop-down list.

    Args:
        draw: ``draw(**values) -> (fig, ax)``, e.g. a function built on ``attnlib.plotting``.
        controls: control name -> the values it offers (at least one each); the names are
            ``draw``'s keyword arguments.
        alt: ``alt(**values) -> str``, the alt text of that frame for screen readers: what the
            figure shows, in a sentence.
        labels: control name -> the text beside the control (default: the name).
        initial: control name -> the value shown first (default: each control's first value).
        title: an optional heading over the controls.
        dpi: resolution of the stored frames.
        colors: the frames' palette size (PNG quantisation), 2 to 256.
        max_frames: refuse more combinations than this (each frame adds 10–40 kB to the page).

    Returns:
        A :class:`FrameExplorer`; display it as a cell's last expression.

    Raises:
        TypeError: ``draw`` or ``alt`` is not callable, ``controls`` is not a mapping of
            sequences, or ``draw`` does not return ``(fig, ax)``.
        ValueError: a control has no values, an initial value is not among a control's
            values, or there are more than ``max_frames`` combinations.
    """
    if not callable(draw):
        raise TypeError(f"draw must be callable, got {describe(draw)}")
    if not callable(alt):
        raise TypeError(f"alt must be callable, got {describe(alt)}")
    if not isinstance(controls, Mapping) or not controls:
        raise TypeError(f"controls must be a non-empty mapping name -> values, got {describe(controls)}")
    values: dict[str, list] = {}
    for name, options in controls.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise TypeError(f"control names must be identifiers, got {name!r}")
        if isinstance(options, str) or not isinstance(options, Sequence):
            raise TypeError(f"controls[{name!r}] must be a sequence of values, got {describe(options)}")
        if len(options) == 0:
            raise ValueError(f"controls[{name!r}] must offer at least one value, got none")
        values[name] = list(options)
    labels = {name: name for name in values} | dict(labels or {})
    unknown = set(labels) - set(values) | set(initial or {}) - set(values)
    if unknown:
        raise ValueError(f"labels and initial may only name controls {sorted(values)}, got {sorted(unknown)}")
    start = {}
    for name, options in values.items():
        if initial is not None and name in initial:
            if initial[name] not in options:
                raise ValueError(
                    f"initial[{name!r}] must be one of {options}, got {initial[name]!r}"
                )
            start[name] = options.index(initial[name])
        else:
            start[name] = 0
    dpi = check_int(dpi, "dpi", minimum=10)
    colors = check_int(colors, "colors", minimum=2)
    if colors > 256:
        raise ValueError(f"colors must be at most 256, got {colors}")
    max_frames = check_int(max_frames, "max_frames", minimum=1)
    total = 1
    for options in values.values():
        total *= len(options)
    if total > max_frames:
        raise ValueError(
            f"the controls give {total} combinations, more than max_frames={max_frames}; "
            "offer fewer values (every frame is stored in the page)"
        )

    frames: dict[str, tuple[bytes, str]] = {}
    names = list(values)
    for indices in itertools.product(*(range(len(values[n])) for n in names)):
        chosen = {n: values[n][i] for n, i in zip(names, indices, strict=True)}
        result = draw(**chosen)
        if not (isinstance(result, tuple) and len(result) == 2 and hasattr(result[0], "savefig")):
            raise TypeError(f"draw must return (fig, ax), got {describe(result)}")
        fig = result[0]
        try:
            frames["-".join(map(str, indices))] = (_png(fig, dpi, colors), str(alt(**chosen)))
        finally:
            plt.close(fig)
    return FrameExplorer(values, labels, start, frames, title)
