"""Golden tests of the exercises' reference solutions (exercises/source/NN_topic/solution.py):
each is checked against attnlib or torch, never against its own output."""

import pytest
import torch


@pytest.fixture(autouse=True)
def _seeded_one_thread():
    torch.set_num_threads(1)
    torch.manual_seed(0)
