"""Specification of attnlib.data.speech_features: log-mel features against librosa and numpy
derivation, properties of the mel scale and of the padding, and bad inputs."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlib.data.speech_features import (
    Utterances,
    active_frames,
    floor_dynamic_range,
    frame_energy_db,
    frames,
    hz_to_mel,
    log_mel_spectrogram,
    log_mel_utterances,
    mel_filterbank,
    mel_to_hz,
    normalise,
    num_frames,
    power_spectrogram,
)

BANKS = [  # (n_mels, n_fft, sample_rate, f_min, f_max)
    (40, 256, 8000, 0.0, None),
    (23, 512, 16000, 20.0, 7600.0),
    (80, 400, 16000, 0.0, None),
    (10, 128, 8000, 300.0, 3400.0),
]


def _clip(n, seed=0):
    return torch.randn(n, generator=torch.Generator().manual_seed(seed)) * 0.1


def numpy_mel_filterbank(n_mels, n_fft, sr, f_min, f_max):
    """Independent derivation: HTK mel edges, then each triangle as two interpolations."""
    f_max = sr / 2 if f_max is None else f_max

    def mel(f):
        return 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)

    edges = 700.0 * (10 ** (np.linspace(mel(f_min), mel(f_max), n_mels + 2) / 2595.0) - 1)
    freqs = np.arange(n_fft // 2 + 1) * sr / n_fft
    bank = np.zeros((n_mels, len(freqs)))
    for j in range(n_mels):
        lo, mid, hi = edges[j : j + 3]
        bank[j] = np.interp(freqs, [lo, mid, hi], [0.0, 1.0, 0.0], left=0.0, right=0.0)
    return bank


@pytest.mark.parametrize("n_mels, n_fft, sr, f_min, f_max", BANKS)
def test_filterbank_equals_librosa_htk_without_norm(n_mels, n_fft, sr, f_min, f_max):
    librosa = pytest.importorskip("librosa")
    # librosa's default is the Slaney mel scale with area normalisation: ask for HTK, no norm.
    expected = librosa.filters.mel(
        sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=f_min, fmax=f_max, htk=True, norm=None
    )
    ours = mel_filterbank(n_mels, n_fft, sr, f_min=f_min, f_max=f_max)
    np.testing.assert_allclose(ours.numpy(), expected, atol=1e-5)


@pytest.mark.parametrize("n_mels, n_fft, sr, f_min, f_max", BANKS)
def test_filterbank_equals_an_independent_numpy_derivation(n_mels, n_fft, sr, f_min, f_max):
    expected = numpy_mel_filterbank(n_mels, n_fft, sr, f_min, f_max)
    ours = mel_filterbank(n_mels, n_fft, sr, f_min=f_min, f_max=f_max)
    np.testing.assert_allclose(ours.numpy(), expected, atol=1e-5)


def test_filters_are_triangles_that_overlap_by_half():
    bank = mel_filterbank(40, 1024, 8000)
    assert bank.min() >= 0 and bank.max() <= 1
    peaks = bank.argmax(-1)
    assert (peaks.diff() > 0).all()  # centres increase with the band index
    # Between two neighbouring centres the two triangles cross and sum to 1.
    inner = bank[:, peaks[0] + 1 : peaks[-1]].sum(0)
    torch.testing.assert_close(inner, torch.ones_like(inner), atol=1e-5, rtol=0)


def test_mel_scale_fixes_1000_hz_and_is_nearly_linear_below_it():
    assert hz_to_mel(1000.0).item() == pytest.approx(1000.0, abs=0.1)
    assert hz_to_mel(0.0).item() == 0.0
    assert hz_to_mel(100.0).item() == pytest.approx(150.5, abs=0.1)


@given(st.floats(0, 20000, allow_nan=False))
def test_mel_to_hz_inverts_hz_to_mel(f):
    assert mel_to_hz(hz_to_mel(f)).item() == pytest.approx(f, abs=1e-6, rel=1e-9)


@settings(deadline=None)
@given(st.integers(0, 3000), st.sampled_from([64, 256]), st.integers(8, 200))
def test_num_frames_counts_the_frames_stft_makes(n, n_fft, hop):
    expected = 0 if n < n_fft else power_spectrogram(torch.zeros(n), n_fft, hop).shape[-1]
    assert num_frames(n, n_fft, hop).item() == expected


def test_frames_are_slices_of_the_waveform():
    x = torch.arange(20.0)
    f = frames(x, 8, 3)
    assert f.shape == (5, 8)
    for t in range(5):
        torch.testing.assert_close(f[t], x[3 * t : 3 * t + 8])


def test_power_spectrogram_is_the_squared_rfft_of_windowed_frames():
    x = _clip(2000)
    window = torch.hann_window(256, periodic=True)
    expected = torch.fft.rfft(frames(x, 256, 80) * window).abs().pow(2).T  # (K, T)
    torch.testing.assert_close(power_spectrogram(x, 256, 80), expected, rtol=1e-4, atol=1e-5)


def test_log_mel_equals_librosa_melspectrogram():
    librosa = pytest.importorskip("librosa")
    x = _clip(3000, seed=1)
    expected = librosa.feature.melspectrogram(
        y=x.double().numpy(),
        sr=8000,
        n_fft=256,
        hop_length=80,
        window="hann",
        center=False,
        power=2.0,
        n_mels=40,
        htk=True,
        norm=None,
    )
    np.testing.assert_allclose(log_mel_spectrogram(x).numpy(), np.log(expected + 1e-6), atol=1e-3)


def test_log_mel_of_a_batch_equals_each_clip():
    x = torch.stack([_clip(1000, seed=s) for s in range(3)]).reshape(3, 1, 1000)
    batch = log_mel_spectrogram(x)
    assert batch.shape == (3, 1, 40, 10)
    for i in range(3):
        torch.testing.assert_close(batch[i, 0], log_mel_spectrogram(x[i, 0]))


def test_a_gain_shifts_every_log_mel_by_its_log():
    x = _clip(2000, seed=2)
    shifted = log_mel_spectrogram(3.0 * x, eps=1e-12) - log_mel_spectrogram(x, eps=1e-12)
    torch.testing.assert_close(
        shifted, torch.full_like(shifted, 2 * math.log(3.0)), atol=1e-3, rtol=0
    )


def test_utterances_hold_each_clips_own_frames_and_zero_padding():
    clips = [_clip(n, seed=n) for n in (300, 1000, 2555, 256, 700)]
    u = log_mel_utterances(clips, chunk_size=2)
    counts = num_frames(torch.tensor([len(c) for c in clips]), 256, 80)
    assert u.features.shape == (5, 40, int(counts.max()))
    torch.testing.assert_close(u.mask.sum(-1), counts)
    for i, clip in enumerate(clips):
        torch.testing.assert_close(u.features[i, :, : counts[i]], log_mel_spectrogram(clip))
        assert (u.features[i, :, counts[i] :] == 0).all()


def test_trimmed_drops_only_columns_that_are_padding_everywhere():
    mask = torch.tensor([[True, True, False, False, False], [True, True, True, False, False]])
    u = Utterances(torch.randn(2, 3, 5), mask).trimmed()
    assert u.features.shape == (2, 3, 3) and u.mask.shape == (2, 3)
    selected = Utterances(torch.randn(2, 3, 5), mask).select(torch.tensor([1]))
    assert selected.mask.tolist() == [[True, True, True, False, False]]


def test_normalise_removes_a_gain_and_reuses_the_training_spread():
    clips = [_clip(n, seed=n) for n in (900, 1500, 2100)]
    u, std = normalise(log_mel_utterances(clips, eps=1e-12))
    louder, _ = normalise(log_mel_utterances([5.0 * c for c in clips], eps=1e-12), std)
    torch.testing.assert_close(louder.features, u.features, atol=1e-3, rtol=0)
    keep = u.mask[:, None]
    per_clip_mean = (u.features * keep).sum(-1) / keep.sum(-1)
    torch.testing.assert_close(per_clip_mean, torch.zeros_like(per_clip_mean), atol=1e-5, rtol=0)
    spread = (u.features.pow(2) * keep).sum((0, 2)) / keep.sum()
    torch.testing.assert_close(spread, torch.ones(40), atol=1e-4, rtol=0)
    assert (u.features[~u.mask.unsqueeze(1).expand_as(u.features)] == 0).all()


def test_frame_energy_and_active_frames_find_the_loud_part():
    quiet, loud = 1e-3 * _clip(800, seed=3), _clip(800, seed=4)
    x = torch.cat([quiet, loud, quiet])
    energy = frame_energy_db(x)
    torch.testing.assert_close(energy, 10 * torch.log10(frames(x, 256, 80).pow(2).sum(-1) + 1e-10))
    active = active_frames(energy, threshold_db=30.0)
    centre = torch.arange(len(energy)) * 80 + 128
    assert active[(centre > 900) & (centre < 1500)].all()
    assert not active[centre < 500].any() and not active[centre > 1900].any()
    mask = torch.ones_like(active)
    mask[-3:] = False
    assert not active_frames(energy, mask)[-3:].any()


@settings(max_examples=25)
@given(st.lists(st.floats(-80, 0), min_size=1, max_size=12), st.floats(0, 60))
def test_active_frames_always_keep_the_loudest_frame(energy, threshold):
    energy = torch.tensor(energy)
    active = active_frames(energy, threshold_db=threshold)
    assert active[energy.argmax()]
    assert (energy[active] >= energy.max() - threshold).all()


@settings(max_examples=40, deadline=None)
@given(top_db=st.floats(1.0, 120.0), seed=st.integers(0, 100))
def test_floor_dynamic_range_keeps_top_db_below_each_clips_loudest(top_db, seed):
    g = torch.Generator().manual_seed(seed)
    mask = torch.arange(30) < torch.tensor([[30], [12], [1]])  # (3, 30)
    features = torch.randn(3, 5, 30, generator=g).mul(10) * mask[:, None]
    out = floor_dynamic_range(Utterances(features, mask), top_db)
    assert out.mask is mask and (out.features[~mask.unsqueeze(1).expand(-1, 5, -1)] == 0).all()
    nats = top_db * math.log(10) / 10
    for b, n in enumerate([30, 12, 1]):
        clip, raw = out.features[b, :, :n], features[b, :, :n]
        floor = raw.max() - nats
        torch.testing.assert_close(clip, torch.clamp(raw, min=floor))
        assert clip.max() == raw.max() and clip.min() >= floor - 1e-5


def test_floor_dynamic_range_removes_the_noise_floor_of_silence():
    x = torch.cat([torch.zeros(2000), _clip(4000), torch.zeros(2000)])
    quiet = log_mel_utterances([x + 1e-2 * _clip(8000, 1)])
    silent = log_mel_utterances([x])
    a, b = floor_dynamic_range(quiet, 35.0), floor_dynamic_range(silent, 35.0)
    assert (quiet.features[..., :5] - silent.features[..., :5]).abs().min() > 1  # before
    torch.testing.assert_close(a.features[..., :5], b.features[..., :5], atol=1e-2, rtol=0)


BAD = [
    (lambda: mel_filterbank(0, 256, 8000), ValueError, "n_mels must be >= 1, got 0"),
    (
        lambda: mel_filterbank(40, 256, 8000, f_max=5000.0),
        ValueError,
        "f_max must be <= sample_rate / 2 = 4000.0, got 5000.0",
    ),
    (
        lambda: mel_filterbank(40, 256, 8000, f_min=3000.0, f_max=2000.0),
        ValueError,
        "f_min must be < f_max",
    ),
    (lambda: mel_filterbank(40, 256.0, 8000), TypeError, "n_fft must be an int, got float"),
    (lambda: frames([1.0, 2.0], 2, 1), TypeError, "waveform must be a torch.Tensor, got list"),
    (
        lambda: frames(torch.zeros(10), 16, 4),
        ValueError,
        "waveform must have at least n_fft = 16 samples",
    ),
    (
        lambda: power_spectrogram(torch.zeros(300, dtype=torch.int64), 256, 80),
        TypeError,
        "waveform must have a floating-point dtype",
    ),
    (
        lambda: power_spectrogram(torch.zeros(300), 256, 0),
        ValueError,
        "hop_length must be >= 1, got 0",
    ),
    (lambda: log_mel_spectrogram(torch.zeros(300), eps=0.0), ValueError, "eps must be > 0"),
    (
        lambda: log_mel_utterances(torch.zeros(2, 300)),
        TypeError,
        "waveforms must be a list of 1-D tensors",
    ),
    (lambda: log_mel_utterances([]), ValueError, "waveforms must hold at least one clip"),
    (
        lambda: log_mel_utterances([torch.zeros(300), torch.zeros(100)]),
        ValueError,
        "waveforms[1] must have at least n_fft = 256 samples, got 100",
    ),
    (
        lambda: log_mel_utterances([torch.zeros(2, 300)]),
        ValueError,
        "waveforms[0] must have 1 dimension",
    ),
    (
        lambda: normalise((torch.zeros(1, 40, 3), torch.ones(1, 3, dtype=torch.bool))),
        TypeError,
        "utterances must be an Utterances, got tuple",
    ),
    (
        lambda: normalise(
            Utterances(torch.zeros(1, 40, 3), torch.ones(1, 3, dtype=torch.bool)), torch.ones(20)
        ),
        ValueError,
        "std must have shape (40,)",
    ),
    (
        lambda: active_frames(torch.zeros(4), torch.ones(4)),
        TypeError,
        "mask must be a boolean torch.Tensor or None",
    ),
    (
        lambda: active_frames(torch.zeros(4), torch.ones(3, dtype=torch.bool)),
        ValueError,
        "mask must have the shape of energy_db (4,), got (3,)",
    ),
    (
        lambda: floor_dynamic_range(torch.zeros(1, 4, 3)),
        TypeError,
        "utterances must be an Utterances, got tensor",
    ),
    (
        lambda: floor_dynamic_range(
            Utterances(torch.zeros(1, 4, 3), torch.ones(1, 3, dtype=torch.bool)), top_db=0.0
        ),
        ValueError,
        "top_db must be > 0",
    ),
    (
        lambda: active_frames(torch.zeros(4), threshold_db=-1.0),
        ValueError,
        "threshold_db must be >= 0",
    ),
]


@pytest.mark.parametrize("call, error, message", BAD)
def test_bad_inputs_name_the_argument(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
