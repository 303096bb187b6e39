"""attnlib.plotting.spatial: attention maps over digits (chapter 5)."""

import pytest
import torch

from attnlib.plotting.spatial import plot_spatial_attention


def digits(n):
    images = torch.zeros(n, 28, 28, dtype=torch.uint8)
    images[:, 8:20, 12:16] = 255  # a "1"
    return images


def test_one_panel_per_image_with_a_shared_labelled_colour_bar():
    weights = torch.softmax(
        torch.randn(5, 7, 7, generator=torch.Generator().manual_seed(0)).flatten(1), 1
    )
    fig, axes = plot_spatial_attention(
        digits(5), weights.view(5, 7, 7), ncols=3, titles=[f"digit {i}" for i in range(5)]
    )
    assert axes.shape == (2, 3)
    visible = [ax for ax in axes.flat if ax.get_visible()]
    assert len(visible) == 5
    assert [ax.get_title() for ax in visible] == [f"digit {i}" for i in range(5)]
    colorbars = [ax for ax in fig.axes if ax.get_ylabel() == "attention weight"]
    assert len(colorbars) == 1
    image = visible[0].get_images()[0]
    assert image.get_cmap().name == "viridis"
    assert image.get_array().shape == (7, 7)  # the weights themselves, not smoothed
    assert image.get_extent() == [-0.5, 27.5, 27.5, -0.5]  # ... spread over the 28x28 pixels
    assert image.get_clim() == pytest.approx((0.0, weights.max().item()), rel=1e-3)
    assert visible[0].get_ylabel() == "row (pixels)"
    assert visible[-1].get_xlabel() == "column (pixels)"
    assert visible[0].collections, "the digit's outline is drawn as a contour"


def test_vmax_and_cmap_are_honoured():
    fig, axes = plot_spatial_attention(digits(2), torch.rand(2, 7, 7), vmax=0.5, cmap="cividis")
    image = axes.flat[0].get_images()[0]
    assert image.get_clim() == (0.0, 0.5)
    assert image.get_cmap().name == "cividis"


def test_a_blank_image_draws_no_outline():
    fig, axes = plot_spatial_attention(torch.zeros(1, 28, 28), torch.rand(1, 7, 7))
    assert not axes.flat[0].collections


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"weights": torch.rand(3, 7, 7)},
            ValueError,
            r"weights must hold one map per image \(2\)",
        ),
        ({"weights": torch.rand(2, 49)}, ValueError, "weights must have 3 dimensions"),
        ({"titles": ["a"]}, ValueError, "titles must have 2 entries"),
        ({"ncols": 0}, ValueError, "ncols must be >= 1, got 0"),
        ({"images": torch.zeros(2, 28, 20)}, ValueError, "images must be square"),
    ],
)
def test_bad_inputs_are_rejected(kwargs, error, message):
    args = {"images": digits(2), "weights": torch.rand(2, 7, 7)} | kwargs
    with pytest.raises(error, match=message):
        plot_spatial_attention(**args)
