"""Softmax: the stable form, with temperature and a mask (chapter 2).

The naive ``exp(x) / exp(x).sum()`` overflows in float32 once an entry exceeds about 88.7
(``log(torch.finfo(torch.float32).max)``). Softmax is shift-invariant,
``softmax(x + c) == softmax(x)``, so subtracting the maximum first changes nothing
mathematically and keeps every exponent ``<= 0``.
"""

from __future__ import annotations

import torch

from attnlib.validation import check_dim, check_mask, check_scalar, check_tensor

__all__ = ["softmax", "softmax_jacobian"]


def softmax(
    x: torch.Tensor,
    dim: int = -1,
    *,
    temperature: float = 1.0,
    mask: torch.Tensor | None = None,
) -> torch.Tensor:
    r"""Numerically stable softmax along one axis, with temperature and a mask.

    .. math::
        \alpha_i = \frac{m_i \exp((x_i - \max_j x_j) / \tau)}
                        {\sum_j m_j \exp((x_j - \max_j x_j) / \tau)}

    where the maximum runs over the unmasked entries. Derived in chapter 2.

    Args:
        x: scores, any shape ``(*)``, floating point.
        dim: the axis to normalise over (the attended axis: keys, positions, classes).
        temperature: :math:`\tau`, a finite number > 0. :math:`\tau \to 0` approaches a
            one-hot argmax, :math:`\tau \to \infty` approaches the uniform distribution.
        mask: optional boolean tensor broadcastable to ``x``; ``True`` means "may be
            attended". A slice in which every entry is masked gives all zeros (never NaN,
            never uniform).

    Returns:
        A tensor of the shape of ``x`` whose slices along ``dim`` are non-negative and sum
        to 1 (or are all zero where fully masked). ``x`` is not modified.

    Example:
        >>> softmax(torch.tensor([1000.0, 1000.0]))
        tensor([0.5000, 0.5000])
    """
    x = check_tensor(x, "x", floating=True)
    dim = check_dim(dim, x)
    temperature = check_scalar(temperature, "temperature", positive=True)
    mask = check_mask(mask, x.shape)
    return _softmax(x, dim, temperature, mask)


def _softmax(
    x: torch.Tensor, dim: int, temperature: float = 1.0, mask: torch.Tensor | None = None
) -> torch.Tensor:
    """The kernel of :func:`softmax`, for arguments already checked (library internals call it).

    Fast path: the mask becomes an additive bias (0 where attended, ``-inf`` where masked) and
    torch's fused softmax does the rest, the same arithmetic as ``torch.softmax(x.masked_fill(~mask,
    -inf), dim)`` at a fraction of the cost (a boolean ``masked_fill`` is slow on the CPU). A
    fully masked slice gets the bias 0, so that no NaN appears (not even in the gradient), and
    its weights are multiplied by 0. Any slice that still comes out NaN (a NaN or ±inf score,
    which the bias cannot mask, or every score ``-inf``) sends the whole call to the reference
    formula below; NaN in a slice shows in its first entry, so the test is cheap.
    """
    scores = x if temperature == 1.0 else x / temperature
    kept = None
    if mask is not None:
        keep = mask.to(scores.dtype)  # (*), 1 = may be attended, 0 = masked
        axis = dim - x.dim() if dim >= 0 else dim  # counted from the end: fits a shorter mask
        kept = keep.amax(dim=axis, keepdim=True) if keep.dim() >= -axis else keep
        if bool((kept == 0).any()):  # some slice is fully masked: give it bias 0, weight 0
            keep = keep + (1 - kept)  # not in place: kept may be keep itself
        else:
            kept = None
        # 1 - 1/keep is 0 where keep = 1 and -inf where keep = 0, exactly (log(keep) gives the
        # same numbers but takes ten times as long on zeros).
        scores = scores + keep.reciprocal_().neg_().add_(1)  # masked scores -> -inf
    if scores.numel() == 0:
        return torch.softmax(scores, dim=dim)
    weights = torch.softmax(scores, dim=dim)
    if bool(weights.narrow(dim, 0, 1).isnan().any()):
        return _softmax_reference(x, dim, temperature, mask)
    return weights if kept is None else weights * kept


def _softmax_reference(
    x: torch.Tensor, dim: int, temperature: float, mask: torch.Tensor | None
) -> torch.Tensor:
    """The textbook stable formula of chapter 2; handles every non-finite case (slower)."""
    scores = x / temperature
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    # The max over a fully masked slice is -inf; replace it by 0 so that the subtraction
    # below gives -inf (exp -> 0) rather than -inf - (-inf) = NaN.
    shift = scores.amax(dim=dim, keepdim=True).detach()
    shift = torch.where(torch.isfinite(shift), shift, torch.zeros_like(shift))
    exp = torch.exp(scores - shift)
    total = exp.sum(dim=dim, keepdim=True)
    # A fully masked slice has total 0: divide by 1 instead, so its weights stay 0.
    return exp / torch.where(total > 0, total, torch.ones_like(total))


def softmax_jacobian(alpha: torch.Tensor) -> torch.Tensor:
    r"""The Jacobian of softmax at its output, :math:`J = \mathrm{diag}(\alpha) - \alpha\alpha^\top`

    Derived in chapter 2:
    :math:`\partial \alpha_i / \partial x_j = \alpha_i(\delta_{ij} - \alpha_j)`
    (for temperature 1).

    Args:
        alpha: softmax weights, shape ``(*, n)``.

    Returns:
        ``(*, n, n)`` with ``J[..., i, j] = d alpha_i / d x_j``.
    """
    alpha = check_tensor(alpha, "alpha", min_dim=1, floating=True)
    return torch.diag_embed(alpha) - alpha.unsqueeze(-1) * alpha.unsqueeze(-2)  # (*, n, n)
