"""The chapter 1–2 explorers build, redraw when their slider moves, and validate input."""

import pytest
import torch

from attnlib.widgets.kernel_regression import bandwidth_explorer
from attnlib.widgets.softmax_explorer import temperature_explorer


def test_temperature_explorer_redraws():
    box = temperature_explorer(torch.tensor([1.0, 2.0, 0.5]))
    slider, out = box.children
    slider.value = 10.0  # triggers a redraw; must not raise
    assert slider.description == "τ"


def test_bandwidth_explorer_redraws():
    x = torch.linspace(0, 1, 10)
    box = bandwidth_explorer(x, x.sin(), x, x.sin())
    box.children[0].value = 1.0


def test_bad_input():
    with pytest.raises(ValueError, match="scores must have 1 dimension,"):
        temperature_explorer(torch.ones(2, 2))
    with pytest.raises(TypeError, match="x_train must be a torch.Tensor, got list"):
        bandwidth_explorer([1.0], torch.ones(1), torch.ones(1), torch.ones(1))
