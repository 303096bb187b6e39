"""The shared figure helpers return (fig, ax), label their axes and reject bad input."""

import matplotlib.pyplot as plt
import pytest
import torch

from attnlib.plotting.bars import plot_weights_bar
from attnlib.plotting.heatmaps import plot_attention_matrix


def test_attention_matrix_has_labels_and_a_colour_bar():
    fig, ax = plot_attention_matrix(
        torch.softmax(torch.randn(3, 4), -1), query_labels="abc", key_labels="wxyz"
    )
    assert ax.get_xlabel() and ax.get_ylabel()
    assert [t.get_text() for t in ax.get_xticklabels()] == list("wxyz")
    assert len(fig.axes) == 2  # the heatmap and its colour bar
    assert ax.images[0].get_cmap().name == "viridis"
    plt.close(fig)


def test_weights_bar_draws_one_bar_per_key():
    fig, ax = plot_weights_bar(torch.tensor([0.2, 0.3, 0.5]))
    assert len(ax.patches) == 3
    assert ax.get_ylim() == (0.0, 1.0)
    plt.close(fig)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: plot_attention_matrix(torch.ones(3)),
            ValueError,
            "weights must have 2 dimensions",
        ),
        (
            lambda: plot_attention_matrix(torch.ones(2, 3), key_labels="ab"),
            ValueError,
            "key_labels must have 3 entries",
        ),
        (lambda: plot_weights_bar("x"), TypeError, "weights must be a torch.Tensor, got str"),
        (
            lambda: plot_weights_bar(torch.ones(2), labels=["a"]),
            ValueError,
            "labels must have 2 entries, got 1",
        ),
    ],
)
def test_bad_input(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
