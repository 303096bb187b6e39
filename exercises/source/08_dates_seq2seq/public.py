"""Public test cases of exercise set 08_dates_seq2seq: `check("N.k")` runs them in the
learner's notebook. Each case names what the answer defines and its inputs; the expected
output is the reference solution's on the same inputs."""

import math

import torch

from attnlib.grading.spec import call, value

_g = torch.Generator().manual_seed(8)
_B, _S, _K, _D, _A, _E, _T = 2, 5, 4, 3, 6, 2, 4
_s = torch.randn(_B, _D, generator=_g)
_h = torch.randn(_B, _S, _K, generator=_g)
_mask = torch.tensor([[True] * 5, [True] * 3 + [False] * 2])
_P = {
    "W": torch.randn(_A, _D, generator=_g),
    "U": torch.randn(_A, _K, generator=_g),
    "v": torch.randn(_A, generator=_g),
    "R": torch.randn(_D, _D, generator=_g) * 0.5,
    "C": torch.randn(_D, _K, generator=_g),
    "Y": torch.randn(_D, _E, generator=_g),
}
_y = torch.randn(_B, _T, _E, generator=_g)
_alpha = torch.softmax(torch.randn(4, 6, generator=_g) * 3, -1)

CASES = {
    "8.1": (
        call("additive_scores", _s, _h, _P["W"], _P["U"], _P["v"], label="B = 2, S = 5, A = 6"),
        call(
            "additive_scores",
            torch.zeros(1, 3),
            torch.ones(1, 2, 4),
            torch.ones(6, 3),
            torch.full((6, 4), 0.25),
            torch.ones(6),
            label="s = 0, h = 1: every score 6 tanh(1)",
        ),
    ),
    "8.2": (
        value("by_hand", label="by_hand"),
        call(
            "masked_step",
            [2.0, 4.0, 6.0, 10.0],
            [0.0, math.log(2), math.log(5), 3.0],
            3,
            label="masked_step([2, 4, 6, 10], [0, ln 2, ln 5, 3], 3)",
        ),
    ),
    "8.3": (
        call(
            "attention_step",
            _s,
            _h,
            _mask,
            _P["W"],
            _P["U"],
            _P["v"],
            label="source lengths 5 and 3, padded to 5",
        ),
        call(
            "attention_step",
            _s[:1],
            _h[:1],
            _mask[:1],
            _P["W"],
            _P["U"],
            _P["v"],
            label="one source, no padding",
        ),
    ),
    "8.4": (
        call(
            "alignment_matrix",
            _s,
            _h,
            _mask,
            _y,
            _P,
            label="B = 2, T = 4, S = 5, one padded source",
        ),
        call(
            "alignment_matrix",
            _s[1:],
            _h[1:],
            _mask[1:],
            _y[1:, :1],
            _P,
            label="a single step (T = 1)",
        ),
    ),
    "8.5": (
        call(
            "read_alignment", _alpha, "3 May!", label="read_alignment: 4 outputs, source '3 May!'"
        ),
        call("coverage", _alpha, label="coverage of a (4, 6) alignment"),
    ),
    "8.6": (
        call(
            "exact_match",
            ["2021-03-05", "2021-03-06", "1999-12-31"],
            ["2021-03-05", "2021-03-05", "1999-12-13"],
            label="exact_match: 1 of 3 right",
        ),
        call(
            "char_accuracy",
            ["2021-03-05", "2021-03-06", "1999-12-31"],
            ["2021-03-05", "2021-03-05", "1999-12-13"],
            label="char_accuracy: 27 of 30 characters",
        ),
        call(
            "char_accuracy",
            ["2021-03", "1999-12-31"],
            ["2021-03-05", "1999-12-31"],
            label="char_accuracy: a prediction that stops early",
        ),
    ),
    "8.7": [
        value("decoding", label="decoding", rtol=2e-3),
        call("exact_if_independent", 0.99, 10, label="p = 0.99, 10 characters"),
    ],
}
