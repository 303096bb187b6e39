"""The case-study models, one module per model."""
