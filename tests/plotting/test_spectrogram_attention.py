"""attnlib.plotting.speech: attention weights under a log-mel spectrogram (chapter 7)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from attnlib.plotting.speech import plot_frame_attention


def _clip(T=20, M=8):
    features = torch.arange(M * T, dtype=torch.float32).reshape(M, T)
    weights = torch.softmax(torch.linspace(-2, 2, T), 0)
    return features, weights


def test_draws_the_spectrogram_and_the_weights_on_one_time_axis():
    features, weights = _clip()
    active = torch.arange(20) >= 10
    fig, (spec, lines) = plot_frame_attention(
        features, weights, active=active, hop_seconds=0.01, title="seven"
    )
    image = spec.images[0]
    np.testing.assert_array_equal(image.get_array(), features.numpy())
    assert image.get_extent() == [0, 0.2, 0, 8]
    assert image.get_cmap().name == "viridis"
    assert spec.get_ylabel() == "mel band" and spec.get_title() == "seven"
    assert lines.get_xlabel() == "time (s)" and lines.get_ylabel() == "weight"
    (step,) = lines.get_lines()
    np.testing.assert_allclose(step.get_ydata(), weights.numpy())
    np.testing.assert_allclose(step.get_xdata(), (np.arange(20) + 0.5) * 0.01)
    assert len(lines.collections) == 1  # the shaded speech frames
    assert spec.get_xlim() == pytest.approx(lines.get_xlim())
    assert any(ax.get_ylabel() == "normalised log power" for ax in fig.axes)


def test_draws_into_given_axes_without_colour_bar():
    features, weights = _clip()
    fig, axes = plt.subplots(2, 3)
    out, (spec, lines) = plot_frame_attention(
        features, weights, axes=(axes[0, 1], axes[1, 1]), colorbar=False, cmap="cividis"
    )
    assert out is fig and spec is axes[0, 1] and lines is axes[1, 1]
    assert len(fig.axes) == 6  # no colour bar added
    assert spec.images[0].get_cmap().name == "cividis"
    assert len(lines.collections) == 0  # no speech shading asked for


BAD = [
    (
        dict(features=torch.zeros(20)),
        ValueError,
        "features must have 2 dimensions, got shape (20,)",
    ),
    (
        dict(weights=torch.zeros(19)),
        ValueError,
        "weights must have shape (20,) to match features' 20 frames, got shape (19,)",
    ),
    (dict(active=torch.ones(20)), TypeError, "active must be a boolean torch.Tensor or None"),
    (
        dict(active=torch.ones(3, dtype=torch.bool)),
        ValueError,
        "active must have shape (20,) to match features, got shape (3,)",
    ),
    (dict(hop_seconds=0.0), ValueError, "hop_seconds must be > 0, got 0.0"),
    (dict(axes="top"), TypeError, "axes must be a pair of matplotlib Axes or None, got str"),
]


@pytest.mark.parametrize("change, error, message", BAD)
def test_bad_inputs_name_the_argument(change, error, message):
    features, weights = _clip()
    kwargs = dict(features=features, weights=weights) | change
    with pytest.raises(error) as info:
        plot_frame_attention(kwargs.pop("features"), kwargs.pop("weights"), **kwargs)
    assert message in str(info.value)
