"""Exercises for chapter 6, glimpses: extracting a patch at a location, counting the pixels
a model sees, the REINFORCE loss of a Gaussian location policy, and why locations need it."""

import torch

from attnlib.grading.spec import ExerciseSet, Question, call, value

_img = torch.arange(36.0).reshape(6, 6)

GLIMPSE = Question(
    id="6.1",
    title="Extract a glimpse",
    kind="implement",
    points=3,
    prompt=r"""
Write `extract_glimpse(image, row, col, size)` for an `(H, W)` image: return the
`(size, size)` patch whose top-left pixel is at `(row - size // 2, col - size // 2)`, so that
`(row, col)` is its centre for odd `size`. Pixels outside the image are 0 (zero padding):
a glimpse near the border must not shift inwards.
""",
    stub='''def extract_glimpse(image, row, col, size):
    raise NotImplementedError("write extract_glimpse")''',
    solution='''def extract_glimpse(image, row, col, size):
    half = size // 2
    padded = torch.nn.functional.pad(image, (half, size, half, size))  # zeros all around
    # Image pixel (r, c) is padded[r + half, c + half]: the patch from (row - half, col - half)
    return padded[row:row + size, col:col + size]  # (size, size)''',
    hint="pad the image with zeros (torch.nn.functional.pad) before slicing; rows are the "
         "first index, columns the second.",
    public=(
        call("extract_glimpse", _img, 2, 3, 3, label="3×3 at (2, 3), inside"),
        call("extract_glimpse", _img, 0, 0, 3, label="3×3 at the corner (0, 0)"),
    ),
    wrong={
        "row and column swapped": '''def extract_glimpse(image, row, col, size):
    half = size // 2
    padded = torch.nn.functional.pad(image, (half, size, half, size))
    return padded[col:col + size, row:row + size]''',
        "clamped to the image (shifts at the border)": '''def extract_glimpse(image, row, col, size):
    H, W = image.shape
    top = min(max(row - size // 2, 0), H - size)
    left = min(max(col - size // 2, 0), W - size)
    return image[top:top + size, left:left + size]''',
        "location as the top-left corner": '''def extract_glimpse(image, row, col, size):
    padded = torch.nn.functional.pad(image, (0, size, 0, size))
    return padded[row:row + size, col:col + size]''',
    },
)

SEEN = Question(
    id="6.2",
    title="How many pixels does the model see",
    kind="implement",
    points=2,
    prompt=r"""
Write `pixels_seen(height, width, size, centres)`: the number of distinct image pixels
covered by glimpses of `size`×`size` at the given `(row, col)` centres (same placement as
6.1), counting overlaps once and nothing outside the image. Return an int.
""",
    stub='''def pixels_seen(height, width, size, centres):
    raise NotImplementedError("write pixels_seen")''',
    solution='''def pixels_seen(height, width, size, centres):
    seen = torch.zeros(height, width, dtype=torch.bool)
    for row, col in centres:
        top, left = row - size // 2, col - size // 2
        seen[max(top, 0):max(top + size, 0), max(left, 0):max(left + size, 0)] = True
    return int(seen.sum())''',
    hint="mark the covered pixels in a boolean (height, width) grid and count them at the "
         "end; clip each glimpse to the image.",
    public=(
        call("pixels_seen", 28, 28, 8, [[14, 14]], label="one glimpse inside"),
        call("pixels_seen", 28, 28, 8, [[14, 14], [16, 14]], label="two overlapping glimpses"),
    ),
    wrong={
        "overlaps counted twice": '''def pixels_seen(height, width, size, centres):
    total = 0
    for row, col in centres:
        top, left = row - size // 2, col - size // 2
        h = min(top + size, height) - max(top, 0)
        w = min(left + size, width) - max(left, 0)
        total += max(h, 0) * max(w, 0)
    return total''',
        "not clipped to the image": '''def pixels_seen(height, width, size, centres):
    cells = set()
    for row, col in centres:
        for r in range(row - size // 2, row - size // 2 + size):
            for c in range(col - size // 2, col - size // 2 + size):
                cells.add((r, c))
    return len(cells)''',
    },
)

LOCATION_LOSS = Question(
    id="6.3",
    title="The REINFORCE loss for glimpse locations",
    kind="implement",
    points=3,
    prompt=r"""
The location network outputs a mean $\mu \in \mathbb{R}^2$; the location is sampled as
$\ell \sim \mathcal{N}(\mu, \sigma^2 I)$ and the episode earns reward $r$ (1 if the digit was
classified correctly). Write `location_loss(mu, loc, sigma, reward, baseline)` for `mu`,
`loc` `(N, 2)`, a float `sigma`, `reward` and `baseline` `(N,)`: the surrogate loss whose
gradient with respect to `mu` is minus the REINFORCE estimate,

$$\mathcal{L} = -\frac{1}{N}\sum_n (r_n - b_n)\, \log \mathcal{N}(\ell_n; \mu_n, \sigma^2 I),$$

with $\log \mathcal{N}$ summed over the two coordinates (constants included). Return a 0-d
tensor.
""",
    stub='''def location_loss(mu, loc, sigma, reward, baseline):
    raise NotImplementedError("write location_loss")''',
    solution='''def location_loss(mu, loc, sigma, reward, baseline):
    log_p = torch.distributions.Normal(mu, sigma).log_prob(loc).sum(-1)  # (N,)
    return -((reward - baseline) * log_p).mean()''',
    hint="log N(l; mu, sigma^2) = -(l - mu)^2 / (2 sigma^2) - log(sigma) - log(2 pi) / 2 per "
         "coordinate (torch.distributions.Normal(...).log_prob); weight it by reward - baseline.",
    public=(
        call("location_loss", torch.tensor([[0.0, 0.0]]), torch.tensor([[0.1, -0.2]]), 0.2,
             torch.tensor([1.0]), torch.tensor([0.5]), label="one sample"),
        call("location_loss", torch.tensor([[0.0, 0.5], [0.3, -0.1]]),
             torch.tensor([[0.2, 0.4], [0.1, 0.1]]), 0.1, torch.tensor([1.0, 0.0]),
             torch.tensor([0.6, 0.6]), label="two samples"),
    ),
    wrong={
        "no log: the density itself": '''def location_loss(mu, loc, sigma, reward, baseline):
    p = torch.distributions.Normal(mu, sigma).log_prob(loc).sum(-1).exp()
    return -((reward - baseline) * p).mean()''',
        "baseline ignored": '''def location_loss(mu, loc, sigma, reward, baseline):
    log_p = torch.distributions.Normal(mu, sigma).log_prob(loc).sum(-1)
    return -(reward * log_p).mean()''',
        "sign flipped": '''def location_loss(mu, loc, sigma, reward, baseline):
    log_p = torch.distributions.Normal(mu, sigma).log_prob(loc).sum(-1)
    return ((reward - baseline) * log_p).mean()''',
    },
)

WHY = Question(
    id="6.4",
    title="Why locations need REINFORCE",
    kind="predict",
    points=2,
    prompt=r"""
The glimpse of 6.1 is taken at integer `(row, col)`. What is the gradient of the glimpse's
pixels with respect to `row`, and why is the location network trained with REINFORCE rather
than by backpropagation? (a) integer indexing is piecewise constant in the location, so that
gradient is zero or undefined; REINFORCE needs only the log-probability of the sampled
location; (b) backpropagation through a glimpse is too slow; (c) REINFORCE has lower
variance than backpropagation. Set `why = "a"`, `"b"` or `"c"` and explain below.
""",
    stub="why = None",
    solution='why = "a"',
    hint="can a small change of row change which pixels are sliced?",
    public=(value("why", label="why"),),
    wrong={"variance myth": 'why = "c"', "speed": 'why = "b"'},
    explanation="Slicing at an integer location is piecewise constant, so no gradient reaches "
                "the location. The score-function estimator needs only "
                "$\\nabla_\\mu \\log p(\\ell \\mid \\mu)$, which exists for the Gaussian policy; "
                "its price is high variance, which the baseline reduces.",
)

SET = ExerciseSet(
    name="06_mnist_glimpses",
    chapter="chapters/06_mnist_glimpses",
    title="Exercises: glimpses and the recurrent attention model",
    intro="Four exercises on chapter 6, on small tensors (no training, no dataset): extracting "
          "a glimpse, counting what the model sees, the REINFORCE loss for locations, and why "
          "locations need it.",
    setup="import math\nimport torch",
    questions=(GLIMPSE, SEEN, LOCATION_LOSS, WHY),
)
