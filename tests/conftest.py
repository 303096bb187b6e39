"""Shared by every test: matplotlib draws off-screen (no display on CI)."""

import matplotlib

matplotlib.use("Agg")  # before any test module imports pyplot
