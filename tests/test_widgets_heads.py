"""attnlib.widgets.heads: the chapter 4 explorer of head attention maps."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from attnlib.widgets.heads import head_attention_maps, heads_explorer, plot_head_maps

TOKENS = "the cat sat on the mat".split()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_maps_shape_and_rows_sum_to_one():
    w = head_attention_maps(TOKENS, num_heads=3, head_dim=8)
    assert w.shape == (3, 6, 6)
    assert (w >= 0).all()
    torch.testing.assert_close(w.sum(-1), torch.ones(3, 6))


def test_same_seed_same_maps_other_seed_other_maps():
    a = head_attention_maps(TOKENS, seed=1)
    torch.testing.assert_close(a, head_attention_maps(TOKENS, seed=1), rtol=0, atol=0)
    assert not torch.allclose(a, head_attention_maps(TOKENS, seed=2))


def test_repeated_tokens_are_identical_keys():
    w = head_attention_maps(TOKENS, head_dim=4)
    # "the" at positions 0 and 4: identical keys get identical weights from every query.
    torch.testing.assert_close(w[..., 0], w[..., 4])


def test_scaled_equals_unscaled_at_temperature_sqrt_dk():
    d = 64
    scaled = head_attention_maps(TOKENS, head_dim=d, scaled=True)
    unscaled = head_attention_maps(TOKENS, head_dim=d, scaled=False, temperature=math.sqrt(d))
    torch.testing.assert_close(scaled, unscaled)


def test_unscaled_scores_saturate_as_head_dim_grows():
    def top(d, scaled):
        return head_attention_maps(TOKENS, head_dim=d, scaled=scaled).amax(-1).mean().item()

    assert top(256, scaled=False) > top(4, scaled=False) + 0.2
    assert abs(top(256, scaled=True) - top(4, scaled=True)) < 0.2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"tokens": "the cat"}, TypeError, "tokens must be a list of strings"),
        ({"tokens": []}, ValueError, "tokens must be a non-empty list"),
        ({"tokens": ["a", 1]}, ValueError, "tokens must be a non-empty list"),
        ({"num_heads": 0}, ValueError, "num_heads must be >= 1, got 0"),
        ({"head_dim": 512}, ValueError, "head_dim must be <= max_head_dim=256, got 512"),
        ({"head_dim": 2.0}, TypeError, "head_dim must be an int"),
        ({"temperature": 0}, ValueError, "temperature must be > 0"),
        ({"scaled": 1}, TypeError, "scaled must be a bool, got int"),
        ({"seed": -1}, ValueError, "seed must be >= 0"),
    ],
)
def test_maps_bad_input(kwargs, error, message):
    kwargs = {"tokens": TOKENS, **kwargs}
    with pytest.raises(error, match=message):
        head_attention_maps(kwargs.pop("tokens"), **kwargs)


def test_plot_returns_fig_and_one_axes_per_head():
    w = head_attention_maps(TOKENS, num_heads=2)
    fig, axes = plot_head_maps(w, TOKENS, title="t")
    assert isinstance(fig, Figure)
    assert isinstance(axes, np.ndarray) and axes.shape == (2,)
    assert axes[0].get_ylabel() == "query token"
    assert all(ax.get_xlabel() == "key token" for ax in axes)
    assert len(fig.axes) == 3  # two maps and the shared colour bar


@pytest.mark.parametrize(
    ("weights", "tokens", "error", "message"),
    [
        ([[0.5]], ["a"], TypeError, "weights must be a torch.Tensor"),
        (torch.ones(2, 2), ["a", "b"], ValueError, "weights must have 3 dimensions"),
        (torch.ones(1, 2, 2), ["a"], ValueError, r"weights must have shape \(H, 1, 1\)"),
        (torch.ones(1, 2, 3), ["a", "b"], ValueError, r"weights must have shape \(H, 2, 2\)"),
    ],
)
def test_plot_bad_input(weights, tokens, error, message):
    with pytest.raises(error, match=message):
        plot_head_maps(weights, tokens)


def test_explorer_builds_and_reacts_to_its_controls():
    ipywidgets = pytest.importorskip("ipywidgets")
    box = heads_explorer(TOKENS, num_heads=2, head_dims=(2, 4, 8), head_dim=4)
    assert isinstance(box, ipywidgets.VBox)
    controls, out = box.children
    dim_slider, temperature, scaled = controls.children
    assert dim_slider.options == (2, 4, 8) and dim_slider.value == 4
    dim_slider.value = 8  # redraws without error
    scaled.value = False
    temperature.value = 0.5
    assert isinstance(out, ipywidgets.Output)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"head_dims": 8}, TypeError, "head_dims must be a non-empty sequence"),
        ({"head_dims": (8, 4)}, ValueError, "head_dims must be strictly increasing"),
        ({"head_dims": (4, 8), "head_dim": 16}, ValueError, "head_dim must be one of"),
    ],
)
def test_explorer_bad_input(kwargs, error, message):
    pytest.importorskip("ipywidgets")
    with pytest.raises(error, match=message):
        heads_explorer(TOKENS, **kwargs)
