r"""Hard attention: fixed gates, hard selections, sampling and gradient estimators (chapter 3).

A *fixed gate* :math:`1[x \ge \theta]`, a top-k mask and an argmax are piecewise constant, so
their derivative is zero almost everywhere and nothing before them can learn where to attend.
*Stochastic* hard attention samples a position :math:`z \sim \mathrm{Cat}(\mathrm{softmax}(s))`
instead, and trains the scores :math:`s` through :math:`\mathbb{E}_z[f(z)]`, a smooth function of
:math:`s`, with one of three gradient estimators:

- the score-function (REINFORCE) estimator, unbiased, with an optional baseline
  (Williams 1992): :func:`score_function_surrogate`, :func:`reinforce_gradient`;
- the straight-through estimator, biased, cheap (Bengio et al. 2013): :func:`straight_through`;
- the Gumbel-softmax / Concrete relaxation, biased for :math:`\tau > 0`
  (Jang et al. 2017; Maddison et al. 2017): :func:`gumbel_softmax`.

Two yardsticks check them: :func:`exact_gradient`, the true gradient by enumerating the ``n``
positions, and :func:`chi_square_p_value`, a goodness-of-fit test of a sampler's counts.

Shape legend: ``n`` categories (positions) on the last axis, ``*`` any batch shape, ``S`` the
number of samples.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import torch
import torch.nn.functional as F

from attnlib.softmax import _softmax
from attnlib.validation import (
    check_dim,
    check_int,
    check_scalar,
    check_tensor,
    describe,
)

__all__ = [
    "argmax_one_hot",
    "categorical_log_prob",
    "chi_square_p_value",
    "exact_gradient",
    "gumbel_softmax",
    "reinforce_gradient",
    "sample_categorical",
    "sample_gumbel",
    "score_function_surrogate",
    "straight_through",
    "threshold_gate",
    "topk_mask",
]


def _check_logits(logits: object, name: str = "logits", dim: int = -1) -> torch.Tensor:
    """Floating ``(*, n)`` logits with no NaN and no +inf; ``-inf`` marks an excluded category.

    Every slice along ``dim`` (the categories) needs at least one finite entry (a distribution
    over nothing cannot be sampled).
    """
    logits = check_tensor(logits, name, min_dim=1, floating=True)
    if logits.shape[dim] == 0:
        raise ValueError(
            f"{name} must have at least one category in its last dimension, "
            f"got shape {tuple(logits.shape)}"
        )
    if torch.isnan(logits).any() or (logits == float("inf")).any():
        raise ValueError(f"{name} must not contain NaN or +inf (-inf excludes a category)")
    if not torch.isfinite(logits).any(dim=dim).all():
        raise ValueError(
            f"{name} has a slice whose every entry is -inf; each slice along the last "
            "dimension needs at least one category that can be chosen"
        )
    return logits


def _check_baseline(baseline: object, shape: torch.Size) -> float | torch.Tensor | None:
    """``None``, a real number, or a finite floating tensor that broadcasts to ``shape``."""
    if baseline is None:
        return None
    if not isinstance(baseline, torch.Tensor):
        return check_scalar(baseline, "baseline")
    baseline = check_tensor(baseline, "baseline", floating=True, finite=True)
    try:
        broadcast = torch.broadcast_shapes(baseline.shape, shape)
    except RuntimeError:
        broadcast = None
    if broadcast != shape:
        raise ValueError(
            f"baseline of shape {tuple(baseline.shape)} does not broadcast to "
            f"log_prob's shape {tuple(shape)}"
        )
    return baseline


def _check_generator(generator: object) -> torch.Generator | None:
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {describe(generator)}")
    return generator


def threshold_gate(x: torch.Tensor, theta: float | torch.Tensor) -> torch.Tensor:
    r"""The fixed gate :math:`a_i = 1[x_i \ge \theta]`, built so that autograd can see it.

    Popular write-ups call ``(x >= theta) * x`` "hard attention". It is a fixed gate: its
    derivative with respect to ``x`` and to ``theta`` is zero wherever it exists (everywhere
    except on the set :math:`x_i = \theta`, of measure zero), so no gradient tells the scores
    or the threshold which positions to keep. Unlike ``(x >= theta).float()``, which leaves
    the graph, this function stays in it and autograd returns those zeros. Chapter 3.

    Args:
        x: scores, any shape ``(*)``, floating point.
        theta: the threshold, a real number or a floating tensor broadcastable to ``x``
            (for example a learnable ``torch.nn.Parameter``).

    Returns:
        the gate, of shape ``broadcast(x, theta)`` and the dtype of ``x``: 1 where
        :math:`x_i \ge \theta`, 0 elsewhere. Its gradient is identically zero.

    Example:
        >>> threshold_gate(torch.tensor([-1.0, 0.5, 2.0]), 0.5)
        tensor([0., 1., 1.])
    """
    x = check_tensor(x, "x", floating=True)
    if isinstance(theta, torch.Tensor):
        theta = check_tensor(theta, "theta", floating=True)
        try:
            torch.broadcast_shapes(theta.shape, x.shape)
        except RuntimeError:
            raise ValueError(
                f"theta of shape {tuple(theta.shape)} does not broadcast to x's shape "
                f"{tuple(x.shape)}"
            ) from None
    else:
        theta = check_scalar(theta, "theta")
    # sign(x - theta) is -1, 0, +1; adding 1 and clipping at 1 maps it to 0, 1, 1, i.e.
    # 1[x >= theta]. sign and clamp are piecewise constant, so autograd's derivative is 0.
    return torch.sign(x - theta).add(1).clamp(max=1)


def topk_mask(scores: torch.Tensor, k: int, dim: int = -1) -> torch.Tensor:
    r"""A boolean mask that keeps the ``k`` largest scores along ``dim`` (hard top-k selection).

    .. math:: m_i = 1[\,s_i \text{ is among the } k \text{ largest of } s\,]

    Piecewise constant in ``scores``: it changes only where two scores tie, so its
    derivative is zero almost everywhere (chapter 3). Ties are broken as
    :func:`torch.topk` breaks them. ``True`` means "may be attended", the course's one mask
    convention.

    Args:
        scores: ``(*)``, floating point.
        k: how many entries to keep, ``1 <= k <= scores.shape[dim]``.
        dim: the axis to select along.

    Returns:
        a ``torch.bool`` tensor of the shape of ``scores`` with exactly ``k`` ``True`` entries
        in each slice along ``dim``.

    Example:
        >>> topk_mask(torch.tensor([0.1, 3.0, -1.0, 2.0]), k=2)
        tensor([False,  True, False,  True])
    """
    scores = check_tensor(scores, "scores", min_dim=1, floating=True)
    dim = check_dim(dim, scores)
    k = check_int(k, "k", minimum=1)
    if k > scores.shape[dim]:
        raise ValueError(f"k must be <= scores.shape[{dim}] = {scores.shape[dim]}, got {k}")
    return _topk_mask(scores, k, dim)


def _topk_mask(scores: torch.Tensor, k: int, dim: int = -1) -> torch.Tensor:
    """The kernel of :func:`topk_mask` (arguments already checked)."""
    index = scores.topk(k, dim=dim).indices  # (*) with size k along dim
    mask = torch.zeros_like(scores, dtype=torch.bool)  # (*)
    return mask.scatter(dim, index, True)


def argmax_one_hot(scores: torch.Tensor, dim: int = -1) -> torch.Tensor:
    r"""The one-hot vector of the largest score along ``dim`` (hard argmax selection).

    .. math:: a_i = 1[\,i = \arg\max_j s_j\,]

    The limit of ``softmax(scores / tau)`` as :math:`\tau \to 0` when the maximum is unique.
    Piecewise constant, so its derivative is zero almost everywhere; the result does not
    require grad (chapter 3). Ties go to the first maximum, as in :func:`torch.argmax`.

    Args:
        scores: ``(*)``, floating point.
        dim: the axis to select along.

    Returns:
        ``(*)``, the dtype of ``scores``, one 1 in each slice along ``dim`` and 0 elsewhere.

    Example:
        >>> argmax_one_hot(torch.tensor([[0.1, 3.0, -1.0], [5.0, 0.0, 0.0]]))
        tensor([[0., 1., 0.],
                [1., 0., 0.]])
    """
    scores = check_tensor(scores, "scores", min_dim=1, floating=True)
    dim = check_dim(dim, scores)
    return _argmax_one_hot(scores, dim)


def _argmax_one_hot(scores: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """The kernel of :func:`argmax_one_hot` (arguments already checked)."""
    index = scores.argmax(dim=dim, keepdim=True)  # (*) with size 1 along dim
    return torch.zeros_like(scores).scatter(dim, index, 1.0).detach()


def sample_gumbel(
    shape: tuple[int, ...] | torch.Size,
    *,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    r"""Independent standard Gumbel samples, :math:`g = -\log(-\log u)`, :math:`u \sim U(0, 1)`.

    The standard Gumbel distribution has CDF :math:`F(g) = \exp(-e^{-g})`; since

    .. math::
        P(-\log(-\log u) \le g) = P(u \le \exp(-e^{-g})) = F(g),

    the inverse-CDF transform of a uniform sample is Gumbel (proved in chapter 3).

    Args:
        shape: the output's shape, a tuple of non-negative ints.
        generator: optional :class:`torch.Generator`, for reproducible samples.
        dtype: a floating dtype.

    Returns:
        a tensor of ``shape`` with i.i.d. Gumbel(0, 1) entries, all finite.

    Example:
        >>> sample_gumbel((2, 3), generator=torch.Generator().manual_seed(0)).shape
        torch.Size([2, 3])
    """
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (int(shape),)
    if not isinstance(shape, (tuple, list, torch.Size)):
        raise TypeError(f"shape must be a tuple of ints, got {describe(shape)}")
    shape = tuple(check_int(size, "shape entries", minimum=0) for size in shape)
    generator = _check_generator(generator)
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating torch.dtype, got {dtype!r}")
    return _sample_gumbel(shape, generator=generator, dtype=dtype)


def _sample_gumbel(
    shape: tuple[int, ...] | torch.Size,
    *,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """The kernel of :func:`sample_gumbel` (arguments already checked)."""
    # torch.rand draws from [0, 1): clip u away from 0 and 1 so that both logs stay finite.
    info = torch.finfo(dtype)
    u = torch.rand(shape, generator=generator, dtype=dtype).clamp(info.tiny, 1 - info.eps)
    return -torch.log(-torch.log(u))


def sample_categorical(
    logits: torch.Tensor,
    num_samples: int | None = None,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Sample positions :math:`z \sim \mathrm{Cat}(\mathrm{softmax}(\text{logits}))`.

    .. math:: P(z = k) = \frac{\exp(\ell_k)}{\sum_j \exp(\ell_j)}

    Stochastic hard attention (Mnih et al. 2014; Xu et al. 2015) attends to one sampled
    position. Uses :func:`torch.multinomial` (with replacement) on the stable softmax.

    Args:
        logits: ``(*, n)`` unnormalised log-probabilities; ``-inf`` excludes a category.
        num_samples: ``None`` for one sample per slice, or an int ``S >= 1``.
        generator: optional :class:`torch.Generator`, for reproducible samples.

    Returns:
        ``int64`` indices in ``[0, n)``: shape ``(*)`` when ``num_samples`` is ``None``,
        else ``(S, *)`` (sample axis first, as in :mod:`torch.distributions`).

    Example:
        >>> g = torch.Generator().manual_seed(0)
        >>> sample_categorical(torch.tensor([0.0, 0.0, -float("inf")]), 4, generator=g).shape
        torch.Size([4])
    """
    logits = _check_logits(logits)
    if num_samples is not None:
        num_samples = check_int(num_samples, "num_samples", minimum=1)
    generator = _check_generator(generator)
    return _sample_categorical(logits, num_samples, generator=generator)


def _sample_categorical(
    logits: torch.Tensor,
    num_samples: int | None = None,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """The kernel of :func:`sample_categorical` (arguments already checked)."""
    probs = _softmax(logits.detach(), -1).reshape(-1, logits.shape[-1])  # (B, n)
    draws = 1 if num_samples is None else num_samples
    index = torch.multinomial(probs, draws, replacement=True, generator=generator)  # (B, S)
    index = index.T.reshape(draws, *logits.shape[:-1])  # (S, *)
    return index[0] if num_samples is None else index


def chi_square_p_value(counts: torch.Tensor, expected: torch.Tensor) -> float:
    r"""Pearson's goodness-of-fit test of category counts: the p-value of the statistic.

    .. math::
        X^2 = \sum_{k=1}^{n} \frac{(c_k - m_k)^2}{m_k}, \qquad
        p = P\big(\chi^2_{n-1} \ge X^2\big) = Q\big(\tfrac{n-1}{2}, \tfrac{X^2}{2}\big)

    with :math:`Q` the regularised upper incomplete gamma function (the chi-square survival
    function), computed in ``float64`` by :func:`torch.special.gammaincc`. Chapter 3 checks
    :func:`sample_categorical` with it: count the draws of each category and compare them with
    :math:`S p` (``S`` draws, ``p = softmax(logits)``). A small p-value (say below ``1e-3``)
    rejects the hypothesis that the counts follow ``expected``. The ``n - 1`` degrees of freedom
    assume that no parameter of ``expected`` was estimated from the counts.

    Args:
        counts: ``(n,)`` observed count of each category, ``n >= 2``, finite, non-negative.
        expected: ``(n,)`` expected count of each category under the hypothesis, positive;
            it must have the same total as ``counts`` (within a relative ``1e-4``).

    Returns:
        the p-value, a float in ``[0, 1]``.

    Example:
        >>> counts = torch.tensor([48.0, 52.0])
        >>> round(chi_square_p_value(counts, torch.tensor([50.0, 50.0])), 4)
        0.6892
    """
    counts = check_tensor(counts, "counts", ndim=1, finite=True)
    expected = check_tensor(expected, "expected", ndim=1, finite=True)
    if counts.shape[0] < 2:
        raise ValueError(f"counts must hold at least 2 categories, got shape {tuple(counts.shape)}")
    if expected.shape != counts.shape:
        raise ValueError(
            f"expected must have the shape of counts {tuple(counts.shape)}, "
            f"got shape {tuple(expected.shape)}"
        )
    if (counts < 0).any():
        raise ValueError(f"counts must be non-negative, got {counts.min().item():.4g}")
    if (expected <= 0).any():
        raise ValueError(
            f"expected must be positive in every category, got {expected.min().item():.4g}"
        )
    counts, expected = counts.double(), expected.double()
    total, expected_total = counts.sum().item(), expected.sum().item()
    if abs(total - expected_total) > 1e-4 * expected_total:
        raise ValueError(
            f"expected must sum to the number of counts, {total:g}, got {expected_total:g}; "
            "scale the probabilities by the number of draws"
        )
    statistic = ((counts - expected) ** 2 / expected).sum()  # ()
    df = torch.tensor((counts.shape[0] - 1) / 2, dtype=torch.float64)
    return torch.special.gammaincc(df, statistic / 2).item()


def categorical_log_prob(logits: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    r"""The log-probability :math:`\log p_\ell(z) = \ell_z - \log\sum_j e^{\ell_j}` of samples.

    Differentiable in ``logits``; its gradient :math:`\nabla_\ell \log p_\ell(z) = e_z - p`
    is the "score" of the score-function estimator (chapter 3). Equal to
    ``torch.distributions.Categorical(logits=logits).log_prob(index)``.

    Args:
        logits: ``(*, n)``.
        index: ``int64`` indices ``(*)`` or ``(S, *)``, each in ``[0, n)``.

    Returns:
        log-probabilities of the shape of ``index``.

    Example:
        >>> categorical_log_prob(torch.zeros(4), torch.tensor(2)).exp()
        tensor(0.2500)
    """
    logits = _check_logits(logits)
    index = check_tensor(index, "index")
    if index.dtype != torch.int64:
        raise TypeError(f"index must have dtype torch.int64, got {index.dtype}")
    batch = logits.shape[:-1]
    if index.shape != batch and index.shape[1:] != batch:
        raise ValueError(
            f"index must have shape {tuple(batch)} or (S, {', '.join(map(str, batch))}) to "
            f"match logits of shape {tuple(logits.shape)}, got shape {tuple(index.shape)}"
        )
    n = logits.shape[-1]
    if index.numel() and (index.min() < 0 or index.max() >= n):
        raise ValueError(
            f"index must lie in [0, {n}), got values in [{int(index.min())}, {int(index.max())}]"
        )
    return _categorical_log_prob(logits, index)


def _categorical_log_prob(logits: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """The kernel of :func:`categorical_log_prob` (arguments already checked)."""
    n = logits.shape[-1]
    log_p = torch.log_softmax(logits, dim=-1).expand(*index.shape, n)  # (..., n)
    return log_p.gather(-1, index.unsqueeze(-1)).squeeze(-1)  # (..., n) -> (...)


def score_function_surrogate(
    log_prob: torch.Tensor,
    reward: torch.Tensor,
    baseline: float | torch.Tensor | None = None,
) -> torch.Tensor:
    r"""A surrogate whose autograd gradient is the score-function (REINFORCE) estimate.

    .. math::
        \nabla_\theta \mathbb{E}_{z \sim p_\theta}[f(z)]
        = \mathbb{E}_{z \sim p_\theta}\big[(f(z) - b)\,\nabla_\theta \log p_\theta(z)\big]

    (Williams 1992; derived in chapter 3). The surrogate is
    :math:`\mathrm{sg}[f(z) - b] \cdot \log p_\theta(z)`, with the reward and baseline detached
    (:math:`\mathrm{sg}` = stop-gradient), so ``surrogate.mean().backward()`` gives the
    Monte Carlo estimate averaged over the samples. The estimate stays unbiased for any
    baseline :math:`b` that does not depend on the sample :math:`z` it multiplies (a
    constant, a running mean, the mean of the *other* samples' rewards); a good baseline
    lowers the variance. To *minimise* a loss ``f``, call ``backward`` on the surrogate of
    ``f``; to *maximise* a reward, on its negative.

    Args:
        log_prob: :math:`\log p_\theta(z)` of the sampled ``z``, any shape ``(*)``,
            differentiable in :math:`\theta`.
        reward: :math:`f(z)`, same shape as ``log_prob`` (it is detached).
        baseline: ``None`` (no baseline), a real number, or a tensor broadcastable to
            ``log_prob`` (it is detached).

    Returns:
        the surrogate, of the shape of ``log_prob``. Its value is not the objective; only its
        gradient means something.

    Example:
        >>> logits = torch.zeros(3, requires_grad=True)
        >>> z = torch.tensor([0, 0, 2])
        >>> surrogate = score_function_surrogate(categorical_log_prob(logits, z),
        ...                                      torch.tensor([1.0, 1.0, 0.0]))
        >>> surrogate.mean().backward()
    """
    log_prob = check_tensor(log_prob, "log_prob", floating=True)
    reward = check_tensor(reward, "reward", floating=True, finite=True)
    if reward.shape != log_prob.shape:
        raise ValueError(
            f"reward must have the shape of log_prob {tuple(log_prob.shape)}, "
            f"got shape {tuple(reward.shape)}"
        )
    baseline = _check_baseline(baseline, log_prob.shape)
    return _score_function_surrogate(log_prob, reward, baseline)


def _score_function_surrogate(
    log_prob: torch.Tensor,
    reward: torch.Tensor,
    baseline: float | torch.Tensor | None = None,
) -> torch.Tensor:
    """The kernel of :func:`score_function_surrogate` (arguments already checked)."""
    advantage = reward.detach()
    if baseline is not None:
        advantage = advantage - (
            baseline.detach() if isinstance(baseline, torch.Tensor) else baseline
        )
    return advantage * log_prob


def reinforce_gradient(
    logits: torch.Tensor,
    reward_fn: Callable[[torch.Tensor], torch.Tensor],
    num_samples: int,
    *,
    baseline: float | torch.Tensor | str | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""The score-function (REINFORCE) estimate of :math:`\nabla_\ell \mathbb{E}_{z}[f(z)]`.

    .. math::
        \hat g = \frac{1}{S}\sum_{s=1}^{S} \big(f(z_s) - b_s\big)\,(e_{z_s} - p),
        \qquad z_s \sim \mathrm{Cat}(p),\ p = \mathrm{softmax}(\ell)

    an unbiased estimate of the gradient of :math:`\mathbb{E}_{z \sim p}[f(z)]` with respect
    to the logits :math:`\ell` (Williams 1992; chapter 3). ``f`` is a black box: it needs no
    gradient and may be discontinuous.

    Args:
        logits: ``(*, n)``. Each slice along the last axis is its own distribution and gets
            its own estimate (a batch of ``B`` copies gives ``B`` independent estimates).
        reward_fn: maps one-hot samples ``(S, *, n)`` (dtype of ``logits``) to rewards
            ``(S, *)``; called without gradient tracking.
        num_samples: ``S >= 1`` (``>= 2`` for ``baseline="leave-one-out"``).
        baseline: ``None``; a real number or a tensor broadcastable to ``(S, *)``, fixed
            before sampling; or ``"leave-one-out"``, :math:`b_s = \frac{1}{S-1}\sum_{r \ne s}
            f(z_r)`, which does not depend on :math:`z_s` and so keeps the estimate unbiased.
        generator: optional :class:`torch.Generator`, for reproducible samples.

    Returns:
        the estimate, ``(*, n)``, detached.

    Example:
        >>> g = torch.Generator().manual_seed(0)
        >>> reward = lambda z: z[..., 0]  # f(z) = 1[z = 0]; exact gradient p_0 (e_0 - p)
        >>> reinforce_gradient(torch.zeros(2), reward, 4, generator=g).shape
        torch.Size([2])
    """
    logits = _check_logits(logits)
    if not callable(reward_fn):
        raise TypeError(f"reward_fn must be callable, got {describe(reward_fn)}")
    num_samples = check_int(num_samples, "num_samples", minimum=1)
    leave_one_out = isinstance(baseline, str)
    if leave_one_out:
        if baseline != "leave-one-out":
            raise ValueError(
                f"baseline must be None, a number, a tensor or 'leave-one-out', got {baseline!r}"
            )
        if num_samples < 2:
            raise ValueError(
                f"num_samples must be >= 2 for baseline='leave-one-out', got {num_samples}"
            )
        fixed = None
    else:  # fixed before sampling: it must broadcast to the samples' shape (S, *)
        fixed = _check_baseline(baseline, torch.Size((num_samples, *logits.shape[:-1])))
    generator = _check_generator(generator)

    theta = logits.detach().clone().requires_grad_(True)  # (*, n)
    index = _sample_categorical(theta, num_samples, generator=generator)  # (S, *)
    one_hot = F.one_hot(index, theta.shape[-1]).to(theta.dtype)  # (S, *) -> (S, *, n)
    with torch.no_grad():
        reward = reward_fn(one_hot)
    if not isinstance(reward, torch.Tensor) or reward.shape != index.shape:
        raise ValueError(
            f"reward_fn must return a tensor of shape {tuple(index.shape)} (one reward per "
            f"sample), got {describe(reward)}"
        )
    reward = reward.to(theta.dtype)
    if leave_one_out:
        fixed = (reward.sum(dim=0, keepdim=True) - reward) / (num_samples - 1)  # (S, *)
    log_prob = _categorical_log_prob(theta, index)  # (S, *)
    surrogate = _score_function_surrogate(log_prob, reward, fixed)  # (S, *)
    # Averaging over samples and summing over the independent batch slices gives each slice
    # its own averaged estimate.
    (gradient,) = torch.autograd.grad(surrogate.mean(dim=0).sum(), theta)
    return gradient  # (*, n)


def exact_gradient(
    logits: torch.Tensor, loss_fn: Callable[[torch.Tensor], torch.Tensor]
) -> torch.Tensor:
    r"""The exact gradient of the expected loss :math:`\nabla_\ell \mathbb{E}_{z}[f(z)]`.

    .. math::
        L(\ell) = \mathbb{E}_{z \sim \mathrm{Cat}(p)}[f(z)] = \sum_{k=1}^{n} p_k\, f(e_k),
        \qquad \nabla_\ell L = \sum_{k=1}^{n} p_k\, f(e_k)\,(e_k - p),
        \qquad p = \mathrm{softmax}(\ell)

    computed by enumerating the ``n`` one-hot vectors :math:`e_k` and differentiating the sum
    with autograd: the ground truth that chapter 3 measures the bias and variance of every
    estimator against (:func:`reinforce_gradient`, :func:`straight_through`,
    :func:`gumbel_softmax`). Feasible only when ``n`` is small enough to enumerate.

    Args:
        logits: ``(*, n)`` logits :math:`\ell`; each slice along the last axis is its own
            distribution and gets its own gradient. ``-inf`` excludes a category.
        loss_fn: maps the ``n`` one-hot vectors, an identity matrix ``(n, n)`` (dtype of
            ``logits``), to their finite losses :math:`f(e_k)`, ``(n,)``; the same loss for
            every slice.

    Returns:
        the gradient, ``(*, n)``, detached.

    Example:
        >>> loss = lambda z: z[..., 0]  # f(z) = 1[z = 0]: the gradient is p_0 (e_0 - p)
        >>> exact_gradient(torch.zeros(2), loss)
        tensor([ 0.2500, -0.2500])
    """
    logits = _check_logits(logits)
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable, got {describe(loss_fn)}")
    n = logits.shape[-1]
    eye = torch.eye(n, dtype=logits.dtype, device=logits.device)  # (n, n): row k is e_k
    with torch.no_grad():
        values = loss_fn(eye)
    if not isinstance(values, torch.Tensor) or values.shape != (n,):
        raise ValueError(
            f"loss_fn must return a tensor of shape ({n},) (one loss per one-hot vector), "
            f"got {describe(values)}"
        )
    if not torch.isfinite(values).all():
        raise ValueError("loss_fn must return finite losses, got NaN or ±inf")
    theta = logits.detach().clone().requires_grad_(True)  # (*, n)
    expected_loss = (_softmax(theta, -1) * values.to(theta.dtype)).sum(-1)  # (*, n) -> (*)
    # Summing over the independent slices gives each slice its own gradient.
    (gradient,) = torch.autograd.grad(expected_loss.sum(), theta)
    return gradient  # (*, n)


def straight_through(hard: torch.Tensor, soft: torch.Tensor) -> torch.Tensor:
    r"""The straight-through estimator: the value of ``hard``, the gradient of ``soft``.

    .. math:: y = \mathrm{soft} - \mathrm{sg}[\mathrm{soft}] + \mathrm{hard}, \qquad
              \frac{\partial y}{\partial \mathrm{soft}} = I

    In the forward pass a discrete choice is made (a sample, an argmax, a threshold); in the
    backward pass it is treated as if it were the identity on ``soft`` (Bengio et al. 2013;
    chapter 3). Biased: the gradient is that of a different function. The order of the
    operations keeps the forward value exactly ``hard`` (``soft - soft`` is exactly 0).

    Args:
        hard: ``(*)``, the discrete values used forward (e.g. a one-hot sample); detached.
        soft: ``(*)``, the same shape, the differentiable surrogate (e.g. probabilities).

    Returns:
        ``(*)``, equal to ``hard`` in value, with the gradient of ``soft``.

    Example:
        >>> soft = torch.tensor([0.2, 0.8], requires_grad=True)
        >>> straight_through(torch.tensor([0.0, 1.0]), soft)
        tensor([0., 1.], grad_fn=<AddBackward0>)
    """
    hard = check_tensor(hard, "hard", floating=True)
    soft = check_tensor(soft, "soft", floating=True)
    if hard.shape != soft.shape:
        raise ValueError(
            f"soft must have the shape of hard {tuple(hard.shape)}, got shape {tuple(soft.shape)}"
        )
    return _straight_through(hard, soft)


def _straight_through(hard: torch.Tensor, soft: torch.Tensor) -> torch.Tensor:
    """The kernel of :func:`straight_through` (arguments already checked)."""
    return (soft - soft.detach()) + hard.detach()


def gumbel_softmax(
    logits: torch.Tensor,
    tau: float = 1.0,
    hard: bool = False,
    dim: int = -1,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""A Gumbel-softmax (Concrete) sample: a relaxed, differentiable one-hot sample.

    .. math::
        y = \mathrm{softmax}\!\left(\frac{\ell + g}{\tau}\right), \qquad
        g_i \overset{\text{iid}}{\sim} \mathrm{Gumbel}(0, 1)

    (Jang et al. 2017; Maddison et al. 2017; chapter 3). By the Gumbel-max trick,
    :math:`\arg\max_i (\ell_i + g_i) \sim \mathrm{Cat}(\mathrm{softmax}(\ell))`; as
    :math:`\tau \to 0` the sample ``y`` tends to that one-hot vector, as
    :math:`\tau \to \infty` to the uniform vector. Same distribution as
    :func:`torch.nn.functional.gumbel_softmax`, plus a ``generator`` for reproducibility and a
    clear error for a bad ``tau``.

    Args:
        logits: ``(*)``, unnormalised log-probabilities along ``dim``; ``-inf`` excludes a
            category.
        tau: the temperature :math:`\tau`, a finite number > 0.
        hard: if ``True``, return the one-hot vector of ``argmax(y)`` (an exact categorical
            sample) whose gradient is the relaxed sample's (straight-through Gumbel-softmax).
        dim: the axis of the categories.
        generator: optional :class:`torch.Generator`, for reproducible samples.

    Returns:
        ``(*)``, the shape of ``logits``: the relaxed sample (non-negative, sums to 1 along
        ``dim``), or with ``hard=True`` a one-hot sample.

    Example:
        >>> g = torch.Generator().manual_seed(0)
        >>> gumbel_softmax(torch.zeros(3), tau=0.5, hard=True, generator=g).sum()
        tensor(1.)
    """
    logits = check_tensor(logits, "logits", min_dim=1, floating=True)
    dim = check_dim(dim, logits)
    _check_logits(logits, dim=dim)
    tau = check_scalar(tau, "tau", positive=True)
    if not isinstance(hard, bool):
        raise TypeError(f"hard must be a bool, got {describe(hard)}")
    generator = _check_generator(generator)
    return _gumbel_softmax(logits, tau, hard, dim, generator=generator)


def _gumbel_softmax(
    logits: torch.Tensor, tau: float, hard: bool, dim: int = -1, *, generator=None
) -> torch.Tensor:
    """The kernel of :func:`gumbel_softmax` (arguments already checked)."""
    # Drawn on the CPU generator and moved: the same seed gives the same draws on every device.
    g = _sample_gumbel(logits.shape, generator=generator, dtype=logits.dtype).to(logits.device)
    y = _softmax(logits + g, dim, tau)  # (*), sums to 1 along dim
    if not hard:
        return y
    # argmax(y) = argmax(logits + g): an exact categorical sample (the Gumbel-max trick).
    return _straight_through(_argmax_one_hot(y.detach(), dim), y)
