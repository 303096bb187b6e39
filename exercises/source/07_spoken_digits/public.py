"""Public test cases of exercise set 07_spoken_digits: `check("N.k")` runs them in the
learner's notebook. Each case names what the answer defines and its inputs; the expected
output is the reference solution's on the same inputs."""

import math

import torch

from attnlib.data.speech_features import mel_filterbank
from attnlib.grading.spec import call, value

_g = torch.Generator().manual_seed(7)
_t = torch.arange(320) / 8000
_tone = torch.cat(
    [
        0.5 * torch.sin(2 * math.pi * 500 * _t) + 0.01 * torch.randn(320, generator=_g),
        torch.zeros(160),
    ]
)
_noise = 0.1 * torch.randn(400, generator=_g)
_bank8 = mel_filterbank(8, 64, 8000)  # (8, 33): the library's HTK filterbank, test input for 7.3
_h = torch.randn(3, 6, 4, generator=_g)
_w = torch.randn(4, generator=_g)
_lengths = torch.tensor([6, 4, 2])
_scores = torch.randn(3, 6, generator=_g)
_scores[1, 4:] = 5.0
_scores[2, 2:] = 4.0

CASES = {
    "7.1": (
        call(
            "hz_to_mel",
            torch.tensor([0.0, 700.0, 1000.0, 4000.0]),
            label="hz_to_mel of 0, 700, 1000, 4000 Hz",
        ),
        call(
            "mel_to_hz",
            torch.tensor([0.0, 1000.0, 2146.0638]),
            label="mel_to_hz of 0, 1000, 2146 mel",
        ),
    ),
    "7.2": (
        value("framing", label="framing"),
        call(
            "framing_for", 8000, 8000, 256, 80, 0.1, label="framing_for(8000, 8000, 256, 80, 0.1)"
        ),
    ),
    "7.3": (
        call(
            "log_mel",
            _tone,
            _bank8,
            64,
            32,
            label="a 500 Hz tone then silence (n_fft 64, hop 32, 8 bands)",
            rtol=1e-3,
            atol=1e-3,
        ),
        call(
            "log_mel",
            _noise,
            _bank8,
            64,
            16,
            eps=1e-3,
            label="noise, hop 16, eps 1e-3",
            rtol=1e-3,
            atol=1e-3,
        ),
    ),
    "7.4": (
        call("masked_attention_pool", _h, _w, _lengths, label="lengths 6, 4, 2 of T = 6"),
        call("masked_attention_pool", _h[:1], _w, torch.tensor([6]), label="one clip, no padding"),
    ),
    "7.5": (
        value("padding", label="padding"),
        call("padding_effect", [0.0, 0.0, 0.0, 0.0], 12, label="padding_effect([0, 0, 0, 0], 12)"),
    ),
    "7.6": (
        call("topk_frame_pool", _h, _scores, _lengths, 2, label="k = 2, padding scored highest"),
        call(
            "topk_frame_pool", _h[:1], _scores[:1], torch.tensor([6]), 3, label="k = 3, no padding"
        ),
    ),
    "7.7": (
        call(
            "frame_power_db",
            _tone,
            64,
            32,
            label="frame_power_db: tone then silence, n_fft 64, hop 32",
        ),
        call(
            "voiced_mass",
            torch.softmax(_scores, -1),
            10 * _scores - 10,
            -12.0,
            label="voiced_mass: 3 clips, threshold -12 dB",
        ),
    ),
}
