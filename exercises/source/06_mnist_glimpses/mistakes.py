"""Planted mistakes of exercise set 06_mnist_glimpses: each `# %% N.k: name` section
replaces the answer to N.k and must lose points on it."""

# ruff: noqa: F811, B905  (sections redefine names; zip as learners write it)

import math

import torch


# %% 6.1: row and column swapped
def extract_glimpse(image, row, col, size):
    half = size // 2
    padded = torch.nn.functional.pad(image, (half, size, half, size))
    return padded[col : col + size, row : row + size]


# %% 6.1: clamped to the image (shifts at the border)
def extract_glimpse(image, row, col, size):
    H, W = image.shape
    top = min(max(row - size // 2, 0), H - size)
    left = min(max(col - size // 2, 0), W - size)
    return image[top : top + size, left : left + size]


# %% 6.1: location as the top-left corner
def extract_glimpse(image, row, col, size):
    padded = torch.nn.functional.pad(image, (0, size, 0, size))
    return padded[row : row + size, col : col + size]


# %% 6.2: overlaps counted twice
def pixels_seen(height, width, size, centres):
    total = 0
    for row, col in centres:
        top, left = row - size // 2, col - size // 2
        h = min(top + size, height) - max(top, 0)
        w = min(left + size, width) - max(left, 0)
        total += max(h, 0) * max(w, 0)
    return total


# %% 6.2: not clipped to the image
def pixels_seen(height, width, size, centres):
    cells = set()
    for row, col in centres:
        for r in range(row - size // 2, row - size // 2 + size):
            for c in range(col - size // 2, col - size // 2 + size):
                cells.add((r, c))
    return len(cells)


# %% 6.3: no log: the density itself
def location_loss(mu, loc, sigma, reward, baseline):
    p = torch.distributions.Normal(mu, sigma).log_prob(loc).sum(-1).exp()
    return -((reward - baseline) * p).mean()


# %% 6.3: baseline ignored
def location_loss(mu, loc, sigma, reward, baseline):
    log_p = torch.distributions.Normal(mu, sigma).log_prob(loc).sum(-1)
    return -(reward * log_p).mean()


# %% 6.3: sign flipped
def location_loss(mu, loc, sigma, reward, baseline):
    log_p = torch.distributions.Normal(mu, sigma).log_prob(loc).sum(-1)
    return ((reward - baseline) * log_p).mean()


# %% 6.4: variance myth
why = "c"


def slice_slope(image, row, col, size, h):
    def total(r):
        return extract_glimpse(image, math.floor(r), col, size).sum().item()

    return (total(row + h) - total(row)) / h


# %% 6.4: rounds instead of flooring
why = "a"


def slice_slope(image, row, col, size, h):
    def total(r):
        return extract_glimpse(image, round(r), col, size).sum().item()

    return (total(row + h) - total(row)) / h


# %% 6.4: speed
why = "b"


def slice_slope(image, row, col, size, h):
    def total(r):
        return extract_glimpse(image, math.floor(r), col, size).sum().item()

    return (total(row + h) - total(row)) / h


# %% 6.5: the baseline read after the glimpse
def expected_estimate(logits, rewards, before, after):
    pi = torch.softmax(logits, dim=-1)
    return (pi * (rewards - after)) @ (torch.eye(len(pi)) - pi)


# %% 6.5: score without the mean
def expected_estimate(logits, rewards, before, after):
    pi = torch.softmax(logits, dim=-1)
    return pi * (rewards - before)
