"""Specification of attnlib.data.speech_augment: speed perturbation (length, pitch, identity,
interpolation bounds) and SpecAugment masking (stripes, widths, seeding, padding), bad inputs."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlib.data.speech_augment import SpecAugment, spec_augment, speed_perturb, speed_perturbed
from attnlib.data.speech_features import Utterances


def _clip(n, seed=0):
    return torch.randn(n, generator=torch.Generator().manual_seed(seed))


@settings(max_examples=50, deadline=None)
@given(n=st.integers(2, 3000), factor=st.floats(0.5, 2.0), seed=st.integers(0, 100))
def test_speed_perturb_has_n_over_factor_samples_within_the_clips_range(n, factor, seed):
    x = _clip(n, seed)
    y = speed_perturb(x, factor)
    assert len(y) == max(2, round(n / factor)) and y.dtype == x.dtype
    # linear interpolation: convex combinations of neighbours, both ends kept
    assert y.min() >= x.min() - 1e-6 and y.max() <= x.max() + 1e-6
    assert y[0] == x[0] and torch.isclose(y[-1], x[-1], atol=1e-6)


def test_speed_one_is_the_identity_and_a_line_stays_a_line():
    x = _clip(500)
    torch.testing.assert_close(speed_perturb(x, 1.0), x)
    line = torch.linspace(0, 1, 101)
    torch.testing.assert_close(speed_perturb(line, 1.25), torch.linspace(0, 1, 81))


@pytest.mark.parametrize("factor", [0.9, 1.1, 1.25])
def test_speed_perturb_multiplies_a_tones_frequency_by_the_factor(factor):
    rate, f = 8000, 440.0
    t = torch.arange(8000, dtype=torch.float64) / rate
    y = speed_perturb(torch.sin(2 * torch.pi * f * t), factor)
    spectrum = torch.fft.rfft(y * torch.hann_window(len(y), dtype=torch.float64)).abs()
    peak = spectrum.argmax().item() * rate / len(y)
    assert abs(peak - factor * f) <= rate / len(y)  # within one frequency bin


def test_speed_perturbed_lists_every_clip_at_every_factor():
    clips = [_clip(300, 0), _clip(400, 1)]
    out = speed_perturbed(clips, (0.9, 1.0, 1.1))
    assert [len(w) for w in out] == [333, 444, 300, 400, 273, 364]
    assert out[2] is clips[0] and out[3] is clips[1]


def _utterances(lengths=(20, 7, 13), n_mels=10, seed=0):
    g = torch.Generator().manual_seed(seed)
    mask = torch.arange(max(lengths)) < torch.tensor(lengths)[:, None]  # (B, T)
    features = (torch.rand(len(lengths), n_mels, max(lengths), generator=g) + 1) * mask[:, None]
    return Utterances(features, mask)


@settings(max_examples=50, deadline=None)
@given(
    freq=st.tuples(st.integers(0, 3), st.integers(0, 12)),
    time=st.tuples(st.integers(0, 3), st.integers(0, 25)),
    seed=st.integers(0, 1000),
)
def test_spec_augment_zeroes_at_most_the_drawn_stripes_and_keeps_padding(freq, time, seed):
    batch = _utterances()
    out = spec_augment(
        batch,
        freq_masks=freq[0],
        freq_width=freq[1],
        time_masks=time[0],
        time_width=time[1],
        generator=torch.Generator().manual_seed(seed),
    )
    assert out.mask is batch.mask and out.features.shape == batch.features.shape
    zero = out.features == 0  # (B, M, T): the inputs are >= 1 on real frames
    kept = ~zero
    torch.testing.assert_close(out.features[kept], batch.features[kept])  # the rest unchanged
    assert zero[~batch.mask.unsqueeze(1).expand_as(zero)].all()  # padding stays zero
    real = batch.mask.unsqueeze(1).expand_as(zero)
    bands_hidden = (zero | ~real).all(-1)  # (B, M) bands hidden in all real frames
    frames_hidden = (zero | ~real).all(1) & batch.mask  # (B, T) real frames hidden in all bands
    # each zero lies in a hidden band or a hidden frame (stripes, not scattered values)
    assert (zero & real <= bands_hidden[:, :, None] | frames_hidden[:, None, :]).all()
    visible = frames_hidden.sum(-1) < batch.mask.sum(-1)  # (B,) clips not hidden whole
    assert (bands_hidden.sum(-1)[visible] <= freq[0] * min(freq[1], 10)).all()
    assert (frames_hidden.sum(-1) <= time[0] * time[1]).all() or bands_hidden.any()


def test_spec_augment_masks_nothing_with_zero_stripes_and_is_seeded():
    batch = _utterances()
    same = spec_augment(batch, freq_masks=0, time_masks=0)
    torch.testing.assert_close(same.features, batch.features)
    a, b = SpecAugment(seed=3), SpecAugment(seed=3)
    torch.testing.assert_close(a(batch).features, b(batch).features)
    assert not torch.equal(a(batch).features, SpecAugment(seed=4)(batch).features)
    first, second = a(batch), a(batch)  # each call draws new stripes
    assert not torch.equal(first.features, second.features)


def test_spec_augment_hides_stripes_of_the_drawn_width_on_average():
    batch = _utterances(lengths=(200,) * 400, n_mels=40)
    out = spec_augment(
        batch, freq_masks=1, freq_width=8, time_masks=0, generator=torch.Generator().manual_seed(0)
    )
    hidden = (out.features == 0).all(-1).sum(-1).float()  # (B,) bands hidden per clip
    assert hidden.max() <= 8 and abs(hidden.mean().item() - 4.0) < 0.4  # U{0..8}: mean 4


BAD = [
    (lambda: speed_perturb([0.0, 1.0], 1.1), TypeError, "waveform must be a torch.Tensor"),
    (lambda: speed_perturb(torch.zeros(2, 5), 1.1), ValueError, "waveform must have 1 dimension"),
    (lambda: speed_perturb(torch.zeros(1), 1.1), ValueError, "waveform must have at least 2"),
    (lambda: speed_perturb(torch.zeros(9), 0.0), ValueError, "factor must be > 0"),
    (lambda: speed_perturbed(torch.zeros(2, 9)), TypeError, "waveforms must be a list"),
    (lambda: speed_perturbed([torch.zeros(9)], ()), TypeError, "factors must be a non-empty"),
    (lambda: speed_perturbed([torch.zeros(9)], (1.0, -1.0)), ValueError, "factors[1] must be > 0"),
    (
        lambda: spec_augment((torch.zeros(1, 4, 3), torch.ones(1, 3, dtype=torch.bool))),
        TypeError,
        "utterances must be an Utterances, got tuple",
    ),
    (lambda: spec_augment(_utterances(), freq_width=-1), ValueError, "freq_width must be >= 0"),
    (lambda: spec_augment(_utterances(), time_masks=1.5), TypeError, "time_masks must be an int"),
    (lambda: spec_augment(_utterances(), generator=0), TypeError, "generator must be a torch"),
    (lambda: SpecAugment(seed=-1), ValueError, "seed must be >= 0"),
]


@pytest.mark.parametrize("call, error, message", BAD)
def test_bad_inputs_name_the_argument(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
