"""Hidden tests for exercises/09_attention_analysis (never shown to learners)."""

import torch

from attnlib.grading.spec import call

g = torch.Generator().manual_seed(90)
w = torch.softmax(torch.randn(4, 6, generator=g), dim=-1)
mask = torch.rand(4, 6, generator=g) > 0.3
mask[0] = True
mask[3] = False
w_masked = torch.where(mask, w, torch.zeros_like(w))
w_masked = w_masked / w_masked.sum(-1, keepdim=True).clamp_min(1e-12)
w_masked = torch.where(mask, w_masked, torch.full_like(w, 0.2))  # leftovers under the mask
layers = torch.softmax(2 * torch.randn(2, 5, 5, generator=g), dim=-1)
W = torch.randn(3, 4, generator=g)

CASES = {
    "9.1": [call("masked_entropy", w_masked, mask, label="hidden: random masks with leftovers")],
    "9.2": [call("rollout_two_layers", layers[0], layers[1], label="hidden: five tokens")],
    "9.3": [
        call(
            "deletion_area",
            torch.tensor([0.95, 0.8, 0.7, 0.4, 0.3, 0.2, 0.1, 0.1, 0.05]),
            label="hidden: U = 8",
        ),
    ],
    "9.4": [
        call(
            "kendall_tau",
            torch.randperm(9, generator=g).float(),
            torch.randperm(9, generator=g).float(),
            label="hidden: two random orders of 9",
        ),
    ],
    "9.5": [
        call(
            "integrated_gradients",
            W,
            torch.randn(4, generator=g),
            0.1 * torch.ones(4),
            64,
            label="hidden: h = 3, d = 4, m = 64",
        ),
    ],
}
