"""Handout stubs, exercise set 10_efficient_attention: each `# %% N.k` section is the answer
cell learners start from; it must score zero."""


# %% 10.1
def merge(m_a, l_a, m_b, l_b):
    """The (max, sum) pair of a row from the pairs of two of its chunks."""
    raise NotImplementedError("write merge")


# %% 10.2
def chunked_attention_rows(q, k, v, key_chunk_size):
    """softmax(q k^T / sqrt(E)) v, visiting the keys in blocks: no (L, S) tensor."""
    raise NotImplementedError("write chunked_attention_rows")


# %% 10.3
def block_bytes(n, query_chunk_size, key_chunk_size):
    raise NotImplementedError("write block_bytes")


def naive_bytes(n):
    raise NotImplementedError("write naive_bytes")


# %% 10.4
def causal_block_mask(i0, i1, j0, j1):
    raise NotImplementedError("write causal_block_mask")


# %% 10.5
def decode_macs(T, d, cache):
    raise NotImplementedError("write decode_macs")


# %% 10.6
def linear_attention_reordered(q, k, v):
    raise NotImplementedError("write linear_attention_reordered")
