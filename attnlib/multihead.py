"""Multi-head attention, built from scaled dot-product attention (chapter 4).

Shape legend: ``B`` batch, ``L`` target (query) length, ``S`` source (key) length,
``E`` embedding size, ``H`` heads, ``D = E / H`` per-head size.
"""

from __future__ import annotations

import torch
from torch import nn

from attnlib.soft import _scaled_dot_product_attention
from attnlib.validation import check_int, check_mask, check_tensor, describe

__all__ = ["MultiHeadAttention"]


class MultiHeadAttention(nn.Module):
    r"""Multi-head attention (Vaswani et al., 2017), ``batch_first`` like torch's.

    .. math::
        \mathrm{MHA}(Q, K, V) = [\mathrm{head}_1; \dots; \mathrm{head}_H] W^O, \quad
        \mathrm{head}_h = \mathrm{softmax}\!\left(\frac{Q W^Q_h (K W^K_h)^\top}{\sqrt{D}}\right)
                          V W^V_h

    Args:
        embed_dim: ``E``, the size of queries, keys, values and output.
        num_heads: ``H``; must divide ``embed_dim``.
        bias: whether the four projections have biases.

    Shapes:
        query ``(B, L, E)``, key ``(B, S, E)``, value ``(B, S, E)``, optional boolean mask
        broadcastable to ``(B, H, L, S)`` with ``True`` = may be attended ->
        output ``(B, L, E)`` and, with ``return_weights=True``, weights ``(B, H, L, S)``.

    Example:
        >>> mha = MultiHeadAttention(8, 2)
        >>> x = torch.randn(3, 5, 8)
        >>> mha(x, x, x).shape
        torch.Size([3, 5, 8])
    """

    def __init__(self, embed_dim: int, num_heads: int, *, bias: bool = True) -> None:
        super().__init__()
        self.embed_dim = check_int(embed_dim, "embed_dim", minimum=1)
        self.num_heads = check_int(num_heads, "num_heads", minimum=1)
        if self.embed_dim % self.num_heads:
            raise ValueError(
                f"num_heads must divide embed_dim={self.embed_dim}, got {self.num_heads}"
            )
        self.head_dim = self.embed_dim // self.num_heads
        self.q_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.k_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.v_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)

    @classmethod
    def from_torch(cls, module: nn.MultiheadAttention) -> MultiHeadAttention:
        """Copy the weights of a ``torch.nn.MultiheadAttention(batch_first=True)``.

        torch packs the three input projections into one ``in_proj_weight`` of shape
        ``(3E, E)``, stacked in the order query, key, value.
        """
        if not isinstance(module, nn.MultiheadAttention):
            raise TypeError(f"module must be a torch.nn.MultiheadAttention, got {describe(module)}")
        if not module.batch_first:
            raise ValueError("module must be built with batch_first=True, got batch_first=False")
        if not module._qkv_same_embed_dim:
            raise ValueError("module must have kdim == vdim == embed_dim")
        if module.bias_k is not None or module.add_zero_attn:
            raise ValueError("module must not use add_bias_kv or add_zero_attn")
        has_bias = module.in_proj_bias is not None
        new = cls(module.embed_dim, module.num_heads, bias=has_bias)
        with torch.no_grad():
            w_q, w_k, w_v = module.in_proj_weight.chunk(3, dim=0)  # each (E, E)
            for proj, w in ((new.q_proj, w_q), (new.k_proj, w_k), (new.v_proj, w_v)):
                proj.weight.copy_(w)
            new.out_proj.weight.copy_(module.out_proj.weight)
            if has_bias:
                b_q, b_k, b_v = module.in_proj_bias.chunk(3)
                for proj, b in ((new.q_proj, b_q), (new.k_proj, b_k), (new.v_proj, b_v)):
                    proj.bias.copy_(b)
                new.out_proj.bias.copy_(module.out_proj.bias)
        return new

    def _split_heads(self, x: torch.Tensor) -> torch.Tensor:
        B, T, _ = x.shape
        return x.view(B, T, self.num_heads, self.head_dim).transpose(
            1, 2
        )  # (B, T, E) -> (B, H, T, D)

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        mask: torch.Tensor | None = None,
        *,
        return_weights: bool = False,
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        for name, x in (("query", query), ("key", key), ("value", value)):
            check_tensor(x, name, ndim=3, floating=True)
            if x.shape[-1] != self.embed_dim:
                raise ValueError(
                    f"{name} must have last dimension embed_dim={self.embed_dim}, "
                    f"got shape {tuple(x.shape)}"
                )
        if key.shape[:2] != value.shape[:2]:
            raise ValueError(
                f"key and value must share batch and length, got shapes "
                f"{tuple(key.shape)} and {tuple(value.shape)}"
            )
        try:
            batch = torch.broadcast_shapes(query.shape[:1], key.shape[:1])  # (B,)
        except RuntimeError:
            raise ValueError(
                "query, key and value batch dimensions must broadcast, got shapes "
                f"{tuple(query.shape)}, {tuple(key.shape)} and {tuple(value.shape)}"
            ) from None
        if not isinstance(return_weights, bool):
            raise TypeError(f"return_weights must be a bool, got {describe(return_weights)}")
        mask = check_mask(mask, batch + (self.num_heads, query.shape[1], key.shape[1]))
        q = self._split_heads(self.q_proj(query))  # (B, H, L, D)
        k = self._split_heads(self.k_proj(key))  # (B, H, S, D)
        v = self._split_heads(self.v_proj(value))  # (B, H, S, D)
        heads, weights = _scaled_dot_product_attention(q, k, v, mask)  # (B, H, L, D), (B, H, L, S)
        B, H, L, D = heads.shape
        merged = heads.transpose(1, 2).reshape(B, L, H * D)  # (B, H, L, D) -> (B, L, E)
        output = self.out_proj(merged)  # (B, L, E)
        return (output, weights) if return_weights else output
