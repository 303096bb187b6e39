import torch
import torch.nn.functional as F

from attnlib.grading.content import solution_module

sol = solution_module("06_mnist_glimpses")


def _torch_glimpse(image, row, col, size):
    # unfold with zero padding: the patch whose top-left is (row - size//2, col - size//2)
    pad = size
    patches = F.unfold(F.pad(image, (pad, pad, pad, pad))[None, None], size)
    width = image.shape[1] + 2 * pad - size + 1
    index = (row - size // 2 + pad) * width + (col - size // 2 + pad)
    return patches[0, :, index].view(size, size)


def test_extract_glimpse_matches_unfold_inside_and_at_the_border():
    image = torch.randn(9, 11)
    for row, col, size in [(4, 5, 3), (0, 0, 5), (8, 10, 4), (1, 9, 7)]:
        torch.testing.assert_close(
            sol.extract_glimpse(image, row, col, size), _torch_glimpse(image, row, col, size)
        )


def test_pixels_seen_counts_the_union_of_glimpses():
    centres = [(0, 0), (2, 3), (3, 3), (8, 1)]
    seen = torch.zeros(9, 7)
    for row, col in centres:  # the glimpse of an all-ones image, placed back where it came from
        patch = _torch_glimpse(torch.ones(9, 7), row, col, 3)
        for i in range(3):
            for j in range(3):
                r, c = row - 1 + i, col - 1 + j
                if 0 <= r < 9 and 0 <= c < 7 and patch[i, j] == 1:
                    seen[r, c] = 1
    assert sol.pixels_seen(9, 7, 3, centres) == int(seen.sum())


def test_location_loss_gradient_is_minus_the_reinforce_estimate():
    mu = torch.randn(4, 2, requires_grad=True)
    loc, reward, baseline = (
        torch.randn(4, 2),
        torch.tensor([1.0, 0.0, 1.0, 1.0]),
        torch.full((4,), 0.5),
    )
    loss = sol.location_loss(mu, loc, 0.3, reward, baseline)
    (grad,) = torch.autograd.grad(loss, mu)
    # d/dmu log N(l; mu, s^2) = (l - mu) / s^2
    want = -((reward - baseline)[:, None] * (loc - mu.detach()) / 0.09) / 4
    torch.testing.assert_close(grad, want)
    log_p = torch.distributions.MultivariateNormal(mu.detach(), 0.09 * torch.eye(2)).log_prob(loc)
    torch.testing.assert_close(loss.detach(), -((reward - baseline) * log_p).mean())


def test_why_reinforce_integer_indexing_has_no_gradient():
    row = torch.tensor(3.0, requires_grad=True)
    patch = torch.arange(25.0).view(5, 5)[int(row.item())]
    assert not patch.requires_grad
    assert sol.why == "a"


def test_expected_estimate_is_autograds_gradient_of_the_expected_reward():
    g = torch.Generator().manual_seed(6)
    for K in (2, 3, 7):
        logits = torch.randn(K, generator=g, requires_grad=True)
        rewards = torch.rand(K, generator=g)
        after = torch.rand(K, generator=g) * 3
        (exact,) = torch.autograd.grad((torch.softmax(logits, -1) * rewards).sum(), logits)
        got = sol.expected_estimate(logits.detach(), rewards, 0.7, after)
        torch.testing.assert_close(got, exact)
        # A baseline read after the glimpse (one value per place) biases it.
        pi = torch.softmax(logits.detach(), -1)
        biased = (pi * (rewards - after)) @ (torch.eye(K) - pi)
        assert (biased - exact).abs().max() > 1e-3


def test_slice_slope_is_zero_between_integers_and_a_jump_over_h_across_one():
    image = torch.arange(36.0).reshape(6, 6)
    assert sol.slice_slope(image, 2.3, 3, 3, 0.5) == 0.0  # floor(2.3) = floor(2.8)
    jump = sol.extract_glimpse(image, 3, 3, 3).sum() - sol.extract_glimpse(image, 2, 3, 3).sum()
    assert sol.slice_slope(image, 2.7, 3, 3, 0.5) == jump.item() / 0.5
    # The jump does not shrink with h: the slope grows without bound as h -> 0 across an integer.
    assert sol.slice_slope(image, 2.99, 3, 3, 0.02) == jump.item() / 0.02
