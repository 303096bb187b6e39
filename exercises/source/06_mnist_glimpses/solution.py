"""Reference solutions, exercise set 06_mnist_glimpses: one section per answer cell.

The `# %% setup` section is the notebook's set-up cell; each `# %% N.k` section is the
reference answer to exercise N.k. Golden tests import this file as a module."""

# %% setup
import math  # noqa: F401  (the set-up cell imports it for the answers)

import torch


# %% 6.1
def extract_glimpse(image, row, col, size):
    half = size // 2
    padded = torch.nn.functional.pad(image, (half, size, half, size))  # zeros all around
    # Image pixel (r, c) is padded[r + half, c + half]: the patch from (row - half, col - half)
    return padded[row : row + size, col : col + size]  # (size, size)


# %% 6.2
def pixels_seen(height, width, size, centres):
    seen = torch.zeros(height, width, dtype=torch.bool)
    for row, col in centres:
        top, left = row - size // 2, col - size // 2
        seen[max(top, 0) : max(top + size, 0), max(left, 0) : max(left + size, 0)] = True
    return int(seen.sum())


# %% 6.3
def location_loss(mu, loc, sigma, reward, baseline):
    log_p = torch.distributions.Normal(mu, sigma).log_prob(loc).sum(-1)  # (N,)
    return -((reward - baseline) * log_p).mean()


# %% 6.4
why = "a"


def slice_slope(image, row, col, size, h):
    def total(r):
        return extract_glimpse(image, math.floor(r), col, size).sum().item()

    return (total(row + h) - total(row)) / h  # 0, or a jump divided by h


# %% 6.5
def expected_estimate(logits, rewards, before, after):
    pi = torch.softmax(logits, dim=-1)  # (K,)
    score = torch.eye(len(pi)) - pi  # (K, K): row l is grad log pi_l = e_l - pi
    # The baseline read before the choice: one number for every l, so its term sums to zero.
    return (pi * (rewards - before)) @ score  # (K,)
