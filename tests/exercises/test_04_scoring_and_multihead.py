import torch
import torch.nn.functional as F

from attnlib.grading.content import solution_module

sol = solution_module("04_scoring_and_multihead")


def test_sdpa_is_torch_scaled_dot_product_attention():
    q, k, v = torch.randn(2, 3, 5, 8), torch.randn(2, 3, 7, 8), torch.randn(2, 3, 7, 4)
    torch.testing.assert_close(sol.sdpa(q, k, v), F.scaled_dot_product_attention(q, k, v))
    mask = torch.rand(5, 7) > 0.5
    mask[:, 0] = True
    torch.testing.assert_close(
        sol.sdpa(q, k, v, mask), F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    )


def test_variances_match_a_simulation():
    q, k = torch.randn(200_000, 64), torch.randn(200_000, 64)
    dots = (q * k).sum(-1)
    assert abs(dots.var().item() - sol.variances["unscaled"]) < 0.02 * 64
    assert abs((dots / 8).var().item() - sol.variances["scaled"]) < 0.02


def test_causal_mask_gives_torch_is_causal():
    q, k, v = torch.randn(1, 6, 4), torch.randn(1, 6, 4), torch.randn(1, 6, 4)
    torch.testing.assert_close(
        F.scaled_dot_product_attention(q, k, v, attn_mask=sol.causal_mask(6)),
        F.scaled_dot_product_attention(q, k, v, is_causal=True),
    )


def test_split_heads_is_torch_multihead_attentions_layout():
    x = torch.randn(2, 5, 12)
    heads = sol.split_heads(x, 3)
    assert heads.shape == (2, 3, 5, 4)
    torch.testing.assert_close(heads[:, 1], x[..., 4:8])
    torch.testing.assert_close(heads.transpose(1, 2).reshape(2, 5, 12), x)


def test_cost_is_the_size_of_a_float32_tensor():
    weights = torch.empty(8, 64, 64)  # n = 64 stands for 4096: bytes scale as n^2
    mib_64 = weights.element_size() * weights.numel() / 2**20
    assert sol.cost["mib"] == mib_64 * (4096 / 64) ** 2
    assert sol.cost["factor"] == torch.empty(8, 128, 128).numel() / weights.numel()


def test_dot_variance_matches_a_simulation_and_weights_mib_a_tensor():
    q, k = torch.randn(100_000, 16), torch.randn(100_000, 16)
    dots = (q * k).sum(-1)
    assert abs(dots.var().item() - sol.dot_variance(16, False)) < 0.03 * 16
    assert abs((dots / 4).var().item() - sol.dot_variance(16, True)) < 0.03
    t = torch.empty(3, 300, 300)
    assert sol.weights_mib(300, 3) == t.element_size() * t.numel() / 2**20
    assert sol.weights_mib(4096, 8) == sol.cost["mib"]
