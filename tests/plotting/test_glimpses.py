"""Specification of the glimpse figures (attnlib.plotting.glimpses, chapter 6)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.patches import Rectangle

from attnlib.plotting.glimpses import plot_glimpse_trajectories, plot_retina


def rectangles(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_trajectories_draw_one_square_per_glimpse_and_scale_at_the_centres():
    images = torch.zeros(3, 28, 28, dtype=torch.uint8)
    centres = torch.tensor([[[0.0, 0.0], [-0.5, 0.5]]]).expand(3, 2, 2)  # (3, T=2, 2)
    fig, axes = plot_glimpse_trajectories(images, centres, patch=8, widest=16, ncols=2)
    assert axes.shape == (2, 2)
    squares = rectangles(axes[0, 0])
    assert len(squares) == 2 * 2  # T glimpses x (finest, widest)
    finest = [r for r in squares if r.get_width() == 8]
    # Centre (0, 0) is the image's middle, pixel (14, 14); (-0.5, 0.5) is (x=7, y=21).
    corners = sorted((r.get_x(), r.get_y()) for r in finest)
    assert corners == [(3.0, 17.0), (10.0, 10.0)]
    assert not axes[1, 1].has_data()  # the panel left over is empty
    assert fig.axes[-1].get_ylabel() == "glimpse number"


def test_trajectories_colour_glimpses_in_order_from_the_colormap():
    images = torch.rand(1, 28, 28)
    centres = torch.zeros(1, 3, 2)
    _, axes = plot_glimpse_trajectories(images, centres, patch=8, cmap="viridis")
    colours = [tuple(r.get_edgecolor()) for r in rectangles(axes[0, 0])]
    expected = [tuple(c) for c in plt.get_cmap("viridis")(np.linspace(0.0, 0.9, 3))]
    assert colours == expected


def test_trajectories_titles():
    _, axes = plot_glimpse_trajectories(
        torch.rand(2, 28, 28), torch.zeros(2, 1, 2), patch=4, titles=["a", "b"]
    )
    assert [ax.get_title() for ax in axes.flat] == ["a", "b"]


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            {"centres": torch.zeros(3, 2, 2)},
            ValueError,
            r"centres must have shape \(2, T, 2\) to match images, got \(3, 2, 2\)",
        ),
        ({"centres": torch.zeros(2, 2)}, ValueError, "centres must have 3 dimensions"),
        ({"titles": ["only one"]}, ValueError, "titles must have 2 entries to match images, got 1"),
        ({"patch": 0}, ValueError, "patch must be >= 1, got 0"),
        ({"images": np.zeros((2, 28, 28))}, TypeError, "images must be a torch.Tensor"),
    ],
)
def test_trajectories_reject_bad_inputs(kwargs, error, message):
    arguments = {"images": torch.rand(2, 28, 28), "centres": torch.zeros(2, 2, 2), "patch": 8}
    arguments.update(kwargs)
    images = arguments.pop("images")
    centres = arguments.pop("centres")
    with pytest.raises(error, match=message):
        plot_glimpse_trajectories(images, centres, **arguments)


def test_retina_grid_of_glimpses_by_scales_with_titles_and_colour_bar():
    readings = torch.rand(4, 2, 8, 8)
    fig, axes = plot_retina(readings, widths=[8, 16])
    assert axes.shape == (4, 2)
    assert [ax.get_title() for ax in axes[0]] == ["8×8 px", "16×16 px"]
    assert [axes[t, 0].get_ylabel() for t in range(4)] == [f"glimpse {t + 1}" for t in range(4)]
    np.testing.assert_allclose(axes[2, 1].images[0].get_array(), readings[2, 1].numpy())
    assert fig.axes[-1].get_ylabel() == "intensity (0–1)"


@pytest.mark.parametrize(
    "readings, widths, error, message",
    [
        (torch.rand(4, 8, 8), None, ValueError, "readings must have 4 dimensions"),
        (torch.rand(2, 2, 8, 8), [8], ValueError, "widths must have 2 entries, one per scale"),
        (
            torch.zeros(2, 2, 8, 8, dtype=torch.uint8),
            None,
            TypeError,
            "readings must have a floating-point dtype",
        ),
    ],
)
def test_retina_rejects_bad_inputs(readings, widths, error, message):
    with pytest.raises(error, match=message):
        plot_retina(readings, widths=widths)
