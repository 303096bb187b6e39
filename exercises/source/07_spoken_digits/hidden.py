"""Hidden tests for exercises/07_spoken_digits (never shown to learners)."""

import math

import torch

from attnlib.data.speech_features import mel_filterbank
from attnlib.grading.spec import call

g = torch.Generator().manual_seed(70)
t = torch.arange(600) / 8000
# 10 ms of silence, then two tones (300 Hz and 1800 Hz) over faint noise.
two_tones = torch.cat(
    [
        torch.zeros(80),
        0.3 * torch.sin(2 * math.pi * 300 * t)
        + 0.2 * torch.sin(2 * math.pi * 1800 * t)
        + 0.005 * torch.randn(600, generator=g),
    ]
)
bank12 = mel_filterbank(12, 128, 8000)  # (12, 65)
h = torch.randn(4, 7, 3, generator=g)
h[1, 1:] = 10.0  # large padding values
lengths = torch.tensor([7, 1, 3, 5])
w = torch.randn(3, generator=g)
scores = torch.randn(4, 7, generator=g)
scores[2, 3:] = 9.0
scores[3, 5:] = 9.0
batch = torch.stack(
    [two_tones[:480], torch.cat([0.05 * torch.randn(240, generator=g), torch.zeros(240)])]
)

CASES = {
    "7.1": [
        call(
            "hz_to_mel",
            torch.linspace(0, 8000, 9).reshape(3, 3),
            label="hidden: a (3, 3) grid up to 8 kHz",
        ),
        call(
            "mel_to_hz",
            torch.tensor([[250.0, 1500.0], [2500.0, 2840.0]]),
            label="hidden: a (2, 2) tensor of mels",
        ),
    ],
    "7.2": [
        call("framing_for", 24000, 16000, 400, 160, 0.5),
        call("framing_for", 33075, 22050, 512, 128, 1.0),
        call("framing_for", 4000, 8000, 200, 120, 0.02),
    ],
    "7.3": [
        call(
            "log_mel",
            two_tones,
            bank12,
            128,
            40,
            eps=1e-8,
            label="hidden: silence then two tones, 12 bands",
            rtol=1e-3,
            atol=1e-3,
        ),
        call(
            "log_mel",
            torch.zeros(256),
            mel_filterbank(6, 64, 8000),
            64,
            64,
            label="hidden: all silence, no overlap",
            rtol=1e-3,
            atol=1e-3,
        ),
        call(
            "log_mel",
            two_tones[100:228],
            bank12,
            128,
            40,
            label="hidden: exactly one frame",
            rtol=1e-3,
            atol=1e-3,
        ),
    ],
    "7.4": [
        call(
            "masked_attention_pool",
            h,
            w,
            lengths,
            label="hidden: lengths 7, 1, 3, 5 with large padding",
        ),
        call(
            "masked_attention_pool",
            h[:2] * 3,
            -w,
            torch.tensor([2, 7]),
            label="hidden: peaked scores",
        ),
    ],
    "7.5": [
        call("padding_effect", [1.0, -0.5, 2.0], 10),
        call("padding_effect", [-2.0, 3.0], 8),
        call("padding_effect", [0.5, 0.5, -1.0, 0.0, 1.5], 5),
    ],
    "7.6": [
        call("topk_frame_pool", h, scores, torch.tensor([7, 2, 3, 5]), 1, label="hidden: k = 1"),
        call(
            "topk_frame_pool",
            h,
            scores,
            torch.tensor([7, 4, 3, 5]),
            3,
            label="hidden: k = 3, padding scored highest",
        ),
    ],
    "7.7": [
        call(
            "frame_power_db", batch, 64, 16, eps=1e-8, label="hidden: a batch of two clips, hop 16"
        ),
        call("frame_power_db", two_tones, 128, 40, label="hidden: silence then two tones"),
        call(
            "voiced_mass",
            torch.softmax(scores, -1),
            20 * scores - 30,
            -25.0,
            label="hidden: 4 clips, -25 dB",
        ),
    ],
}
