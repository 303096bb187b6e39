"""Handout stubs, exercise set 06_mnist_glimpses: each `# %% N.k` section is the answer cell
learners start from; it must score zero."""


# %% 6.1
def extract_glimpse(image, row, col, size):
    raise NotImplementedError("write extract_glimpse")


# %% 6.2
def pixels_seen(height, width, size, centres):
    raise NotImplementedError("write pixels_seen")


# %% 6.3
def location_loss(mu, loc, sigma, reward, baseline):
    raise NotImplementedError("write location_loss")


# %% 6.4
why = None


def slice_slope(image, row, col, size, h):
    raise NotImplementedError("write slice_slope")


# %% 6.5
def expected_estimate(logits, rewards, before, after):
    raise NotImplementedError("write expected_estimate")
