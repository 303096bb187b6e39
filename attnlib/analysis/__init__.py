"""Attention analysis (chapters 5 and 9): describe attention weights, roll them out through layers,
compare them with gradient attributions, and measure how faithful any importance map is.

- :mod:`~attnlib.analysis.deletion`: the deletion test of chapter 5.
- :mod:`~attnlib.analysis.statistics`: entropy, effective number of positions, largest weight.
- :mod:`~attnlib.analysis.rollout`: attention rollout (Abnar and Zuidema, 2020).
- :mod:`~attnlib.analysis.flow`: attention flow, a max-flow with networkx.
- :mod:`~attnlib.analysis.attribution`: saliency, input × gradient, Integrated Gradients (Captum).
- :mod:`~attnlib.analysis.faithfulness`: deletion and insertion curves, the area under a curve.
- :mod:`~attnlib.analysis.agreement`: Kendall's τ, precision at k.
- :mod:`~attnlib.analysis.counterfactual`: permuted, uniform and adversarial attention.

The attribution and flow modules import Captum and networkx, so they are imported on use, not
here.
"""

from attnlib.analysis.agreement import kendall_tau, precision_at_k
from attnlib.analysis.counterfactual import (
    adversarial_weights,
    js_divergence,
    permute_weights,
    total_variation,
    uniform_weights,
)
from attnlib.analysis.faithfulness import (
    FaithfulnessCurve,
    area_under_curve,
    faithfulness_curve,
    patch_units,
    rank_units,
)
from attnlib.analysis.rollout import attention_rollout
from attnlib.analysis.statistics import attention_entropy, effective_number, max_weight

__all__ = [
    "FaithfulnessCurve",
    "adversarial_weights",
    "area_under_curve",
    "attention_entropy",
    "attention_rollout",
    "effective_number",
    "faithfulness_curve",
    "js_divergence",
    "kendall_tau",
    "max_weight",
    "patch_units",
    "permute_weights",
    "precision_at_k",
    "rank_units",
    "total_variation",
    "uniform_weights",
]
