"""Planted mistakes, exercise set 10_efficient_attention: each `# %% N.k: name` section replaces
the answer to N.k and must lose points on it. Sections redefine the same names, hence F811."""

# ruff: noqa: F811
import math

import torch
import torch.nn.functional as F


# %% 10.1: sums added without rescaling
def merge(m_a, l_a, m_b, l_b):
    return torch.maximum(m_a, m_b), l_a + l_b


# %% 10.1: rescaled the wrong way round
def merge(m_a, l_a, m_b, l_b):
    m = torch.maximum(m_a, m_b)
    return m, l_a * torch.exp(m - m_a) + l_b * torch.exp(m - m_b)


# %% 10.1: NaN when one chunk is empty
def merge(m_a, l_a, m_b, l_b):
    m = torch.maximum(m_a, m_b)
    return m, l_a * torch.exp(m_a - m) + l_b * torch.exp(m_b - m)


# %% 10.2: old sums not rescaled when the maximum grows
def chunked_attention_rows(q, k, v, key_chunk_size):
    scale = 1 / math.sqrt(q.shape[-1])
    m = torch.full((q.shape[0], 1), float("-inf"))
    total = torch.zeros(q.shape[0], 1)
    acc = torch.zeros(q.shape[0], v.shape[-1])
    for j0 in range(0, k.shape[0], key_chunk_size):
        s = (q @ k[j0 : j0 + key_chunk_size].T) * scale
        m = torch.maximum(m, s.amax(dim=-1, keepdim=True))
        p = torch.exp(s - m)
        total = total + p.sum(dim=-1, keepdim=True)
        acc = acc + p @ v[j0 : j0 + key_chunk_size]
    return acc / total


# %% 10.2: the average of per-block softmax outputs
def chunked_attention_rows(q, k, v, key_chunk_size):
    scale = 1 / math.sqrt(q.shape[-1])
    outputs = []
    for j0 in range(0, k.shape[0], key_chunk_size):
        s = (q @ k[j0 : j0 + key_chunk_size].T) * scale
        p = torch.exp(s - s.amax(dim=-1, keepdim=True))
        outputs.append((p / p.sum(dim=-1, keepdim=True)) @ v[j0 : j0 + key_chunk_size])
    return torch.stack(outputs).mean(dim=0)


# %% 10.2: scores not scaled by 1/sqrt(E)
def chunked_attention_rows(q, k, v, key_chunk_size):
    m = torch.full((q.shape[0], 1), float("-inf"))
    total = torch.zeros(q.shape[0], 1)
    acc = torch.zeros(q.shape[0], v.shape[-1])
    for j0 in range(0, k.shape[0], key_chunk_size):
        s = q @ k[j0 : j0 + key_chunk_size].T
        m_new = torch.maximum(m, s.amax(dim=-1, keepdim=True))
        p = torch.exp(s - m_new)
        total = total * torch.exp(m - m_new) + p.sum(dim=-1, keepdim=True)
        acc = acc * torch.exp(m - m_new) + p @ v[j0 : j0 + key_chunk_size]
        m = m_new
    return acc / total


# %% 10.3: chunk sizes not capped at n
def block_bytes(n, query_chunk_size, key_chunk_size):
    return query_chunk_size * key_chunk_size * 4


def naive_bytes(n):
    return n * n * 4


# %% 10.3: bits, not bytes
def block_bytes(n, query_chunk_size, key_chunk_size):
    return min(query_chunk_size, n) * min(key_chunk_size, n) * 32


def naive_bytes(n):
    return n * n * 32


# %% 10.4: indices inside the block instead of global positions
def causal_block_mask(i0, i1, j0, j1):
    i = torch.arange(i1 - i0).unsqueeze(-1)
    j = torch.arange(j1 - j0)
    return j <= i


# %% 10.4: strict inequality (a query cannot see itself)
def causal_block_mask(i0, i1, j0, j1):
    i = torch.arange(i0, i1).unsqueeze(-1)
    j = torch.arange(j0, j1)
    return j < i


# %% 10.4: the opposite convention (True = masked)
def causal_block_mask(i0, i1, j0, j1):
    i = torch.arange(i0, i1).unsqueeze(-1)
    j = torch.arange(j0, j1)
    return j > i


# %% 10.5: the cache does not change the count
def decode_macs(T, d, cache):
    return sum(2 * t * d * d + d * d + 2 * t * d for t in range(1, T + 1))


# %% 10.5: attention counted once (scores only), query projection forgotten
def decode_macs(T, d, cache):
    if cache:
        return sum(2 * d * d + t * d for t in range(1, T + 1))
    return sum(2 * t * d * d + t * d for t in range(1, T + 1))


# %% 10.6: no normalisation
def linear_attention_reordered(q, k, v):
    phi_q, phi_k = F.elu(q) + 1, F.elu(k) + 1
    return phi_q @ (phi_k.T @ v)


# %% 10.6: exp as the feature map
def linear_attention_reordered(q, k, v):
    phi_q, phi_k = torch.exp(q), torch.exp(k)
    kv = phi_k.T @ v
    return (phi_q @ kv) / (phi_q @ phi_k.sum(dim=0)).unsqueeze(-1)


# %% 10.6: normalised by the number of keys
def linear_attention_reordered(q, k, v):
    phi_q, phi_k = F.elu(q) + 1, F.elu(k) + 1
    return (phi_q @ (phi_k.T @ v)) / k.shape[0]
