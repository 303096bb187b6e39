"""Reference solutions, exercise set 07_spoken_digits: one section per answer cell.

The `# %% setup` section is the notebook's set-up cell; each `# %% N.k` section is the
reference answer to exercise N.k. Golden tests import this file as a module."""

# %% setup
import math

import torch

import attnlib


# %% 7.1
def hz_to_mel(f):
    return 2595 * torch.log10(1 + f / 700)


def mel_to_hz(m):
    return 700 * (10 ** (m / 2595) - 1)  # solve m = 2595 log10(1 + f/700) for f


# %% 7.2
framing = {
    "frames": 1 + (8000 - 256) // 80,  # 97
    "bins": 256 // 2 + 1,  # 129: 0 Hz to the Nyquist frequency
    "hz_per_bin": 8000 / 256,  # 31.25
    "mel_top": 2595 * math.log10(1 + 4000 / 700),  # 2146.06
    "sine_db": 10 * math.log10(0.1**2 / 2),  # mean of sin^2 is 1/2: -23.01 dB
}


def framing_for(n, sample_rate, n_fft, hop, amplitude):
    return {
        "frames": 1 + (n - n_fft) // hop,  # starts 0, H, 2H, ... up to n - N
        "bins": n_fft // 2 + 1,
        "hz_per_bin": sample_rate / n_fft,
        "mel_top": 2595 * math.log10(1 + (sample_rate / 2) / 700),
        "sine_db": 10 * math.log10(amplitude**2 / 2),
    }


# %% 7.3
def log_mel(waveform, bank, n_fft, hop_length, eps=1e-6):
    frames = waveform.unfold(-1, n_fft, hop_length)  # (T, N)
    window = torch.hann_window(n_fft, periodic=True, dtype=waveform.dtype)  # (N,)
    spectrum = torch.fft.rfft(frames * window, dim=-1)  # (T, K), K = N // 2 + 1
    power = spectrum.real**2 + spectrum.imag**2  # |X|^2
    mel = bank @ power.T  # (M, K) @ (K, T) -> (M, T)
    return torch.log(mel + eps)  # eps keeps silent frames finite


# %% 7.4
def masked_attention_pool(h, w, lengths):
    T = h.shape[1]
    mask = torch.arange(T) < lengths[:, None]  # (B, T): True on real frames
    scores = h @ w  # (B, T, C) @ (C,) -> (B, T)
    scores = scores.masked_fill(~mask, float("-inf"))  # padding: exp(-inf) = 0
    alpha = torch.softmax(scores, dim=-1)  # over time (every clip has a real frame)
    pooled = (alpha.unsqueeze(-1) * h).sum(1)  # (B, T, 1) * (B, T, C) -> (B, C)
    return pooled, alpha


# %% 7.5
padding = {"mass_on_padding": 8 / 12, "scale": 4 / 12, "what": "b"}


def padding_effect(scores, T):
    real = sum(math.exp(s) for s in scores)  # the masked softmax's normaliser
    pad = (T - len(scores)) * math.exp(0.0)  # each padding frame scores w . 0 = 0
    # unmasked weights are exp(s_t) / (real + pad); padding adds 0 to the sum of alpha_t h_t
    return {"mass_on_padding": pad / (real + pad), "scale": real / (real + pad)}


# %% 7.6
def topk_frame_pool(h, scores, lengths, k):
    mask = torch.arange(h.shape[1]) < lengths[:, None]  # (B, T)
    chosen = attnlib.topk_mask(scores.masked_fill(~mask, float("-inf")), k)  # (B, T) bool
    alpha = chosen.to(h.dtype) / k  # k-hot / k
    return (alpha.unsqueeze(-1) * h).sum(1), alpha  # (B, C), (B, T)


# %% 7.7
def frame_power_db(waveform, n_fft, hop_length, eps=1e-10):
    frames = waveform.unfold(-1, n_fft, hop_length)  # (..., T, N)
    power = frames.pow(2).mean(-1)  # (1/N) sum_m x^2: (..., T)
    return 10 * torch.log10(power + eps)


def voiced_mass(alpha, power_db, threshold_db):
    loud = (power_db >= threshold_db).to(alpha.dtype)  # (B, T)
    return (alpha * loud).sum(-1)  # (B,)
