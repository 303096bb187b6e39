"""attnlib.plotting.cost: log-log cost plots and fitted slopes (chapter 4)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure

from attnlib.plotting.cost import loglog_slope, plot_loglog_cost

N = [64, 128, 256, 512]


@given(
    p=st.floats(-3, 3),
    a=st.floats(1e-6, 1e6),
    n=st.lists(st.floats(1, 1e5), min_size=2, max_size=8, unique=True).filter(
        lambda n: max(n) / min(n) > 1.5
    ),
)
def test_slope_recovers_the_exponent_of_a_power_law(p, a, n):
    n = np.array(n)
    assert loglog_slope(n, a * n**p) == pytest.approx(p, abs=1e-6)


def test_slope_is_the_least_squares_fit_of_noisy_points():
    n = np.array([1.0, 2.0, 4.0])
    y = np.array([1.0, 4.0, 8.0])  # log2 slopes 2 then 1: least squares gives 1.5
    assert loglog_slope(n, y) == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("x", "y", "error", "message"),
    [
        (5, [1.0], TypeError, "x must be a sequence or array of numbers, got int"),
        ("abc", [1.0], TypeError, "x must be a sequence or array of numbers, got str"),
        ([1, "a"], [1, 2], TypeError, "x must contain only real numbers"),
        ([[1, 2]], [1, 2], ValueError, "x must be one-dimensional"),
        ([1, 0], [1, 2], ValueError, "x must contain only finite numbers > 0"),
        ([1, 2], [1, float("nan")], ValueError, "y must contain only finite numbers > 0"),
        ([1, 2, 3], [1, 2], ValueError, r"y must have one value per entry of x \(3\), got 2"),
        ([2, 2], [1, 2], ValueError, "x must hold at least two distinct values"),
    ],
)
def test_slope_bad_input(x, y, error, message):
    with pytest.raises(error, match=message):
        loglog_slope(x, y)


def test_plot_returns_fig_ax_with_log_axes_labels_and_fitted_slope():
    fig, ax = plot_loglog_cost(N, [1e-4, 3e-4, 1.2e-3, 4.8e-3], fit_from=1, ylabel="time (s)")
    assert isinstance(fig, Figure) and ax.figure is fig
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert ax.get_xlabel() == "sequence length n" and ax.get_ylabel() == "time (s)"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["measured", "measured (not fitted)", "fit: slope 2.00"]


def test_plot_draws_into_given_axes():
    fig, ax = plt.subplots()
    fig2, ax2 = plot_loglog_cost(N, [1, 4, 16, 64], ax=ax, label="bytes")
    assert fig2 is fig and ax2 is ax
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["bytes", "fit: slope 2.00"]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"fit_from": 3}, ValueError, r"fit_from must leave at least two points to fit \(<= 2\)"),
        ({"fit_from": -1}, ValueError, "fit_from must be >= 0"),
        ({"fit_from": 1.0}, TypeError, "fit_from must be an int"),
        ({"cost": [1, 2]}, ValueError, "cost must have one value per entry of n"),
        ({"cost": [1, 2, -3, 4]}, ValueError, "cost must contain only finite numbers > 0"),
    ],
)
def test_plot_bad_input(kwargs, error, message):
    kwargs = {"cost": [1, 4, 16, 64], **kwargs}
    with pytest.raises(error, match=message):
        plot_loglog_cost(N, **kwargs)
