"""Planted mistakes of exercise set 07_spoken_digits: each `# %% N.k: name` section
replaces the answer to N.k and must lose points on it."""

# ruff: noqa: F811, B905  (sections redefine names; zip as learners write it)
import math

import torch

import attnlib


# %% 7.1: natural log with 2595
def hz_to_mel(f):
    return 2595 * torch.log(1 + f / 700)


def mel_to_hz(m):
    return 700 * (torch.exp(m / 2595) - 1)


# %% 7.1: Hz and mel swapped
def hz_to_mel(f):
    return 700 * (10 ** (f / 2595) - 1)


def mel_to_hz(m):
    return 2595 * torch.log10(1 + m / 700)


# %% 7.1: inverse forgets the 1
def hz_to_mel(f):
    return 2595 * torch.log10(1 + f / 700)


def mel_to_hz(m):
    return 700 * 10 ** (m / 2595)


# %% 7.2: n / H frames and N bins
framing = {
    "frames": 100,
    "bins": 256,
    "hz_per_bin": 31.25,
    "mel_top": 2595 * math.log10(1 + 4000 / 700),
    "sine_db": 10 * math.log10(0.1**2 / 2),
}


def framing_for(n, sample_rate, n_fft, hop, amplitude):
    return {
        "frames": n // hop,
        "bins": n_fft,
        "hz_per_bin": sample_rate / n_fft,
        "mel_top": 2595 * math.log10(1 + (sample_rate / 2) / 700),
        "sine_db": 10 * math.log10(amplitude**2 / 2),
    }


# %% 7.2: centred (padded) frames
framing = {
    "frames": 101,
    "bins": 129,
    "hz_per_bin": 31.25,
    "mel_top": 2595 * math.log10(1 + 4000 / 700),
    "sine_db": 10 * math.log10(0.1**2 / 2),
}


def framing_for(n, sample_rate, n_fft, hop, amplitude):
    return {
        "frames": 1 + n // hop,
        "bins": n_fft // 2 + 1,
        "hz_per_bin": sample_rate / n_fft,
        "mel_top": 2595 * math.log10(1 + (sample_rate / 2) / 700),
        "sine_db": 10 * math.log10(amplitude**2 / 2),
    }


# %% 7.2: natural-log mel, amplitude not power
framing = {
    "frames": 97,
    "bins": 129,
    "hz_per_bin": 31.25,
    "mel_top": 2595 * math.log(1 + 4000 / 700),
    "sine_db": 10 * math.log10(0.1),
}


def framing_for(n, sample_rate, n_fft, hop, amplitude):
    return {
        "frames": 1 + (n - n_fft) // hop,
        "bins": n_fft // 2 + 1,
        "hz_per_bin": sample_rate / n_fft,
        "mel_top": 2595 * math.log(1 + (sample_rate / 2) / 700),
        "sine_db": 10 * math.log10(amplitude),
    }


# %% 7.2: right numbers at 8 kHz, the top frequency fixed at 4000 Hz
framing = {
    "frames": 97,
    "bins": 129,
    "hz_per_bin": 31.25,
    "mel_top": 2595 * math.log10(1 + 4000 / 700),
    "sine_db": 10 * math.log10(0.1**2 / 2),
}


def framing_for(n, sample_rate, n_fft, hop, amplitude):
    return {
        "frames": 1 + (n - n_fft) // hop,
        "bins": n_fft // 2 + 1,
        "hz_per_bin": sample_rate / n_fft,
        "mel_top": 2595 * math.log10(1 + 4000 / 700),
        "sine_db": 10 * math.log10(amplitude**2 / 2),
    }


# %% 7.3: log of zero energy (no epsilon)
def log_mel(waveform, bank, n_fft, hop_length, eps=1e-6):
    frames = waveform.unfold(-1, n_fft, hop_length)
    window = torch.hann_window(n_fft, periodic=True, dtype=waveform.dtype)
    power = torch.fft.rfft(frames * window, dim=-1).abs() ** 2
    return torch.log(bank @ power.T)


# %% 7.3: no window
def log_mel(waveform, bank, n_fft, hop_length, eps=1e-6):
    frames = waveform.unfold(-1, n_fft, hop_length)
    power = torch.fft.rfft(frames, dim=-1).abs() ** 2
    return torch.log(bank @ power.T + eps)


# %% 7.3: magnitude, not power
def log_mel(waveform, bank, n_fft, hop_length, eps=1e-6):
    frames = waveform.unfold(-1, n_fft, hop_length)
    window = torch.hann_window(n_fft, periodic=True, dtype=waveform.dtype)
    magnitude = torch.fft.rfft(frames * window, dim=-1).abs()
    return torch.log(bank @ magnitude.T + eps)


# %% 7.3: symmetric Hann window
def log_mel(waveform, bank, n_fft, hop_length, eps=1e-6):
    frames = waveform.unfold(-1, n_fft, hop_length)
    window = torch.hann_window(n_fft, periodic=False, dtype=waveform.dtype)
    power = torch.fft.rfft(frames * window, dim=-1).abs() ** 2
    return torch.log(bank @ power.T + eps)


# %% 7.4: padding not masked
def masked_attention_pool(h, w, lengths):
    alpha = torch.softmax(h @ w, dim=-1)
    return (alpha.unsqueeze(-1) * h).sum(1), alpha


# %% 7.4: softmax over the features
def masked_attention_pool(h, w, lengths):
    mask = torch.arange(h.shape[1]) < lengths[:, None]
    a = torch.softmax(h * w, dim=-1) * mask.unsqueeze(-1)  # (B, T, C), over C
    alpha = a.sum(-1) / a.sum((1, 2)).unsqueeze(-1)
    return (a * h).sum(1), alpha


# %% 7.4: off by one (t <= length)
def masked_attention_pool(h, w, lengths):
    mask = torch.arange(h.shape[1]) <= lengths[:, None]
    alpha = attnlib.softmax(h @ w, dim=-1, mask=mask)
    return (alpha.unsqueeze(-1) * h).sum(1), alpha


# %% 7.4: mean over real frames
def masked_attention_pool(h, w, lengths):
    mask = (torch.arange(h.shape[1]) < lengths[:, None]).float()
    alpha = mask / mask.sum(-1, keepdim=True)
    return (alpha.unsqueeze(-1) * h).sum(1), alpha


# %% 7.5: zeros are harmless
padding = {"mass_on_padding": 0.0, "scale": 1.0, "what": "a"}


def padding_effect(scores, T):
    return {"mass_on_padding": 0.0, "scale": 1.0}


# %% 7.5: right letter, frames counted instead of weighed
padding = {"mass_on_padding": 8 / 12, "scale": 4 / 12, "what": "b"}


def padding_effect(scores, T):
    return {"mass_on_padding": (T - len(scores)) / T, "scale": len(scores) / T}


# %% 7.5: right letter, mass and scale swapped
padding = {"mass_on_padding": 4 / 12, "scale": 8 / 12, "what": "b"}


def padding_effect(scores, T):
    real = sum(math.exp(s) for s in scores)
    pad = T - len(scores)
    return {"mass_on_padding": real / (real + pad), "scale": pad / (real + pad)}


# %% 7.6: padding can be chosen
def topk_frame_pool(h, scores, lengths, k):
    alpha = attnlib.topk_mask(scores, k).to(h.dtype) / k
    return (alpha.unsqueeze(-1) * h).sum(1), alpha


# %% 7.6: sum, not average
def topk_frame_pool(h, scores, lengths, k):
    mask = torch.arange(h.shape[1]) < lengths[:, None]
    alpha = attnlib.topk_mask(scores.masked_fill(~mask, float("-inf")), k).to(h.dtype)
    return (alpha.unsqueeze(-1) * h).sum(1), alpha


# %% 7.6: softmax weights on the chosen frames
def topk_frame_pool(h, scores, lengths, k):
    mask = torch.arange(h.shape[1]) < lengths[:, None]
    chosen = attnlib.topk_mask(scores.masked_fill(~mask, float("-inf")), k)
    alpha = attnlib.softmax(scores, dim=-1, mask=chosen)
    return (alpha.unsqueeze(-1) * h).sum(1), alpha


# %% 7.7: forgot the 1/N
def frame_power_db(waveform, n_fft, hop_length, eps=1e-10):
    power = waveform.unfold(-1, n_fft, hop_length).pow(2).sum(-1)
    return 10 * torch.log10(power + eps)


def voiced_mass(alpha, power_db, threshold_db):
    return (alpha * (power_db >= threshold_db)).sum(-1)


# %% 7.7: log of zero power (no epsilon)
def frame_power_db(waveform, n_fft, hop_length, eps=1e-10):
    power = waveform.unfold(-1, n_fft, hop_length).pow(2).mean(-1)
    return 10 * torch.log10(power)


def voiced_mass(alpha, power_db, threshold_db):
    return (alpha * (power_db >= threshold_db)).sum(-1)


# %% 7.7: fraction of loud frames, not mass
def frame_power_db(waveform, n_fft, hop_length, eps=1e-10):
    power = waveform.unfold(-1, n_fft, hop_length).pow(2).mean(-1)
    return 10 * torch.log10(power + eps)


def voiced_mass(alpha, power_db, threshold_db):
    return (power_db >= threshold_db).float().mean(-1)


# %% 7.7: natural log, quiet frames counted
def frame_power_db(waveform, n_fft, hop_length, eps=1e-10):
    power = waveform.unfold(-1, n_fft, hop_length).pow(2).mean(-1)
    return 10 * torch.log(power + eps)


def voiced_mass(alpha, power_db, threshold_db):
    return (alpha * (power_db < threshold_db)).sum(-1)
