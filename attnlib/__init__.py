"""attnlib: the small, tested attention library behind the course.

Every public name is importable from here. Each function's docstring gives its shapes, its
formula and the chapter that derives it.
"""

from attnlib.efficient import KVCache, chunked_attention, linear_attention, online_softmax
from attnlib.hard import (
    argmax_one_hot,
    categorical_log_prob,
    chi_square_p_value,
    exact_gradient,
    gumbel_softmax,
    reinforce_gradient,
    sample_categorical,
    sample_gumbel,
    score_function_surrogate,
    straight_through,
    threshold_gate,
    topk_mask,
)
from attnlib.multihead import MultiHeadAttention
from attnlib.scoring import AdditiveScore, BilinearScore, dot_score, scaled_dot_score
from attnlib.soft import attention_pooling, gaussian_kernel_scores, scaled_dot_product_attention
from attnlib.softmax import softmax, softmax_jacobian

__version__ = "0.1.0"

__all__ = [
    "AdditiveScore",
    "BilinearScore",
    "MultiHeadAttention",
    "argmax_one_hot",
    "attention_pooling",
    "categorical_log_prob",
    "chi_square_p_value",
    "dot_score",
    "exact_gradient",
    "gaussian_kernel_scores",
    "gumbel_softmax",
    "reinforce_gradient",
    "sample_categorical",
    "sample_gumbel",
    "scaled_dot_product_attention",
    "scaled_dot_score",
    "score_function_surrogate",
    "softmax",
    "softmax_jacobian",
    "straight_through",
    "threshold_gate",
    "topk_mask",
    "KVCache",
    "chunked_attention",
    "linear_attention",
    "online_softmax",
]
