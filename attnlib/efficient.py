r"""Efficient attention: exact attention without the n×n matrix, and approximations (chapter 10).

Softmax attention over ``L`` queries and ``S`` keys costs :math:`LSE + LSE_v` multiply–adds
and, computed naively, an ``L × S`` weight matrix per head. This module computes the *same*
result block by block:

- :func:`online_softmax` normalises in one pass over chunks with a running maximum ``m`` and
  a running sum ``l`` (Milakov and Gimelshein, 2018). Merging a new chunk with maximum
  :math:`m'` rescales the old sum: :math:`l \leftarrow l\, e^{m - \max(m, m')} +
  \sum_j e^{x_j - \max(m, m')}`.
- :func:`chunked_attention` computes attention block by block (Rabe and Staats, 2021; the
  tiling of FlashAttention, Dao et al., 2022). Its forward pass shifts each row of scores by
  an upper bound known in advance (Cauchy–Schwarz) instead of a running maximum, so nothing
  needs rescaling; rows where that bound is too loose are recomputed with the online rule.
  Its backward pass recomputes each block of weights from the saved log-sum-exp instead of
  storing them, so neither pass holds more than one ``query_chunk_size × key_chunk_size``
  block. Causal and sliding-window masks skip the blocks they mask entirely.
- :func:`linear_attention` replaces :math:`\exp(q^\top k)` by :math:`\phi(q)^\top\phi(k)`
  (Katharopoulos et al., 2020): an approximation that costs :math:`O(n)`.
- :class:`KVCache` keeps the keys and values of a decoded prefix so that each new token
  costs one row of attention, not a whole recomputation.

Shape legend: ``L`` queries, ``S`` keys/values, ``E`` query/key size, ``Ev`` value size,
``*`` leading (batch, head) dimensions that broadcast.
"""

from __future__ import annotations

import math
from typing import Literal

import torch
import torch.nn.functional as F

from attnlib.validation import (
    check_dim,
    check_int,
    check_mask,
    check_query_key_value,
    check_scalar,
    check_tensor,
    describe,
)

__all__ = [
    "KVCache",
    "chunked_attention",
    "elu_feature_map",
    "linear_attention",
    "online_softmax",
]

#: Default block sizes of :func:`chunked_attention`, checked by the chunk-size sweep of
#: ``benchmarks/efficient_attention.py`` (chapter 10): blocks this large keep the matrix
#: products efficient, and a block of 512 × 2048 float32 scores is 4 MiB.
QUERY_CHUNK_SIZE = 512
KEY_CHUNK_SIZE = 2048


def online_softmax(x: torch.Tensor, dim: int = -1, *, chunk_size: int = 1024) -> torch.Tensor:
    r"""Softmax whose normaliser is computed in one pass over chunks (Milakov and Gimelshein, 2018).

    .. math::
        m^{(t)} = \max(m^{(t-1)}, \max_{j \in C_t} x_j), \qquad
        l^{(t)} = l^{(t-1)} e^{m^{(t-1)} - m^{(t)}} + \sum_{j \in C_t} e^{x_j - m^{(t)}}, \qquad
        \alpha_i = e^{x_i - m} / l

    over chunks :math:`C_1, C_2, \dots` of ``chunk_size`` entries along ``dim``. Equal to
    :func:`attnlib.softmax` (and to :func:`torch.softmax` wherever a slice has a finite
    entry): very large scores do not overflow, ``-inf`` entries get weight 0, and a slice of
    only ``-inf`` gives all zeros. Derived in chapter 10.

    Args:
        x: scores, any shape ``(*)``, floating point.
        dim: the axis to normalise over.
        chunk_size: entries per chunk along ``dim``, an int >= 1 (it need not divide the
            size of ``dim``).

    Returns:
        A tensor of the shape of ``x``; its slices along ``dim`` sum to 1 (or are all zero).

    Example:
        >>> online_softmax(torch.tensor([1000.0, 1000.0, float("-inf")]), chunk_size=2)
        tensor([0.5000, 0.5000, 0.0000])
    """
    x = check_tensor(x, "x", floating=True)
    dim = check_dim(dim, x)
    chunk_size = check_int(chunk_size, "chunk_size", minimum=1)
    return _online_softmax(x, dim, chunk_size)


def _finite_or_zero(m: torch.Tensor) -> torch.Tensor:
    """``m`` with its -inf entries (slices with nothing to attend yet) replaced by 0."""
    return torch.where(torch.isfinite(m), m, torch.zeros_like(m))


def _online_softmax(x: torch.Tensor, dim: int, chunk_size: int) -> torch.Tensor:
    if x.dim() == 0:
        return torch.ones_like(x)
    shape = list(x.shape)
    shape[dim] = 1
    m = x.new_full(shape, float("-inf"))  # running maximum, (*, 1, *)
    total = x.new_zeros(shape)  # running sum of exp(x - m)
    for chunk in x.split(chunk_size, dim=dim):  # the one pass over the data
        m_new = torch.maximum(m, chunk.amax(dim=dim, keepdim=True))
        shift = _finite_or_zero(m_new)
        # The old sum was taken relative to m; rescale it to m_new (exp(-inf) = 0 at the start).
        total = total * torch.exp(m - shift) + torch.exp(chunk - shift).sum(dim=dim, keepdim=True)
        m = m_new
    weights = torch.exp(x - _finite_or_zero(m))
    return weights / torch.where(total > 0, total, torch.ones_like(total))


def _block_mask(
    mask: torch.Tensor | None,
    is_causal: bool,
    window_size: int | None,
    rows: tuple[int, int],
    cols: tuple[int, int],
    device: torch.device,
) -> torch.Tensor | Literal[False] | None:
    """The allowed entries of the block ``rows × cols``: None if all, False if none, else bool.

    Query ``i`` may attend key ``j`` when ``mask[..., i, j]`` is True, when ``j <= i`` (causal,
    aligned top-left like ``F.scaled_dot_product_attention``) and when ``|i - j| <
    window_size``.
    """
    (i0, i1), (j0, j1) = rows, cols
    if is_causal and j0 > i1 - 1:
        return False  # every key of the block lies after every query
    if window_size is not None and (j0 - (i1 - 1) >= window_size or i0 - (j1 - 1) >= window_size):
        return False  # every key of the block lies outside every query's window
    partial_causal = is_causal and j1 - 1 > i0
    partial_window = window_size is not None and (
        (i1 - 1) - j0 >= window_size or (j1 - 1) - i0 >= window_size
    )
    allowed = None if mask is None else mask[:, i0:i1, j0:j1]  # (B or 1, lq, lk)
    if partial_causal or partial_window:
        i = torch.arange(i0, i1, device=device).unsqueeze(-1)  # (lq, 1)
        j = torch.arange(j0, j1, device=device)  # (lk,)
        structure = torch.ones(i1 - i0, j1 - j0, dtype=torch.bool, device=device)  # (lq, lk)
        if partial_causal:
            structure &= j <= i
        if partial_window and window_size is not None:
            structure &= (i - j).abs() < window_size
        allowed = structure if allowed is None else allowed & structure
    return allowed


#: A row whose shifted sum of weights falls below this is recomputed with a running maximum.
#: Above it, the largest weight is at least e^-40 / S, so the weights that underflowed to 0
#: (each below e^-87) change the result by less than float32 rounding.
_SMALLEST_SHIFTED_SUM = math.exp(-40.0)


def _score_bound(q: torch.Tensor, k: torch.Tensor, scale: float) -> torch.Tensor:
    r"""Per-row upper bounds ``c (B, L, 1)`` on the scores: ``c_i >= scale · q_i·k_j`` for all j.

    By Cauchy–Schwarz, :math:`|s\,q_i^\top k_j| \le |s|\,\lVert q_i\rVert \max_j \lVert
    k_j\rVert`. Known before any score is computed, so the pass needs no running maximum.
    """
    k_norm = k.norm(dim=-1).amax(dim=-1).view(-1, 1, 1)  # (B, 1, 1)
    return abs(scale) * q.norm(dim=-1, keepdim=True) * k_norm  # (B, L, 1)


def _chunked_forward(q, k, v, mask, is_causal, window_size, scale, qc, kc):
    r"""Output ``(B, L, Ev)`` and log-sum-exp ``(B, L, 1)`` of attention, block by block.

    ``q (B, L, E)``, ``k (B, S, E)``, ``v (B, S, Ev)``, ``mask (B or 1, L, S)`` or None.

    Softmax is unchanged when every score of a row is shifted by the same number, and the
    running maximum is only one choice of shift. This pass uses the bound of
    :func:`_score_bound` instead, which is known before the first block: then no weight
    exceeds 1, and there is nothing to rescale. Each block costs one matrix product for the
    shifted scores (the shift rides along as an extra column of the queries), one ``exp``,
    and one matrix product for :math:`\sum_j p_j [v_j, 1]` (the row sums ride along as a
    column of ones in the values). Where the bound is loose enough that a row's weights
    underflow, or a row has nothing to attend, that query block is recomputed with the
    running maximum (:func:`_online_query_block`), for the batch items that hold such a row.
    """
    B, L, _ = q.shape
    S, Ev = v.shape[-2], v.shape[-1]
    out = q.new_empty(B, L, Ev)
    lse = q.new_empty(B, L, 1)
    bound = _score_bound(q, k, scale)  # (B, L, 1)
    starts = range(0, S, kc)
    # Per key block, its halves [k_j, 1] transposed (2B, E + 1, lk/2) and [v_j, 1]
    # (2B, lk/2, Ev + 1): one batched product then computes a block as two independent
    # products, which the threads can share out whole. O(S·E) numbers in all.
    kt_aug, v_aug = [], []
    for j0 in starts:
        k_blk, v_blk = k[:, j0 : j0 + kc], v[:, j0 : j0 + kc]  # (B, lk, E), (B, lk, Ev)
        ones = k.new_ones(B, k_blk.shape[1], 1)
        halves = _halves(k_blk.shape[1])
        k_blk = torch.cat([k_blk, ones], -1).view(B, halves, -1, k_blk.shape[-1] + 1)
        kt_aug.append(k_blk.mT.reshape(B * halves, -1, k_blk.shape[-2]))
        v_aug.append(torch.cat([v_blk, ones], -1).view(B * halves, -1, Ev + 1))
    scores = q.new_empty(B * min(qc, L) * min(kc, S))  # one reused block buffer
    for i0 in range(0, L, qc):
        i1 = min(i0 + qc, L)
        lq = i1 - i0
        # [scale·q_i, -c_i] · [k_j, 1] = s_ij - c_i <= 0: the shift costs one column.
        q_aug = torch.cat([q[:, i0:i1] * scale, -bound[:, i0:i1]], dim=-1)  # (B, lq, E + 1)
        q_aug2 = q_aug.unsqueeze(1).expand(B, 2, lq, -1).reshape(2 * B, lq, -1)
        acc = q.new_zeros(B, 2, lq, Ev + 1)  # [sum_j p_j v_j, sum_j p_j], per half
        for block, j0 in enumerate(starts):
            j1 = min(j0 + kc, S)
            allowed = _block_mask(mask, is_causal, window_size, (i0, i1), (j0, j1), q.device)
            if allowed is False:
                continue  # a skipped block: no product, no exp
            halves = _halves(j1 - j0)
            s = scores[: B * lq * (j1 - j0)].view(B * halves, lq, -1)
            torch.bmm(q_aug2 if halves == 2 else q_aug, kt_aug[block], out=s)  # s - c
            if allowed is not None:
                hidden = ~allowed.view(-1, lq, halves, s.shape[-1]).transpose(1, 2)
                s.view(B, halves, lq, -1).masked_fill_(hidden, float("-inf"))
            s.exp_()  # p = exp(s - c) <= 1, in place: it cannot overflow
            # += (·, lq, lk/2) @ (·, lk/2, Ev + 1), each half into its own sum
            acc[:, :halves].view(B * halves, lq, Ev + 1).baddbmm_(s, v_aug[block])
        acc_sum = acc.sum(dim=1)  # (B, lq, Ev + 1)
        total = acc_sum[..., Ev:]  # (B, lq, 1)
        torch.div(acc_sum[..., :Ev], total, out=out[:, i0:i1])
        lse[:, i0:i1] = bound[:, i0:i1] + total.log()
        redo = ~(total >= _SMALLEST_SHIFTED_SUM)  # (B, lq, 1): underflowed, fully masked, NaN
        if redo.any():  # recompute those batch items' query block with the running maximum
            b = redo.any(dim=-1).any(dim=-1).nonzero().squeeze(-1)  # (B',) batch items
            b_mask = None if mask is None else mask[b] if mask.shape[0] == B else mask
            exact_out, exact_lse = _online_query_block(
                q[b], k[b], v[b], b_mask, is_causal, window_size, scale, (i0, i1), kc, scores
            )
            out[b, i0:i1] = torch.where(redo[b], exact_out, out[b, i0:i1])
            lse[b, i0:i1] = torch.where(redo[b], exact_lse, lse[b, i0:i1])
    return out, lse


def _halves(keys: int) -> int:
    """Into how many equal products a block of ``keys`` keys is split: 2, or 1 if odd."""
    return 2 if keys % 2 == 0 else 1


def _online_query_block(q, k, v, mask, is_causal, window_size, scale, rows, kc, scores):
    r"""Output ``(B, lq, Ev)`` and log-sum-exp ``(B, lq, 1)`` of the queries ``rows = (i0, i1)``.

    The online softmax over key blocks: a running row maximum ``m`` and running sums
    :math:`\sum_j p_j` and :math:`\sum_j p_j v_j`, rescaled by :math:`e^{m_\text{old} -
    m_\text{new}}` whenever the maximum grows. ``scores`` is a buffer of at least
    ``B · lq · kc`` elements.
    """
    B, S, Ev = v.shape
    i0, i1 = rows
    q_blk = q[:, i0:i1] * scale  # (B, lq, E)
    kt = k.transpose(-2, -1)  # (B, E, S)
    m = q.new_full((B, i1 - i0, 1), float("-inf"))  # running row maximum
    total = q.new_zeros(B, i1 - i0, 1)  # running sum_j p_j
    acc = q.new_zeros(B, i1 - i0, Ev)  # running sum_j p_j v_j
    for j0 in range(0, S, kc):
        j1 = min(j0 + kc, S)
        allowed = _block_mask(mask, is_causal, window_size, (i0, i1), (j0, j1), q.device)
        if allowed is False:
            continue
        s = scores[: B * (i1 - i0) * (j1 - j0)].view(B, i1 - i0, j1 - j0)
        torch.bmm(q_blk, kt[:, :, j0:j1], out=s)  # (B, lq, E) @ (B, E, lk) -> (B, lq, lk)
        if allowed is not None:
            s.masked_fill_(~allowed, float("-inf"))
        m_new = torch.maximum(m, s.amax(dim=-1, keepdim=True))  # (B, lq, 1)
        shift = _finite_or_zero(m_new)
        s.sub_(shift).exp_()  # p = exp(s - m_new), in place
        correction = torch.exp(m - shift)  # rescales the old sums to the new maximum
        total.mul_(correction).add_(s.sum(dim=-1, keepdim=True))
        acc.mul_(correction).baddbmm_(s, v[:, j0:j1])  # += (B, lq, lk) @ (B, lk, Ev)
        m = m_new
    # total is 0 only for a fully masked row, whose acc is 0 too: divide by 1 there.
    out = acc / torch.where(total > 0, total, 1.0)
    lse = torch.where(total > 0, m + total.log(), float("-inf"))
    return out, lse


def _chunked_backward(q, k, v, out, lse, grad_out, mask, is_causal, window_size, scale, qc, kc):
    """Gradients of chunked attention, recomputing each block of weights from ``lse``.

    With :math:`P = \\exp(S - \\mathrm{lse})`, :math:`dV = P^\\top dO`,
    :math:`dP = dO\\,V^\\top`, :math:`dS = P \\odot (dP - \\mathrm{rowsum}(dO \\odot O))`,
    :math:`dQ = \\mathrm{scale}\\, dS\\,K` and :math:`dK = \\mathrm{scale}\\, dS^\\top Q`.
    """
    B, L, _ = q.shape
    S = k.shape[-2]
    dq, dk, dv = torch.zeros_like(q), torch.zeros_like(k), torch.zeros_like(v)
    delta = (grad_out * out).sum(dim=-1, keepdim=True)  # (B, L, 1): rowsum(dO ⊙ O)
    # A fully masked row has lse = -inf and must get p = 0: subtract +inf there instead.
    lse = torch.where(torch.isfinite(lse), lse, float("inf"))
    kt = k.transpose(-2, -1)  # (B, E, S)
    for i0 in range(0, L, qc):
        i1 = min(i0 + qc, L)
        q_blk = q[:, i0:i1] * scale  # (B, lq, E)
        do_blk = grad_out[:, i0:i1]  # (B, lq, Ev)
        for j0 in range(0, S, kc):
            j1 = min(j0 + kc, S)
            allowed = _block_mask(mask, is_causal, window_size, (i0, i1), (j0, j1), q.device)
            if allowed is False:
                continue
            p = torch.bmm(q_blk, kt[:, :, j0:j1])  # (B, lq, lk) scores
            if allowed is not None:
                p.masked_fill_(~allowed, float("-inf"))
            p.sub_(lse[:, i0:i1]).exp_()  # the weights of this block, recomputed
            dv[:, j0:j1].baddbmm_(p.transpose(-2, -1), do_blk)  # (B, lk, lq) @ (B, lq, Ev)
            ds = torch.bmm(do_blk, v[:, j0:j1].transpose(-2, -1))  # dP: (B, lq, lk)
            ds.sub_(delta[:, i0:i1]).mul_(p)  # dS = P ⊙ (dP - delta)
            dq[:, i0:i1].baddbmm_(ds, k[:, j0:j1], alpha=scale)  # (B, lq, lk) @ (B, lk, E)
            dk[:, j0:j1].baddbmm_(ds.transpose(-2, -1), q_blk)  # (B, lk, lq) @ (B, lq, E)
    return dq, dk, dv


class _ChunkedAttention(torch.autograd.Function):
    """Chunked attention whose backward recomputes the weights block by block."""

    @staticmethod
    def forward(ctx, q, k, v, mask, is_causal, window_size, scale, qc, kc):
        out, lse = _chunked_forward(q, k, v, mask, is_causal, window_size, scale, qc, kc)
        ctx.save_for_backward(q, k, v, out, lse)  # O(n) tensors only: no n × n weights
        ctx.mask = mask
        ctx.options = (is_causal, window_size, scale, qc, kc)
        return out

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_out):
        q, k, v, out, lse = ctx.saved_tensors
        dq, dk, dv = _chunked_backward(
            q, k, v, out, lse, grad_out.contiguous(), ctx.mask, *ctx.options
        )
        return dq, dk, dv, None, None, None, None, None, None


def chunked_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    *,
    mask: torch.Tensor | None = None,
    is_causal: bool = False,
    window_size: int | None = None,
    scale: float | None = None,
    query_chunk_size: int = QUERY_CHUNK_SIZE,
    key_chunk_size: int = KEY_CHUNK_SIZE,
) -> torch.Tensor:
    r"""Exact scaled dot-product attention computed in blocks, never holding the L×S matrix.

    .. math::
        \mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(s\, QK^\top + \log M\right) V,
        \qquad s = 1/\sqrt{E} \text{ by default}

    For each block of ``query_chunk_size`` queries, the keys are visited in blocks of
    ``key_chunk_size``, accumulating :math:`\sum_j p_j v_j` and :math:`\sum_j p_j` (Rabe and
    Staats, 2021; Dao et al., 2022). The weights :math:`p_{ij} = e^{s_{ij} - c_i}` use a shift
    fixed before the pass, :math:`c_i = |s|\,\lVert q_i\rVert \max_j \lVert k_j\rVert \ge
    \max_j s_{ij}` (Cauchy–Schwarz), so no weight exceeds 1 and no sum needs rescaling (a
    shift chosen in advance, as in FlashDecoding++, Hong et al., 2023). A query block where
    some row's weights underflow (the bound exceeds that row's largest score by more than
    about 40) is recomputed, for the batch items that hold such a row, with the online-softmax
    update: a running row maximum :math:`m`, the sums rescaled by :math:`e^{m_\text{old} -
    m_\text{new}}` whenever it grows.
    The backward pass saves only the inputs, the output and each row's log-sum-exp, and
    recomputes every block of weights. Blocks that a causal or
    sliding-window mask hides completely are skipped. Equal to
    :func:`torch.nn.functional.scaled_dot_product_attention` (forward and gradients) up to
    rounding. Derived in chapter 10.

    Args:
        query: ``(*, L, E)``.
        key: ``(*, S, E)``.
        value: ``(*, S, Ev)``. The leading dimensions of the three broadcast.
        mask: optional boolean, broadcastable to ``(*, L, S)``; ``True`` = may be attended.
            A query with no key left gives a zero output (and zero gradients).
        is_causal: query ``i`` attends only keys ``j <= i`` (aligned top-left, as in
            ``F.scaled_dot_product_attention``).
        window_size: optional int >= 1: query ``i`` attends only keys with
            ``|i - j| < window_size`` (with ``is_causal``: ``0 <= i - j < window_size``).
        scale: the factor applied to the scores; ``1 / sqrt(E)`` if None.
        query_chunk_size: queries per block, an int >= 1 (it need not divide ``L``).
        key_chunk_size: keys per block, an int >= 1 (it need not divide ``S``).

    Returns:
        output ``(*, L, Ev)``.

    Example:
        >>> q, k, v = torch.randn(2, 5, 4), torch.randn(2, 7, 4), torch.randn(2, 7, 3)
        >>> out = chunked_attention(q, k, v, query_chunk_size=2, key_chunk_size=3)
        >>> torch.allclose(out, F.scaled_dot_product_attention(q, k, v), atol=1e-6)
        True
    """
    query, key, value = check_query_key_value(query, key, value)
    if not query.dtype == key.dtype == value.dtype:
        raise TypeError(
            "query, key and value must have one dtype, got "
            f"{query.dtype}, {key.dtype} and {value.dtype}"
        )
    try:
        batch = torch.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    except RuntimeError:
        raise ValueError(
            "query, key and value batch dimensions must broadcast, got shapes "
            f"{tuple(query.shape)}, {tuple(key.shape)} and {tuple(value.shape)}"
        ) from None
    L, S = query.shape[-2], key.shape[-2]
    for name, x in (("query", query), ("key", key)):
        if x.shape[-2] == 0 or x.shape[-1] == 0:
            raise ValueError(
                f"{name} must have at least one row and one column, got shape {tuple(x.shape)}"
            )
    mask = check_mask(mask, batch + (L, S))
    if not isinstance(is_causal, bool):
        raise TypeError(f"is_causal must be a bool, got {describe(is_causal)}")
    if window_size is not None:
        window_size = check_int(window_size, "window_size", minimum=1)
    scale = 1 / math.sqrt(query.shape[-1]) if scale is None else check_scalar(scale, "scale")
    query_chunk_size = check_int(query_chunk_size, "query_chunk_size", minimum=1)
    key_chunk_size = check_int(key_chunk_size, "key_chunk_size", minimum=1)
    return _chunked_attention(
        query, key, value, mask, is_causal, window_size, scale, query_chunk_size, key_chunk_size
    )


def _chunked_attention(query, key, value, mask, is_causal, window_size, scale, qc, kc):
    """Unchecked :func:`chunked_attention`: broadcast to ``(B, ·, ·)``, run, reshape back."""
    batch = torch.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    L, E = query.shape[-2:]
    S, Ev = value.shape[-2:]

    def flat(x: torch.Tensor, rows: int, cols: int) -> torch.Tensor:
        return x.expand(batch + (rows, cols)).reshape(-1, rows, cols).contiguous()

    q, k, v = flat(query, L, E), flat(key, S, E), flat(value, S, Ev)  # (B, ·, ·)
    if mask is not None:
        mask = mask.reshape((1,) * (len(batch) + 2 - mask.dim()) + tuple(mask.shape))
        if all(size == 1 for size in mask.shape[:-2]):
            mask = mask.reshape(1, *mask.shape[-2:]).expand(1, L, S)  # (1, L, S)
        else:
            mask = mask.expand(batch + (L, S)).reshape(-1, L, S)  # (B, L, S)
    out = _ChunkedAttention.apply(q, k, v, mask, is_causal, window_size, scale, qc, kc)
    return out.reshape(batch + (L, Ev))


def elu_feature_map(x: torch.Tensor) -> torch.Tensor:
    r"""The feature map of Katharopoulos et al. (2020): :math:`\phi(x) = \mathrm{elu}(x) + 1 > 0`.

    Example:
        >>> elu_feature_map(torch.tensor([-50.0, 0.0, 2.0]))
        tensor([0., 1., 3.])
    """
    return F.elu(x) + 1


def linear_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    *,
    is_causal: bool = False,
    eps: float = 1e-6,
    chunk_size: int = 256,
) -> torch.Tensor:
    r"""Kernelised linear attention (Katharopoulos et al., 2020): an O(n) approximation.

    .. math::
        o_i = \frac{\sum_j \phi(q_i)^\top \phi(k_j)\, v_j}{\sum_j \phi(q_i)^\top \phi(k_j)}
            = \frac{\phi(q_i)^\top \left(\sum_j \phi(k_j) v_j^\top\right)}
                   {\phi(q_i)^\top \sum_j \phi(k_j)},
        \qquad \phi(x) = \mathrm{elu}(x) + 1

    Associativity lets the ``E × Ev`` matrix :math:`\sum_j \phi(k_j) v_j^\top` be computed
    once, so the cost is :math:`O((L + S) E E_v)` instead of :math:`O(LSE)`. The kernel
    :math:`\phi(q)^\top\phi(k)` replaces :math:`\exp(q^\top k/\sqrt{E})`: the result is *not*
    softmax attention. With ``is_causal`` the sums run over :math:`j \le i`, computed in
    chunks of ``chunk_size`` (quadratic inside a chunk, a running state between chunks).
    Derived in chapter 10.

    Args:
        query: ``(*, L, E)``.
        key: ``(*, S, E)``.
        value: ``(*, S, Ev)``. The leading dimensions broadcast.
        is_causal: query ``i`` attends only keys ``j <= i`` (then ``L == S`` is required).
        eps: a number >= 0 added to the denominator.
        chunk_size: rows per chunk in the causal form, an int >= 1.

    Returns:
        output ``(*, L, Ev)``.

    Example:
        >>> q, k, v = torch.randn(6, 4), torch.randn(6, 4), torch.randn(6, 3)
        >>> phi_q, phi_k = elu_feature_map(q), elu_feature_map(k)
        >>> weights = phi_q @ phi_k.T / (phi_q @ phi_k.T).sum(-1, keepdim=True)
        >>> torch.allclose(linear_attention(q, k, v, eps=0.0), weights @ v, atol=1e-6)
        True
    """
    query, key, value = check_query_key_value(query, key, value)
    if not isinstance(is_causal, bool):
        raise TypeError(f"is_causal must be a bool, got {describe(is_causal)}")
    if is_causal and query.shape[-2] != key.shape[-2]:
        raise ValueError(
            f"key must have {query.shape[-2]} rows (one per query) when is_causal=True, "
            f"got shape {tuple(key.shape)}"
        )
    eps = check_scalar(eps, "eps", nonnegative=True)
    chunk_size = check_int(chunk_size, "chunk_size", minimum=1)
    return _linear_attention(query, key, value, is_causal, eps, chunk_size)


def _linear_attention(query, key, value, is_causal, eps, chunk_size):
    phi_q, phi_k = elu_feature_map(query), elu_feature_map(key)  # (*, L, E), (*, S, E)
    if not is_causal:
        kv = phi_k.transpose(-2, -1) @ value  # (*, E, S) @ (*, S, Ev) -> (*, E, Ev)
        z = phi_k.sum(dim=-2, keepdim=True)  # (*, 1, E)
        return (phi_q @ kv) / ((phi_q * z).sum(dim=-1, keepdim=True) + eps)  # (*, L, Ev)
    batch = torch.broadcast_shapes(phi_q.shape[:-2], phi_k.shape[:-2], value.shape[:-2])
    state = phi_q.new_zeros(batch + (phi_q.shape[-1], value.shape[-1]))  # (*, E, Ev)
    z = phi_q.new_zeros(batch + (1, phi_q.shape[-1]))  # (*, 1, E)
    outputs = []
    for i0 in range(0, query.shape[-2], chunk_size):
        fq, fk = phi_q[..., i0 : i0 + chunk_size, :], phi_k[..., i0 : i0 + chunk_size, :]
        v_blk = value[..., i0 : i0 + chunk_size, :]  # (*, c, Ev)
        local = (fq @ fk.transpose(-2, -1)).tril()  # (*, c, c): keys j <= i inside the chunk
        numerator = fq @ state + local @ v_blk  # (*, c, Ev)
        denominator = (fq * z).sum(dim=-1, keepdim=True) + local.sum(dim=-1, keepdim=True)
        outputs.append(numerator / (denominator + eps))
        state = state + fk.transpose(-2, -1) @ v_blk  # (*, E, Ev)
        z = z + fk.sum(dim=-2, keepdim=True)
    return torch.cat(outputs, dim=-2)


class KVCache:
    """The keys and values of a decoded prefix, kept so that each new token costs O(n).

    Without a cache, generating token ``t`` recomputes the keys and values of all ``t``
    earlier tokens; with it, each step appends one key and one value and attends with a
    single query. The cache holds ``2 × max_len × E`` numbers per sequence and head
    (preallocated, so appending never copies). Chapter 10 measures both.

    Args:
        max_len: the most positions the cache can hold, an int >= 1.
        key_dim: ``E``, the size of each key.
        value_dim: ``Ev``, the size of each value.
        batch_shape: the leading dimensions, e.g. ``(batch, heads)``.
        dtype: the dtype of the buffers.

    Example:
        >>> cache = KVCache(max_len=4, key_dim=2, value_dim=3)
        >>> keys, values = cache.append(torch.ones(1, 2), torch.zeros(1, 3))
        >>> keys.shape, values.shape, len(cache), cache.nbytes
        (torch.Size([1, 2]), torch.Size([1, 3]), 1, 80)
    """

    def __init__(
        self,
        max_len: int,
        key_dim: int,
        value_dim: int,
        *,
        batch_shape: tuple[int, ...] = (),
        dtype: torch.dtype = torch.float32,
    ) -> None:
        max_len = check_int(max_len, "max_len", minimum=1)
        key_dim = check_int(key_dim, "key_dim", minimum=1)
        value_dim = check_int(value_dim, "value_dim", minimum=1)
        self.keys = torch.zeros(*batch_shape, max_len, key_dim, dtype=dtype)  # (*, max_len, E)
        self.values = torch.zeros(*batch_shape, max_len, value_dim, dtype=dtype)
        self.length = 0

    def __len__(self) -> int:
        return self.length

    @property
    def nbytes(self) -> int:
        """Bytes held by the two buffers (whatever the current length)."""
        return self.keys.nbytes + self.values.nbytes

    def append(self, key: torch.Tensor, value: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Store ``key (*, t, E)`` and ``value (*, t, Ev)``; return all keys and values so far.

        Returns:
            views ``(*, length, E)`` and ``(*, length, Ev)`` of the cache (no copy).
        """
        key = check_tensor(key, "key", min_dim=2)
        value = check_tensor(value, "value", min_dim=2)
        if key.shape[:-2] + key.shape[-1:] != self.keys.shape[:-2] + self.keys.shape[-1:]:
            raise ValueError(
                f"key must have shape {(*self.keys.shape[:-2], 't', self.keys.shape[-1])}, "
                f"got shape {tuple(key.shape)}"
            )
        if value.shape[:-1] != key.shape[:-1] or value.shape[-1] != self.values.shape[-1]:
            raise ValueError(
                f"value must have shape {(*key.shape[:-1], self.values.shape[-1])}, "
                f"got shape {tuple(value.shape)}"
            )
        new = self.length + key.shape[-2]
        if new > self.keys.shape[-2]:
            raise ValueError(
                f"the cache holds at most {self.keys.shape[-2]} positions; appending "
                f"{key.shape[-2]} to {self.length} would exceed it (raise max_len)"
            )
        self.keys[..., self.length : new, :] = key
        self.values[..., self.length : new, :] = value
        self.length = new
        return self.keys[..., :new, :], self.values[..., :new, :]
