r"""Gradient-based attributions through Captum, and the completeness check of IG (chapter 9).

For a model :math:`f` and the logit :math:`f_c` of class :math:`c`:

- **gradient saliency** (Simonyan et al., 2014): :math:`|\partial f_c / \partial x_i|`;
- **input × gradient**: :math:`x_i\, \partial f_c / \partial x_i`;
- **Integrated Gradients** (Sundararajan, Taly and Yan, 2017), from a baseline :math:`x'`:

  .. math::
      \mathrm{IG}_i(x) = (x_i - x'_i) \int_0^1
      \frac{\partial f_c\big(x' + t (x - x')\big)}{\partial x_i}\, dt ,

  which satisfies *completeness*: :math:`\sum_i \mathrm{IG}_i(x) = f_c(x) - f_c(x')`. The
  integral is approximated by a quadrature, so the check measures how good that is.

All three are Captum's (Kokhlikyan et al., 2020): a maintained library, not hand-written code.
Shape legend: ``B`` inputs, ``*`` an input's shape, ``K`` classes, ``g`` patches per side.
"""

from __future__ import annotations

import torch
from captum.attr import InputXGradient, IntegratedGradients, Saliency
from torch import nn

from attnlib.validation import check_int, check_tensor, describe

__all__ = [
    "completeness_gap",
    "gradient_saliency",
    "input_x_gradient",
    "integrated_gradients",
    "pool_patches",
]


def _check(model: object, x: object, target: object) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {describe(model)}")
    x = check_tensor(x, "x", min_dim=2, floating=True, finite=True)
    target = check_tensor(target, "target", ndim=1)
    if target.dtype != torch.long or len(target) != len(x):
        raise ValueError(
            f"target must be int64 class indices, one per input ({len(x)}), got {describe(target)}"
        )
    model.eval()
    # A fresh leaf that requires gradients (Captum warns when it has to set that itself).
    return x.detach().clone().requires_grad_(True), target


def gradient_saliency(model: nn.Module, x: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    r"""Gradient saliency :math:`|\partial f_c(x) / \partial x|` (Captum's ``Saliency``).

    Args:
        model: maps ``(B, *)`` to logits ``(B, K)``.
        x: ``(B, *)`` inputs.
        target: ``(B,)`` int64, the class :math:`c` of each input.

    Returns:
        ``(B, *)`` non-negative.

    Example:
        >>> model = nn.Linear(3, 2)
        >>> gradient_saliency(model, torch.randn(4, 3), torch.zeros(4, dtype=torch.long)).shape
        torch.Size([4, 3])
    """
    x, target = _check(model, x, target)
    return Saliency(model).attribute(x, target=target, abs=True).detach()


def input_x_gradient(model: nn.Module, x: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    r"""Input × gradient :math:`x \odot \partial f_c(x) / \partial x` (Captum's ``InputXGradient``).

    Arguments and shapes as in :func:`gradient_saliency`; the result is signed.

    Example:
        >>> model = nn.Linear(2, 1, bias=False)
        >>> with torch.no_grad():
        ...     _ = model.weight.copy_(torch.tensor([[2.0, -1.0]]))
        >>> input_x_gradient(model, torch.tensor([[1.0, 3.0]]), torch.tensor([0]))
        tensor([[ 2., -3.]])
    """
    x, target = _check(model, x, target)
    return InputXGradient(model).attribute(x, target=target).detach()


def integrated_gradients(
    model: nn.Module,
    x: torch.Tensor,
    target: torch.Tensor,
    *,
    baseline: float | torch.Tensor = 0.0,
    steps: int = 32,
    internal_batch_size: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Integrated Gradients (Sundararajan et al., 2017) by Captum, with its completeness gap.

    .. math::
        \mathrm{IG}_i(x) = (x_i - x'_i) \int_0^1
        \frac{\partial f_c(x' + t(x - x'))}{\partial x_i}\, dt

    Args:
        model: maps ``(B, *)`` to logits ``(B, K)``.
        x: ``(B, *)`` inputs.
        target: ``(B,)`` int64 classes.
        baseline: :math:`x'`, a number or a tensor broadcastable to ``x`` (e.g. the blank
            background).
        steps: quadrature points (Captum's Gauss–Legendre rule).
        internal_batch_size: how many of the ``B * steps`` points go through the model at once.

    Returns:
        ``(attributions (B, *), gap (B,))`` where ``gap`` is Captum's convergence delta,
        :math:`\sum_i \mathrm{IG}_i - (f_c(x) - f_c(x'))`: zero for an exact integral.

    Example:
        >>> model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))
        >>> attributions, gap = integrated_gradients(model, torch.randn(2, 3), torch.tensor([0, 1]))
        >>> attributions.shape, bool(gap.abs().max() < 1e-3)
        (torch.Size([2, 3]), True)
    """
    x, target = _check(model, x, target)
    steps = check_int(steps, "steps", minimum=2)
    baseline = torch.as_tensor(baseline, dtype=x.dtype).expand_as(x).contiguous()
    attributions, delta = IntegratedGradients(model).attribute(
        x,
        baselines=baseline,
        target=target,
        n_steps=steps,
        internal_batch_size=internal_batch_size,
        return_convergence_delta=True,
    )
    return attributions.detach(), delta.detach()


@torch.no_grad()
def completeness_gap(
    model: nn.Module,
    x: torch.Tensor,
    target: torch.Tensor,
    attributions: torch.Tensor,
    *,
    baseline: float | torch.Tensor = 0.0,
) -> torch.Tensor:
    r"""How far attributions are from completeness: :math:`\sum_i a_i - (f_c(x) - f_c(x'))`.

    Computed here from the model's own outputs, independently of Captum's delta.

    Args:
        model, x, target: as in :func:`integrated_gradients`.
        attributions: ``(B, *)``, e.g. from :func:`integrated_gradients`.
        baseline: :math:`x'`.

    Returns:
        ``(B,)`` signed gaps.

    Example:
        >>> model = nn.Linear(3, 2)
        >>> x, t = torch.randn(4, 3), torch.zeros(4, dtype=torch.long)
        >>> ig, _ = integrated_gradients(model, x, t)
        >>> bool(completeness_gap(model, x, t, ig).abs().max() < 1e-5)
        True
    """
    x, target = _check(model, x, target)
    x = x.detach()
    attributions = check_tensor(attributions, "attributions", floating=True)
    if attributions.shape != x.shape:
        raise ValueError(
            f"attributions must have the shape of x {tuple(x.shape)}, got shape "
            f"{tuple(attributions.shape)}"
        )
    baseline = torch.as_tensor(baseline, dtype=x.dtype).expand_as(x)
    rows = torch.arange(len(x))
    difference = model(x)[rows, target] - model(baseline)[rows, target]  # (B,)
    return attributions.flatten(1).sum(1) - difference


def pool_patches(maps: torch.Tensor, patch_size: int, *, absolute: bool = True) -> torch.Tensor:
    """Sum a pixel map over each ``P x P`` patch: ``(B, [1,] S, S)`` -> ``(B, g, g)``.

    A ViT's tokens are patches; pooling pixel attributions to patches lets them be compared
    with attention maps at the model's own resolution. With ``absolute``, magnitudes are
    summed (a signed sum would let positive and negative evidence cancel).

    Example:
        >>> pool_patches(torch.ones(1, 4, 4), 2)
        tensor([[[4., 4.],
                 [4., 4.]]])
    """
    maps = check_tensor(maps, "maps", floating=True)
    if maps.dim() == 4 and maps.shape[1] == 1:
        maps = maps.squeeze(1)
    if maps.dim() != 3 or maps.shape[1] != maps.shape[2]:
        raise ValueError(f"maps must have shape (B, S, S) or (B, 1, S, S), got {tuple(maps.shape)}")
    patch_size = check_int(patch_size, "patch_size", minimum=1)
    if maps.shape[1] % patch_size:
        raise ValueError(f"patch_size must divide {maps.shape[1]}, got {patch_size}")
    if absolute:
        maps = maps.abs()
    pooled = nn.functional.avg_pool2d(maps.unsqueeze(1), patch_size) * patch_size**2
    return pooled.squeeze(1)  # (B, 1, g, g) -> (B, g, g)
