"""Reference solutions, exercise set 10_efficient_attention: one section per answer cell.

The `# %% setup` section is the notebook's set-up cell; each `# %% N.k` section is the
reference answer to exercise N.k. Golden tests import this file as a module."""

# %% setup
import math

import torch
import torch.nn.functional as F


# %% 10.1
def merge(m_a, l_a, m_b, l_b):
    """The (max, sum) pair of a row from the pairs of two of its chunks."""
    m = torch.maximum(m_a, m_b)
    safe = torch.where(torch.isfinite(m), m, torch.zeros_like(m))  # both chunks empty: m = -inf
    return m, l_a * torch.exp(m_a - safe) + l_b * torch.exp(m_b - safe)


# %% 10.2
def chunked_attention_rows(q, k, v, key_chunk_size):
    """softmax(q k^T / sqrt(E)) v, visiting the keys in blocks: no (L, S) tensor."""
    scale = 1 / math.sqrt(q.shape[-1])
    m = torch.full((q.shape[0], 1), float("-inf"))  # running row maximum
    total = torch.zeros(q.shape[0], 1)  # running sum of exp(s - m)
    acc = torch.zeros(q.shape[0], v.shape[-1])  # running sum of exp(s - m) v
    for j0 in range(0, k.shape[0], key_chunk_size):
        s = (q @ k[j0 : j0 + key_chunk_size].T) * scale  # (L, block)
        m_new = torch.maximum(m, s.amax(dim=-1, keepdim=True))
        p = torch.exp(s - m_new)
        correction = torch.exp(m - m_new)  # 0 at the first block
        total = total * correction + p.sum(dim=-1, keepdim=True)
        acc = acc * correction + p @ v[j0 : j0 + key_chunk_size]
        m = m_new
    return acc / total


# %% 10.3
def block_bytes(n, query_chunk_size, key_chunk_size):
    return min(query_chunk_size, n) * min(key_chunk_size, n) * 4


def naive_bytes(n):
    return n * n * 4


# %% 10.4
def causal_block_mask(i0, i1, j0, j1):
    i = torch.arange(i0, i1).unsqueeze(-1)  # (i1 - i0, 1) global query positions
    j = torch.arange(j0, j1)  # (j1 - j0,) global key positions
    return j <= i


# %% 10.5
def decode_macs(T, d, cache):
    if cache:
        return sum(3 * d * d + 2 * t * d for t in range(1, T + 1))
    return sum(2 * t * d * d + d * d + 2 * t * d for t in range(1, T + 1))


# %% 10.6
def linear_attention_reordered(q, k, v):
    phi_q, phi_k = F.elu(q) + 1, F.elu(k) + 1  # (L, E), (S, E)
    kv = phi_k.T @ v  # (E, S) @ (S, Ev) -> (E, Ev), once
    z = phi_k.sum(dim=0)  # (E,)
    return (phi_q @ kv) / (phi_q @ z).unsqueeze(-1)  # (L, Ev)
