"""Figures for the course: every function returns ``(fig, ax)``."""
