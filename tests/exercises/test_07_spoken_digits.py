import math

import torch

import attnlib
from attnlib.data import speech_features as features
from attnlib.grading.content import solution_module

sol = solution_module("07_spoken_digits")


def test_mel_scale_is_attnlibs():
    f = torch.tensor([0.0, 300.0, 1000.0, 4000.0, 8000.0])
    torch.testing.assert_close(sol.hz_to_mel(f), features.hz_to_mel(f))
    m = torch.tensor([0.0, 500.0, 2146.0])
    torch.testing.assert_close(sol.mel_to_hz(m), features.mel_to_hz(m))


def test_framing_numbers_match_attnlib_features():
    x = 0.1 * torch.sin(2 * math.pi * 440 * torch.arange(8000) / 8000)
    power = features.power_spectrogram(x, 256, 80)
    assert sol.framing["frames"] == int(features.num_frames(8000, 256, 80))
    assert sol.framing["bins"] in power.shape
    freqs = torch.fft.rfftfreq(256, d=1 / 8000)
    assert sol.framing["hz_per_bin"] == (freqs[1] - freqs[0]).item()
    assert math.isclose(sol.framing["mel_top"], features.hz_to_mel(4000.0).item(), rel_tol=1e-6)
    sine = 0.1 * torch.sin(2 * math.pi * 1000 * torch.arange(8000, dtype=torch.float64) / 8000)
    assert math.isclose(
        sol.framing["sine_db"], 10 * math.log10(sine.pow(2).mean().item()), rel_tol=1e-4
    )


def test_framing_for_matches_attnlib_features():
    cases = [
        (8000, 8000, 256, 80, 0.1),
        (24000, 16000, 400, 160, 0.5),
        (33075, 22050, 512, 128, 1.0),
        (4000, 8000, 200, 120, 0.02),
    ]
    for n, rate, n_fft, hop, amplitude in cases:
        t = torch.arange(n, dtype=torch.float64) / rate
        sine = amplitude * torch.sin(2 * math.pi * (rate / 8) * t)  # 8 samples a period
        power = features.power_spectrogram(sine[: (n // 8) * 8].float(), n_fft, hop)
        freqs = torch.fft.rfftfreq(n_fft, d=1 / rate)
        got = sol.framing_for(n, rate, n_fft, hop, amplitude)
        assert got["frames"] == int(features.num_frames(n, n_fft, hop))
        assert got["frames"] == features.frames(torch.zeros(n), n_fft, hop).shape[0]
        assert got["bins"] == power.shape[0] == len(freqs)
        assert math.isclose(got["hz_per_bin"], (freqs[1] - freqs[0]).item(), rel_tol=1e-9)
        assert math.isclose(
            got["mel_top"], features.hz_to_mel(freqs[-1].item()).item(), rel_tol=1e-6
        )
        mean_power = sine[: (n // 8) * 8].pow(2).mean().item()
        assert math.isclose(got["sine_db"], 10 * math.log10(mean_power), rel_tol=1e-6)
    assert sol.framing_for(8000, 8000, 256, 80, 0.1) == sol.framing


def test_log_mel_is_attnlib_log_mel_spectrogram():
    x = torch.randn(800)
    bank = features.mel_filterbank(10, 128, 8000)
    power = features.power_spectrogram(x, 128, 40)  # (K, T)
    torch.testing.assert_close(
        sol.log_mel(x, bank, 128, 40, eps=1e-6),
        torch.log(bank @ power + 1e-6),
        rtol=1e-4,
        atol=1e-4,
    )


def test_masked_attention_pool_is_attnlib_softmax_with_a_mask():
    h, w, lengths = torch.randn(3, 6, 4), torch.randn(4), torch.tensor([6, 3, 1])
    mask = torch.arange(6) < lengths[:, None]
    alpha = attnlib.softmax(h @ w, mask=mask)
    pooled, got_alpha = sol.masked_attention_pool(h, w, lengths)
    torch.testing.assert_close(got_alpha, alpha)
    torch.testing.assert_close(pooled, torch.bmm(alpha[:, None], h)[:, 0])


def test_padding_numbers_match_a_uniform_softmax():
    alpha = torch.softmax(torch.zeros(12), 0)
    assert math.isclose(sol.padding["mass_on_padding"], alpha[4:].sum().item(), rel_tol=1e-6)
    assert math.isclose(sol.padding["scale"], alpha[:4].sum().item(), rel_tol=1e-6)


def test_padding_effect_is_the_unmasked_pooling_of_7_4():
    for scores, T in [([0.0] * 4, 12), ([1.0, -0.5, 2.0], 10), ([0.5, -1.0], 2)]:
        L = len(scores)
        h = torch.zeros(1, T, 3, dtype=torch.float64)
        h[0, :L] = torch.randn(L, 3, dtype=torch.float64)
        s = torch.zeros(1, T, dtype=torch.float64)
        s[0, :L] = torch.tensor(scores, dtype=torch.float64)
        unmasked = torch.softmax(s, -1)
        masked = attnlib.softmax(s, mask=torch.arange(T) < L)
        got = sol.padding_effect(scores, T)
        assert math.isclose(got["mass_on_padding"], unmasked[0, L:].sum().item(), abs_tol=1e-12)
        pooled, pooled_masked = unmasked[0] @ h[0], masked[0] @ h[0]
        torch.testing.assert_close(pooled, got["scale"] * pooled_masked)
    assert sol.padding_effect([0.0] * 4, 12) == {
        key: sol.padding[key] for key in ("mass_on_padding", "scale")
    }


def test_topk_frame_pool_uses_topk_over_real_frames():
    h, scores, lengths = torch.randn(2, 6, 3), torch.randn(2, 6), torch.tensor([6, 4])
    pooled, alpha = sol.topk_frame_pool(h, scores, lengths, 2)
    for b in range(2):
        top = torch.topk(scores[b, : lengths[b]], 2).indices
        torch.testing.assert_close(pooled[b], h[b, top].mean(0))
        assert set(alpha[b].nonzero().flatten().tolist()) == set(top.tolist())


def test_frame_power_db_is_attnlib_frame_energy_db_and_voiced_mass():
    x = torch.randn(1000)
    # attnlib's frame energy is a sum over the N samples, the exercise's power their mean
    energy_db = features.frame_energy_db(x, 256, 80)
    torch.testing.assert_close(
        sol.frame_power_db(x, 256, 80), energy_db - 10 * math.log10(256), rtol=1e-4, atol=1e-3
    )
    alpha = torch.softmax(torch.randn(2, 5), -1)
    db = torch.tensor([[-10.0, -50, -20, -60, -5], [-70.0, -70, -70, -70, -70]])
    want = torch.where(db >= -30, alpha, torch.zeros_like(alpha)).sum(-1)
    torch.testing.assert_close(sol.voiced_mass(alpha, db, -30.0), want)
