"""Interactive figures and self-check quizzes for the chapters.

- :mod:`attnlib.widgets.explorer`: ``frame_explorer``, figures drawn in advance for every
  combination of control values, chosen with sliders and drop-down lists; works on the static
  website without a kernel. The chapters' explorers (``bandwidth_frames``,
  ``temperature_frames``, ``gumbel_softmax_frames``, ``heads_frames``) are built on it.
- :mod:`attnlib.widgets.quiz`: ``quiz``, multiple-choice questions with every answer explained.
- The ``*_explorer`` functions are ipywidgets versions for a live notebook (the optional extra
  ``attnlib[widgets]``); they need a kernel, so the chapters do not use them.
"""
