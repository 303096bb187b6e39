"""Hidden tests for exercises/08_dates_seq2seq (never shown to learners)."""

import torch

from attnlib.grading.spec import call

g = torch.Generator().manual_seed(80)
B, S, K, D, A, E, T = 3, 7, 6, 5, 4, 3, 6
s = torch.randn(B, D, generator=g)
h = torch.randn(B, S, K, generator=g)
mask = torch.arange(S) < torch.tensor([7, 1, 4])[:, None]  # (B, S)
P = {
    "W": torch.randn(A, D, generator=g),
    "U": torch.randn(A, K, generator=g),
    "v": torch.randn(A, generator=g) * 2,
    "R": torch.randn(D, D, generator=g) * 0.5,
    "C": torch.randn(D, K, generator=g),
    "Y": torch.randn(D, E, generator=g),
}
y = torch.randn(B, T, E, generator=g)
alpha = torch.softmax(torch.randn(5, 8, generator=g) * 4, -1)

CASES = {
    "8.1": [
        call("additive_scores", s, h, P["W"], P["U"], P["v"], label="hidden: B = 3, S = 7, A = 4"),
        call(
            "additive_scores",
            s[:1] * 5,
            h[:1],
            P["W"],
            P["U"],
            -P["v"],
            label="hidden: saturated tanh",
        ),
    ],
    "8.2": [
        call("masked_step", [1.0, -2.0, 3.0, 0.5, 8.0, 8.0], [1.0, 0.0, 2.0, -1.0, 5.0, 5.0], 4),
        call("masked_step", [10.0, 2.0, -6.0, 0.0, 0.0], [-1.0, 1.5, 0.5, 0.0, 0.0], 3),
        call("masked_step", [3.0, 7.0], [0.25, -0.75], 2),
    ],
    "8.3": [
        call("attention_step", s, h, mask, P["W"], P["U"], P["v"], label="hidden: lengths 7, 1, 4"),
        call(
            "attention_step",
            s * 3,
            h,
            mask,
            P["W"],
            P["U"],
            P["v"] * 3,
            label="hidden: peaked scores",
        ),
    ],
    "8.4": [
        call("alignment_matrix", s, h, mask, y, P, label="hidden: T = 6, lengths 7, 1, 4"),
        call(
            "alignment_matrix",
            s[2:],
            h[2:],
            mask[2:],
            y[2:, :3],
            P,
            label="hidden: one source, T = 3",
        ),
    ],
    "8.5": [
        call(
            "read_alignment", alpha, "Tue, 3/5", label="hidden: read_alignment of a (5, 8) matrix"
        ),
        call("coverage", alpha, label="hidden: coverage of a (5, 8) matrix"),
        call(
            "read_alignment",
            alpha.T.softmax(-1),
            "12345",
            label="hidden: read_alignment of an (8, 5) matrix",
        ),
    ],
    "8.6": [
        call(
            "exact_match",
            ["1987-07-01", "", "2000-01-01x"],
            ["1987-07-01", "2011-11-11", "2000-01-01"],
            label="hidden: exact_match with an empty and a too long prediction",
        ),
        call(
            "char_accuracy",
            ["1987-07-01", "", "2000-01-01x", "2020-1-011"],
            ["1987-07-01", "2011-11-11", "2000-01-01", "2020-01-01"],
            label="hidden: char_accuracy with empty, long and shifted predictions",
        ),
    ],
    "8.7": [
        call("exact_if_independent", 0.95, 8),
        call("exact_if_independent", 0.999, 100),
    ],
}
