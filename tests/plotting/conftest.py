"""Shared by the figure tests: every figure is closed after each test (Agg: tests/conftest.py)."""

import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
