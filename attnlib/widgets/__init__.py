"""Interactive explorers used by the chapters (ipywidgets)."""
