"""Specification of attnlib.models.utils."""

import torch

from attnlib.models.utils import count_parameters


def test_count_parameters_counts_only_trainable_ones():
    layer = torch.nn.Linear(3, 2)
    assert count_parameters(layer) == 8
    layer.bias.requires_grad_(False)
    assert count_parameters(layer) == 6
