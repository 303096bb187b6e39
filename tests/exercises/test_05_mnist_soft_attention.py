import math

import torch
import torch.nn as nn

from attnlib.grading.content import solution_module

sol = solution_module("05_mnist_soft_attention")


def test_spatial_attention_pool_is_torch_attention_over_positions():
    feats, w = torch.randn(2, 3, 4, 5), torch.randn(3)
    pooled, alpha = sol.spatial_attention_pool(feats, w)
    v = feats.flatten(2).transpose(1, 2)  # (B, N, C)
    want_alpha = torch.softmax(v @ w, -1)
    torch.testing.assert_close(alpha, want_alpha.view(2, 4, 5))
    torch.testing.assert_close(pooled, torch.bmm(want_alpha[:, None], v)[:, 0])


def test_positions_match_the_network():
    net = nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1),
        nn.MaxPool2d(2, 2),
        nn.Conv2d(2, 2, 3, padding=1),
        nn.MaxPool2d(2, 2),
    )
    n = net(torch.zeros(1, 1, 28, 28)).shape[-2:].numel()
    assert sol.positions["n"] == n
    assert math.isclose(
        sol.positions["uniform"], torch.softmax(torch.zeros(n), 0)[0].item(), rel_tol=1e-6
    )


def test_attention_entropy_is_torch_distributions_entropy():
    alpha = torch.softmax(torch.randn(3, 4, 4), -1).flatten(1)
    alpha = alpha / alpha.sum(-1, keepdim=True)
    want = torch.distributions.Categorical(probs=alpha).entropy()
    torch.testing.assert_close(sol.attention_entropy(alpha.view(3, 4, 4)), want)
    one_hot = torch.zeros(1, 2, 2)
    one_hot[0, 1, 1] = 1
    assert sol.attention_entropy(one_hot).item() == 0.0


def test_posthoc_map_is_a_reshaped_torch_softmax():
    act = torch.randn(2, 12)
    torch.testing.assert_close(sol.posthoc_map(act, 3, 4), torch.softmax(act, -1).view(2, 3, 4))
    assert sol.posthoc == "b"


def test_attention_positions_match_the_network():
    for size, blocks in [(28, 2), (32, 2), (28, 3)]:
        layers = []
        for _ in range(blocks):
            layers += [nn.Conv2d(1, 1, 3, padding=1), nn.MaxPool2d(2, 2)]
        n = nn.Sequential(*layers)(torch.zeros(1, 1, size, size)).shape[-2:].numel()
        assert sol.attention_positions(size, blocks) == n
