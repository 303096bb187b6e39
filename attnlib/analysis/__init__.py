"""Attention analysis (chapters 5 and 9): what attention maps say about a model's decisions.

One module per method: :mod:`attnlib.analysis.deletion` (the deletion test of chapter 5).
"""
