"""Hidden tests for exercises/11_applications (never shown to learners)."""

import torch

from attnlib.grading.spec import call

g = torch.Generator().manual_seed(1111)
weights = torch.softmax(torch.randn(6, 8, generator=g) * 3, dim=1)
relevant = torch.rand(6, 8, generator=g) > 0.6
relevant[:, 0] = True
scores = torch.randint(0, 5, (40,), generator=g).float() / 4  # many ties
labels = (torch.rand(40, generator=g) > 0.5).long()
labels[:2] = torch.tensor([0, 1])

CASES = {
    "11.1": [
        call(
            "se_gate",
            torch.randn(3, 8, 5, 4, generator=g) + 1.0,
            torch.randn(2, 8, generator=g),
            torch.randn(2, generator=g),
            torch.randn(8, 2, generator=g),
            torch.randn(8, generator=g),
            label="hidden: 8 channels, shifted map, biases",
        ),
    ],
    "11.2": [
        call(
            "target_attention",
            3 * torch.randn(4, 7, 16, generator=g),
            torch.randn(4, 16, generator=g),
            label="hidden: 4 users, E = 16, large scores",
        ),
        call(
            "target_attention",
            torch.randn(1, 3, 2, generator=g),
            torch.randn(1, 2, generator=g),
            label="hidden: one user",
        ),
    ],
    "11.3": [
        call("relevant_mass", weights, relevant, label="hidden: relevant_mass"),
        call("top1_hit", weights, relevant, label="hidden: top1_hit"),
    ],
    "11.4": [
        call("auc", scores, labels, label="hidden: 40 scores with ties"),
        call(
            "auc", torch.full((10,), 0.3), torch.tensor([0, 1] * 5), label="hidden: constant scores"
        ),
    ],
}
