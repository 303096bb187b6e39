r"""Counterfactual attention: change the weights, see whether the prediction changes (ch. 9).

Jain and Wallace (2019) asked whether *other* attention weights would give the same output.
For a model whose output is a function :math:`\hat y(\alpha)` of its attention weights, they

- **permute** the weights over the positions (:func:`permute_weights`),
- replace them by **uniform** weights (:func:`uniform_weights`), and
- search for **adversarial** weights :math:`\tilde\alpha` as far as possible from
  :math:`\alpha` in Jensen–Shannon divergence while the output stays within a total-variation
  distance :math:`\varepsilon` (:func:`adversarial_weights`),

and measure the output's change by the total variation distance (TVD)

.. math::
    \mathrm{TVD}(p, q) = \tfrac12 \sum_k |p_k - q_k|, \qquad
    \mathrm{JSD}(p, q) = \tfrac12 \mathrm{KL}(p \,\|\, m) + \tfrac12 \mathrm{KL}(q \,\|\, m),
    \quad m = \tfrac12 (p + q),

with natural logarithms, so :math:`0 \le \mathrm{JSD} \le \log 2` and
:math:`0 \le \mathrm{TVD} \le 1`.

Shape legend: ``B`` examples, ``S`` attended positions, ``K`` classes.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from attnlib.analysis.statistics import check_distributions
from attnlib.validation import check_int, check_scalar, check_tensor, describe

__all__ = [
    "adversarial_weights",
    "js_divergence",
    "permute_weights",
    "total_variation",
    "uniform_weights",
]


def _check_pair(
    p: torch.Tensor, q: torch.Tensor, names: tuple[str, str]
) -> tuple[torch.Tensor, torch.Tensor]:
    p = check_distributions(p, names[0])
    q = check_distributions(q, names[1])
    if p.shape != q.shape:
        raise ValueError(
            f"{names[1]} must have the shape of {names[0]} {tuple(p.shape)}, got {tuple(q.shape)}"
        )
    return p, q


def _jsd(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    m = 0.5 * (p + q)
    kl_pm = torch.special.xlogy(p, p).sum(-1) - torch.special.xlogy(p, m).sum(-1)
    kl_qm = torch.special.xlogy(q, q).sum(-1) - torch.special.xlogy(q, m).sum(-1)
    return (0.5 * kl_pm + 0.5 * kl_qm).clamp_min(0.0)


def _tvd(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    return 0.5 * (p - q).abs().sum(-1)


def js_divergence(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    r"""Jensen–Shannon divergence in nats along the last axis, in ``[0, log 2]``.

    .. math:: \mathrm{JSD}(p, q) = \tfrac12 \mathrm{KL}(p \| m) + \tfrac12 \mathrm{KL}(q \| m),
        \quad m = \tfrac12(p + q)

    Args:
        p, q: ``(*, S)`` distributions.

    Returns:
        ``(*)``.

    Example:
        >>> js_divergence(torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0]))  # log 2
        tensor(0.6931)
    """
    p, q = _check_pair(p, q, ("p", "q"))
    return _jsd(p, q)


def total_variation(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    r"""Total variation distance :math:`\tfrac12 \sum_k |p_k - q_k|` along the last axis, in [0, 1].

    Args:
        p, q: ``(*, K)`` distributions (e.g. two softmax outputs of a classifier).

    Returns:
        ``(*)``.

    Example:
        >>> total_variation(torch.tensor([0.7, 0.3]), torch.tensor([0.4, 0.6]))
        tensor(0.3000)
    """
    p, q = _check_pair(p, q, ("p", "q"))
    return _tvd(p, q)


def permute_weights(
    weights: torch.Tensor,
    *,
    mask: torch.Tensor | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Each row's weights shuffled over its positions (over its unmasked positions with a mask).

    Args:
        weights: ``(B, S)`` distributions.
        mask: optional ``(B, S)`` bool, True = may be attended; masked positions keep weight 0.
        generator: for a reproducible shuffle.

    Returns:
        ``(B, S)``: the same multiset of weights in each row, in a random order.

    Example:
        >>> w = torch.tensor([[0.7, 0.2, 0.1]])
        >>> permute_weights(w, generator=torch.Generator().manual_seed(0)).sort().values
        tensor([[0.1000, 0.2000, 0.7000]])
    """
    weights = check_distributions(check_tensor(weights, "weights", ndim=2), "weights")
    if mask is None:
        mask = torch.ones_like(weights, dtype=torch.bool)
    mask = check_tensor(mask, "mask", ndim=2)
    if mask.dtype != torch.bool or mask.shape != weights.shape:
        raise ValueError(
            f"mask must be a bool tensor of the shape of weights {tuple(weights.shape)}, got "
            f"{describe(mask)}"
        )
    out = torch.zeros_like(weights)
    for b in range(len(weights)):
        valid = torch.nonzero(mask[b]).flatten()  # (S_valid,)
        shuffled = valid[torch.randperm(len(valid), generator=generator)]
        out[b, shuffled] = weights[b, valid]
    return out


def uniform_weights(weights: torch.Tensor, *, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Uniform weights ``1 / S_valid`` on every unmasked position, of the shape of ``weights``.

    Example:
        >>> uniform_weights(torch.tensor([[0.7, 0.2, 0.1, 0.0]]),
        ...                 mask=torch.tensor([[True, True, False, False]]))
        tensor([[0.5000, 0.5000, 0.0000, 0.0000]])
    """
    weights = check_tensor(weights, "weights", ndim=2, floating=True)
    if mask is None:
        return torch.full_like(weights, 1.0 / weights.shape[1])
    mask = check_tensor(mask, "mask", ndim=2)
    if mask.dtype != torch.bool or mask.shape != weights.shape:
        raise ValueError(
            f"mask must be a bool tensor of the shape of weights {tuple(weights.shape)}, got "
            f"{describe(mask)}"
        )
    m = mask.to(weights.dtype)
    return m / m.sum(-1, keepdim=True).clamp_min(1.0)


def adversarial_weights(
    weights: torch.Tensor,
    output: Callable[[torch.Tensor], torch.Tensor],
    *,
    epsilon: float = 0.01,
    steps: int = 200,
    lr: float = 0.1,
    penalty: float = 100.0,
    init_noise: float = 1.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Weights far from ``weights`` (in JSD) whose output stays within ``epsilon`` TVD.

    Jain and Wallace's (2019) adversarial attention, solved by gradient ascent on

    .. math::
        \max_{\tilde\alpha = \mathrm{softmax}(s)} \;
        \mathrm{JSD}(\tilde\alpha, \alpha)
        - \lambda \max\!\big(0,\
        \mathrm{TVD}(\hat y(\tilde\alpha), \hat y(\alpha)) - \varepsilon\big)

    with Adam over the logits :math:`s`, started at :math:`\log \alpha` plus noise.
    Of all the iterates, each example keeps the one with the largest JSD among those within
    ``epsilon``; if none was, the original weights (JSD 0).

    Args:
        weights: ``(B, S)`` the model's attention weights :math:`\alpha`, positive.
        output: maps ``(B, S)`` weights to ``(B, K)`` output probabilities
            :math:`\hat y(\alpha)` (the rest of the model, with everything else fixed).
        epsilon: the largest allowed TVD of the output.
        steps, lr: the optimiser's.
        penalty: :math:`\lambda`.
        init_noise: the standard deviation of the Gaussian noise added to :math:`\log\alpha`
            at the start (the JSD's gradient is zero at :math:`\tilde\alpha = \alpha`).
        generator: seeds the starting noise.

    Returns:
        ``(B, S)`` adversarial weights, each row a distribution.

    Example:
        >>> w = torch.full((1, 4), 0.25)
        >>> v = torch.tensor([1.0, 1.0, 2.0, 2.0])
        >>> out = lambda a: torch.stack([a @ v / 2, 1 - a @ v / 2], dim=-1)
        >>> adv = adversarial_weights(w, out, steps=100, generator=torch.Generator().manual_seed(0))
        >>> bool(js_divergence(adv, w) > 0.1), bool(total_variation(out(adv), out(w)) <= 0.01)
        (True, True)
    """
    weights = check_distributions(check_tensor(weights, "weights", ndim=2), "weights")
    if not callable(output):
        raise TypeError(f"output must be callable, got {describe(output)}")
    epsilon = check_scalar(epsilon, "epsilon", nonnegative=True)
    steps = check_int(steps, "steps", minimum=1)
    lr = check_scalar(lr, "lr", positive=True)
    penalty = check_scalar(penalty, "penalty", nonnegative=True)
    init_noise = check_scalar(init_noise, "init_noise", nonnegative=True)

    alpha = weights.detach()
    with torch.no_grad():
        target = output(alpha)  # (B, K)
    noise = torch.randn(alpha.shape, generator=generator)
    logits = (alpha.clamp_min(1e-12).log() + init_noise * noise).requires_grad_(True)
    optimiser = torch.optim.Adam([logits], lr=lr)
    best, best_jsd = alpha.clone(), torch.zeros(len(alpha))
    for _ in range(steps):
        candidate = torch.softmax(logits, dim=-1)  # (B, S)
        jsd = _jsd(candidate, alpha)  # (B,)
        tvd = _tvd(output(candidate), target)  # (B,)
        with torch.no_grad():
            better = (tvd <= epsilon) & (jsd > best_jsd)
            best[better] = candidate[better]
            best_jsd[better] = jsd[better]
        loss = (-jsd + penalty * (tvd - epsilon).clamp_min(0.0)).sum()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return best.detach()
