"""Specification of attnlib.efficient: golden tests against torch, properties, bad inputs."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils._python_dispatch import TorchDispatchMode

from attnlib import KVCache, chunked_attention, efficient, linear_attention, online_softmax, softmax
from attnlib.efficient import elu_feature_map

torch.set_num_threads(1)


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _structure_mask(L, S, is_causal, window_size):
    """The boolean mask that is_causal and window_size stand for, (L, S)."""
    i = torch.arange(L).unsqueeze(-1)
    j = torch.arange(S)
    allowed = torch.ones(L, S, dtype=torch.bool)
    if is_causal:
        allowed &= j <= i
    if window_size is not None:
        allowed &= (i - j).abs() < window_size
    return allowed


def _reference(q, k, v, mask=None, is_causal=False, window_size=None, scale=None):
    """torch's scaled_dot_product_attention with the same mask, fully masked rows set to 0."""
    structure = _structure_mask(q.shape[-2], k.shape[-2], is_causal, window_size)
    full = structure if mask is None else mask & structure
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=full, scale=scale)
    # torch's CPU kernel returns zeros for a fully masked row; other back ends have returned
    # NaN, so the reference states the course's convention explicitly.
    empty = ~full.any(dim=-1, keepdim=True)  # (..., L, 1)
    return out.masked_fill(empty, 0.0)


# ---------------------------------------------------------------- online softmax


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 40),
    st.integers(1, 50),
    st.integers(0, 2**31 - 1),
    st.floats(1e-3, 1e4),
)
def test_online_softmax_equals_softmax_for_any_chunk_size(n, chunk_size, seed, spread):
    x = torch.randn(3, n, generator=_gen(seed)) * spread  # up to ~1e4: far beyond exp's range
    torch.testing.assert_close(online_softmax(x, chunk_size=chunk_size), torch.softmax(x, -1))


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 100])
def test_online_softmax_huge_and_minus_inf_scores(chunk_size):
    x = torch.tensor(
        [
            [1e30, 1e30, -1e30, 0.0],  # huge but finite: no overflow
            [float("-inf"), 5.0, float("-inf"), 5.0],  # -inf entries get weight 0
            [float("-inf"), float("-inf"), 3.0, 1000.0],  # -inf first: the running max starts -inf
        ]
    )
    torch.testing.assert_close(online_softmax(x, chunk_size=chunk_size), torch.softmax(x, -1))
    assert torch.isfinite(online_softmax(x, chunk_size=chunk_size)).all()


@pytest.mark.parametrize("chunk_size", [1, 2, 5])
def test_online_softmax_all_minus_inf_row_gives_zeros_like_attnlib_softmax(chunk_size):
    x = torch.tensor([[float("-inf")] * 4, [0.0, 1.0, 2.0, float("-inf")]])
    result = online_softmax(x, chunk_size=chunk_size)
    torch.testing.assert_close(result[0], torch.zeros(4))
    torch.testing.assert_close(result, softmax(x.nan_to_num(neginf=0), mask=x > float("-inf")))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_online_softmax_on_every_axis(dim):
    x = torch.randn(5, 6, 7, generator=_gen(1))
    torch.testing.assert_close(online_softmax(x, dim=dim, chunk_size=2), torch.softmax(x, dim))


def test_online_softmax_gradient_equals_softmax_gradient():
    x = torch.randn(4, 9, dtype=torch.float64, generator=_gen(2), requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: online_softmax(t, chunk_size=4), (x,))


# ---------------------------------------------------------------- chunked attention: golden


shapes = st.tuples(
    st.sampled_from([(), (1,), (2,), (2, 3)]),  # batch
    st.integers(1, 24),  # L
    st.integers(1, 24),  # S
    st.integers(1, 8),  # E
    st.integers(1, 6),  # Ev
)


@settings(max_examples=80, deadline=None)
@given(
    shapes,
    st.integers(1, 30),
    st.integers(1, 30),
    st.booleans(),
    st.one_of(st.none(), st.integers(1, 8)),
    st.booleans(),
    st.integers(0, 2**31 - 1),
)
def test_forward_and_gradients_equal_torch_sdpa(
    shape, qc, kc, is_causal, window_size, random_mask, seed
):
    batch, L, S, E, Ev = shape
    g = _gen(seed)
    q = torch.randn(*batch, L, E, generator=g, requires_grad=True)
    k = torch.randn(*batch, S, E, generator=g, requires_grad=True)
    v = torch.randn(*batch, S, Ev, generator=g, requires_grad=True)
    # A random mask, broadcast over the batch; it often leaves some rows fully masked.
    mask = torch.rand(L, S, generator=g) < 0.6 if random_mask else None
    out = chunked_attention(
        q,
        k,
        v,
        mask=mask,
        is_causal=is_causal,
        window_size=window_size,
        query_chunk_size=qc,
        key_chunk_size=kc,
    )
    expected = _reference(q, k, v, mask, is_causal, window_size)
    torch.testing.assert_close(out, expected, atol=2e-5, rtol=1e-4)
    grad = torch.randn(out.shape, generator=g)
    got = torch.autograd.grad(out, (q, k, v), grad)
    want = torch.autograd.grad(expected, (q, k, v), grad)
    for name, a, b in zip("qkv", got, want, strict=True):
        torch.testing.assert_close(a, b, atol=5e-5, rtol=1e-4, msg=f"gradient of {name}")


def test_broadcasts_key_and_value_over_heads_and_mask_over_batch():
    g = _gen(3)
    q = torch.randn(2, 4, 10, 8, generator=g)  # (batch, heads, L, E)
    k = torch.randn(4, 12, 8, generator=g)  # (heads, S, E), shared by the batch
    v = torch.randn(1, 4, 12, 5, generator=g)
    mask = torch.rand(2, 1, 10, 12, generator=g) < 0.7  # per batch item, shared by heads
    out = chunked_attention(q, k, v, mask=mask, query_chunk_size=3, key_chunk_size=5)
    assert out.shape == (2, 4, 10, 5)
    torch.testing.assert_close(out, _reference(q, k, v, mask), atol=2e-5, rtol=1e-4)


@pytest.mark.parametrize("is_causal", [False, True])
@pytest.mark.parametrize("window_size", [None, 3])
def test_gradcheck_float64(is_causal, window_size):
    g = _gen(4)
    q = torch.randn(2, 7, 3, dtype=torch.float64, generator=g, requires_grad=True)
    k = torch.randn(2, 9, 3, dtype=torch.float64, generator=g, requires_grad=True)
    v = torch.randn(2, 9, 2, dtype=torch.float64, generator=g, requires_grad=True)
    mask = torch.rand(7, 9, generator=g) < 0.8
    mask[1] = False  # one fully masked row

    def f(q, k, v):
        return chunked_attention(
            q,
            k,
            v,
            mask=mask,
            is_causal=is_causal,
            window_size=window_size,
            query_chunk_size=3,
            key_chunk_size=4,
        )

    assert torch.autograd.gradcheck(f, (q, k, v))


def test_large_scores_stay_finite():
    g = _gen(5)
    q = torch.randn(6, 4, generator=g) * 300  # scores of order 1e5: exp overflows naively
    k = torch.randn(8, 4, generator=g) * 300
    v = torch.randn(8, 3, generator=g)
    out = chunked_attention(q, k, v, query_chunk_size=4, key_chunk_size=3)
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v))


def test_score_bound_is_an_upper_bound_of_every_score():
    g = _gen(11)
    q, k = torch.randn(3, 40, 8, generator=g) * 3, torch.randn(3, 50, 8, generator=g)
    for scale in (0.35, -2.0):
        scores = scale * q @ k.mT  # (3, 40, 50)
        bound = efficient._score_bound(q, k, scale)  # (3, 40, 1)
        assert (scores <= bound).all() and (-scores <= bound).all()


def _count_recomputed_blocks(monkeypatch, batches=None):
    calls = []
    batches = [] if batches is None else batches
    online = efficient._online_query_block

    def counted(*args):
        calls.append(args[7])  # the rows (i0, i1) recomputed with a running maximum
        batches.append(args[0].shape[0])  # for how many batch items
        return online(*args)

    monkeypatch.setattr(efficient, "_online_query_block", counted)
    return calls


def test_gaussian_inputs_need_no_running_maximum(monkeypatch):
    calls = _count_recomputed_blocks(monkeypatch)
    g = _gen(12)
    q, k, v = (torch.randn(1, 512, 64, generator=g) for _ in range(3))
    out = chunked_attention(q, k, v, query_chunk_size=128, key_chunk_size=256)
    assert calls == []
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v))


def test_rows_whose_bound_is_loose_are_recomputed_and_exact(monkeypatch):
    calls = _count_recomputed_blocks(monkeypatch)
    g = _gen(13)
    # Three long queries along the first axis, keys orthogonal to it: their scores are 0, but
    # the Cauchy-Schwarz bound |q| max|k| / sqrt(E) is about 200, so exp(s - bound) underflows
    # to 0 for every key. Those rows lie in the second and third query blocks.
    q = torch.randn(1, 12, 4, generator=g)
    k = torch.randn(1, 10, 4, generator=g)
    q[0, 6:9] = torch.tensor([200.0, 0.0, 0.0, 0.0])
    k[0, :, 0] = 0.0
    v = torch.randn(1, 10, 3, generator=g)
    out = chunked_attention(q, k, v, query_chunk_size=4, key_chunk_size=6)
    assert calls == [(4, 8), (8, 12)]
    expected = F.scaled_dot_product_attention(q.double(), k.double(), v.double())
    torch.testing.assert_close(out, expected.float(), atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(out[0, 6], v[0].mean(dim=0))  # all scores 0: the mean value


def test_only_the_batch_items_with_loose_rows_are_recomputed(monkeypatch):
    batches = []
    calls = _count_recomputed_blocks(monkeypatch, batches)
    g = _gen(15)
    q, k = torch.randn(3, 2, 8, 4, generator=g), torch.randn(3, 2, 6, 4, generator=g)
    v = torch.randn(3, 2, 6, 5, generator=g)
    k[1, 0, :, 0] = 0.0  # batch item 1, head 0: keys orthogonal to the first axis ...
    q[1, 0, 5] = torch.tensor([300.0, 0.0, 0.0, 0.0])  # ... and one long query along it
    mask = torch.rand(3, 2, 8, 6, generator=g) < 0.8
    out = chunked_attention(q, k, v, mask=mask, query_chunk_size=4, key_chunk_size=4)
    assert calls == [(4, 8)] and batches == [1]  # one query block of one (batch, head) item
    torch.testing.assert_close(out, _reference(q, k, v, mask), atol=2e-5, rtol=1e-4)


@pytest.mark.parametrize(("L", "S", "kc"), [(9, 7, 7), (9, 15, 5), (9, 16, 6), (1, 3, 1)])
def test_odd_and_even_key_blocks_with_batch_and_mask(L, S, kc):
    g = _gen(14)
    q = torch.randn(2, 3, L, 5, generator=g)
    k, v = torch.randn(2, 3, S, 5, generator=g), torch.randn(2, 3, S, 4, generator=g)
    mask = torch.rand(2, 1, L, S, generator=g) < 0.7
    out = chunked_attention(q, k, v, mask=mask, query_chunk_size=4, key_chunk_size=kc)
    torch.testing.assert_close(out, _reference(q, k, v, mask), atol=2e-5, rtol=1e-4)


def test_fully_masked_rows_give_zero_output_and_zero_gradient():
    g = _gen(6)
    q = torch.randn(5, 4, generator=g, requires_grad=True)
    k = torch.randn(6, 4, generator=g, requires_grad=True)
    v = torch.randn(6, 3, generator=g, requires_grad=True)
    mask = torch.ones(5, 6, dtype=torch.bool)
    mask[2] = False
    out = chunked_attention(q, k, v, mask=mask, query_chunk_size=2, key_chunk_size=4)
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out[2], torch.zeros(3))
    out.sum().backward()
    torch.testing.assert_close(q.grad[2], torch.zeros(4))
    assert torch.isfinite(k.grad).all() and torch.isfinite(v.grad).all()


def test_custom_scale_matches_torch():
    g = _gen(7)
    q, k, v = (torch.randn(9, 5, generator=g) for _ in range(3))
    out = chunked_attention(q, k, v, scale=0.3, query_chunk_size=4, key_chunk_size=4)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, scale=0.3))


def test_does_not_modify_its_inputs():
    g = _gen(8)
    q, k, v = (torch.randn(2, 9, 5, generator=g) for _ in range(3))
    copies = [t.clone() for t in (q, k, v)]
    chunked_attention(q, k, v, is_causal=True, query_chunk_size=4, key_chunk_size=4)
    for t, c in zip((q, k, v), copies, strict=True):
        assert torch.equal(t, c)


# ---------------------------------------------------------------- memory and skipped blocks


class _Record(TorchDispatchMode):
    """Records every aten call and the largest tensor any call produces."""

    def __init__(self):
        super().__init__()
        self.largest = 0
        self.calls = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        self.calls.append(func)
        for t in result if isinstance(result, (tuple, list)) else (result,):
            if isinstance(t, torch.Tensor):
                self.largest = max(self.largest, t.numel())
        return result


def test_no_n_by_n_tensor_is_saved_or_allocated_forward_or_backward():
    n, d, qc, kc = 256, 8, 32, 64
    g = _gen(9)
    q, k, v = (torch.randn(1, n, d, generator=g, requires_grad=True) for _ in range(3))
    saved = []

    def pack(t):
        saved.append(t.numel())
        return t

    with _Record() as forward, torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = chunked_attention(q, k, v, is_causal=True, query_chunk_size=qc, key_chunk_size=kc)
    with _Record() as backward:
        out.sum().backward()
    assert max(saved) == n * d  # q, k, v, the output (n × d) and the lse (n): no weights
    # The largest tensor either pass creates is one block of scores, qc × kc, far below n × n.
    assert forward.largest == qc * kc, forward.largest
    assert backward.largest == qc * kc, backward.largest
    assert qc * kc * 16 <= n * n
    # The naive route does create an n × n tensor, so the recorder can see one.
    with _Record() as naive:
        F.softmax(q @ k.transpose(-2, -1), dim=-1)
    assert naive.largest == n * n


def _products(record):
    return sum(
        1 for f in record.calls if f in (torch.ops.aten.bmm.out, torch.ops.aten.baddbmm_.default)
    )


@pytest.mark.parametrize(
    ("is_causal", "window_size", "blocks"),
    [
        (False, None, 8 * 8),
        (True, None, 8 * 9 // 2),  # blocks on or below the diagonal
        (False, 16, 8 + 2 * 7),  # the diagonal band of blocks: 1 + 2 neighbours
        (True, 16, 8 + 7),
    ],
)
def test_masked_blocks_are_skipped_not_computed(is_causal, window_size, blocks):
    n = 128
    q, k, v = (torch.randn(1, n, 4, generator=_gen(10)) for _ in range(3))
    with _Record() as record:
        chunked_attention(
            q,
            k,
            v,
            is_causal=is_causal,
            window_size=window_size,
            query_chunk_size=16,
            key_chunk_size=16,
        )
    assert _products(record) == 2 * blocks  # two products per visited block


# ---------------------------------------------------------------- linear attention, KV cache


def test_linear_attention_equals_its_quadratic_form():
    g = _gen(11)
    q, k, v = torch.randn(2, 7, 4, generator=g), torch.randn(2, 9, 4, generator=g), None
    v = torch.randn(2, 9, 3, generator=g)
    kernel = elu_feature_map(q) @ elu_feature_map(k).transpose(-2, -1)  # (2, 7, 9)
    expected = (kernel / kernel.sum(-1, keepdim=True)) @ v
    torch.testing.assert_close(linear_attention(q, k, v, eps=0.0), expected)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 20), st.integers(1, 25), st.integers(0, 2**31 - 1))
def test_causal_linear_attention_equals_masked_quadratic_form(n, chunk_size, seed):
    g = _gen(seed)
    q, k, v = torch.randn(n, 4, generator=g), torch.randn(n, 4, generator=g), None
    v = torch.randn(n, 3, generator=g)
    kernel = (elu_feature_map(q) @ elu_feature_map(k).T).tril()  # (n, n)
    expected = (kernel / kernel.sum(-1, keepdim=True)) @ v
    got = linear_attention(q, k, v, is_causal=True, eps=0.0, chunk_size=chunk_size)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-4)


def test_kv_cache_decoding_equals_full_causal_attention():
    g = _gen(12)
    n, d = 10, 6
    x = torch.randn(n, d, generator=g)
    wq, wk, wv = (torch.randn(d, d, generator=g) for _ in range(3))
    full = F.scaled_dot_product_attention(x @ wq, x @ wk, x @ wv, is_causal=True)
    cache = KVCache(max_len=n, key_dim=d, value_dim=d)
    steps = []
    for t in range(n):
        keys, values = cache.append(x[t : t + 1] @ wk, x[t : t + 1] @ wv)
        steps.append(F.scaled_dot_product_attention(x[t : t + 1] @ wq, keys, values))
    torch.testing.assert_close(torch.cat(steps), full)
    assert len(cache) == n and cache.nbytes == 2 * n * d * 4


def test_kv_cache_refuses_to_overflow():
    cache = KVCache(max_len=2, key_dim=3, value_dim=3)
    cache.append(torch.zeros(2, 3), torch.zeros(2, 3))
    with pytest.raises(ValueError, match="at most 2 positions"):
        cache.append(torch.zeros(1, 3), torch.zeros(1, 3))


# ---------------------------------------------------------------- bad input


def _qkv():
    return torch.randn(2, 5, 4), torch.randn(2, 6, 4), torch.randn(2, 6, 3)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"query_chunk_size": 0}, ValueError, "query_chunk_size must be >= 1, got 0"),
        ({"key_chunk_size": -3}, ValueError, "key_chunk_size must be >= 1, got -3"),
        ({"key_chunk_size": 2.0}, TypeError, "key_chunk_size must be an int, got float"),
        ({"window_size": 0}, ValueError, "window_size must be >= 1, got 0"),
        ({"is_causal": 1}, TypeError, "is_causal must be a bool, got int"),
        ({"scale": "0.5"}, TypeError, "scale must be a real number, got str"),
        (
            {"mask": torch.ones(5, 6)},
            TypeError,
            r"mask must have dtype torch.bool \(True = may be attended\), got torch.float32",
        ),
        (
            {"mask": torch.ones(5, 7, dtype=torch.bool)},
            ValueError,
            r"mask of shape \(5, 7\) does not broadcast to the scores' shape \(2, 5, 6\)",
        ),
    ],
)
def test_chunked_attention_bad_options(kwargs, error, message):
    with pytest.raises(error, match=message):
        chunked_attention(*_qkv(), **kwargs)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (
            (torch.randn(5, 4), torch.randn(6, 3), torch.randn(6, 3)),
            ValueError,
            r"key must have last dimension 4 to match query, got shape \(6, 3\)",
        ),
        (
            (torch.randn(5, 4), torch.randn(6, 4), torch.randn(7, 3)),
            ValueError,
            r"value must have 6 rows \(one per key\) in dimension -2, got shape \(7, 3\)",
        ),
        (
            (torch.randn(5), torch.randn(6, 4), torch.randn(6, 3)),
            ValueError,
            r"query must have at least 2 dimensions, got shape \(5,\)",
        ),
        (
            (torch.ones(5, 4, dtype=torch.long), torch.randn(6, 4), torch.randn(6, 3)),
            TypeError,
            "query must have a floating-point dtype, got torch.int64",
        ),
        (
            ([[1.0]], torch.randn(6, 4), torch.randn(6, 3)),
            TypeError,
            "query must be a torch.Tensor, got list",
        ),
        (
            (torch.randn(2, 5, 4), torch.randn(3, 6, 4), torch.randn(3, 6, 3)),
            ValueError,
            "query, key and value batch dimensions must broadcast",
        ),
        (
            (torch.randn(5, 4), torch.randn(6, 4, dtype=torch.float64), torch.randn(6, 3)),
            TypeError,
            "query, key and value must have one dtype, got torch.float32, torch.float64",
        ),
        (
            (torch.randn(5, 4), torch.randn(0, 4), torch.randn(0, 3)),
            ValueError,
            r"key must have at least one row and one column, got shape \(0, 4\)",
        ),
        (
            (torch.randn(2, 0, 4), torch.randn(2, 6, 4), torch.randn(2, 6, 3)),
            ValueError,
            r"query must have at least one row and one column, got shape \(2, 0, 4\)",
        ),
    ],
)
def test_chunked_attention_bad_tensors(args, error, message):
    with pytest.raises(error, match=message):
        chunked_attention(*args)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: online_softmax(torch.randn(3), chunk_size=0), ValueError, "chunk_size must be"),
        (lambda: online_softmax(torch.randn(3), dim=1), ValueError, r"dim must be in \[-1, 0\]"),
        (lambda: online_softmax([1.0, 2.0]), TypeError, "x must be a torch.Tensor, got list"),
        (
            lambda: linear_attention(
                torch.randn(4, 2), torch.randn(5, 2), torch.randn(5, 2), is_causal=True
            ),
            ValueError,
            r"key must have 4 rows \(one per query\) when is_causal=True",
        ),
        (
            lambda: linear_attention(*_qkv(), eps=-1.0),
            ValueError,
            "eps must be >= 0, got -1.0",
        ),
        (lambda: KVCache(0, 2, 2), ValueError, "max_len must be >= 1, got 0"),
        (
            lambda: KVCache(4, 2, 2).append(torch.zeros(1, 3), torch.zeros(1, 2)),
            ValueError,
            r"key must have shape \('t', 2\), got shape \(1, 3\)",
        ),
    ],
)
def test_other_functions_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()
