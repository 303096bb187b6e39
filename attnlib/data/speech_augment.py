r"""Data augmentation for speech: speed perturbation of waveforms, SpecAugment masking (ch. 7).

Two changes a speech engineer tries first when a recogniser must work for voices it has not
heard:

- **Speed perturbation** (Ko et al. 2015) plays a clip faster or slower: resampling the
  waveform by a factor :math:`a` shortens it to :math:`n / a` samples and multiplies every
  frequency by :math:`a`, so pitch and formants move as they do between speakers
  (:func:`speed_perturb`). Applied to the training waveforms before the features, with
  factors such as 0.9 and 1.1 (:func:`speed_perturbed`).
- **SpecAugment** masking (Park et al. 2019) hides random bands of mel channels and
  random stretches of frames of each training clip, so the model cannot rely on any one of
  them (:func:`spec_augment`, and :class:`SpecAugment`, a seeded per-batch transform for
  :func:`attnlib.models.speech.train_speech_classifier`).

Shape legend: ``B`` clips, ``n`` samples, ``M`` mel bands, ``T`` frames.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from attnlib.data.speech_features import Utterances
from attnlib.validation import check_int, check_scalar, check_tensor, describe

__all__ = ["SpecAugment", "spec_augment", "speed_perturb", "speed_perturbed"]


def speed_perturb(waveform: torch.Tensor, factor: float) -> torch.Tensor:
    r"""Play a clip ``factor`` times faster: resample it to :math:`\mathrm{round}(n / a)` samples.

    .. math:: y[i] = x\bigl(i \tfrac{n - 1}{m - 1}\bigr), \qquad i = 0, \dots, m - 1

    where :math:`x(\cdot)` interpolates the samples linearly (so both end samples are kept).
    Read at the same sample rate, :math:`y` lasts :math:`1/a` times as long and a sinusoid of
    frequency :math:`f` in :math:`x` has frequency :math:`\approx a f` in :math:`y`: pitch and
    formants move together, as in the speed perturbation of Ko et al. (2015). Linear
    interpolation is a cheap resampler: for :math:`a > 1` content above
    :math:`f_s / (2a)` folds back slightly (aliasing), which the small factors used for
    augmentation (0.9 to 1.1) keep to the top few hundred hertz.

    Args:
        waveform: ``(n,)`` float samples, ``n >= 2``.
        factor: :math:`a > 0`; above 1 is faster (shorter, higher), below 1 slower.

    Returns:
        ``(m,)`` with ``m = max(2, round(n / factor))``, the dtype of ``waveform``.

    Example:
        >>> speed_perturb(torch.tensor([0.0, 1.0, 2.0]), 0.5)
        tensor([0.0000, 0.4000, 0.8000, 1.2000, 1.6000, 2.0000])
    """
    waveform = check_tensor(waveform, "waveform", ndim=1, floating=True)
    factor = check_scalar(factor, "factor", positive=True)
    n = waveform.shape[0]
    if n < 2:
        raise ValueError(
            f"waveform must have at least 2 samples, got shape {tuple(waveform.shape)}"
        )
    m = max(2, round(n / factor))
    if m == n:
        return waveform.clone()
    position = torch.linspace(0, n - 1, m, dtype=torch.float64)  # (m,) where y[i] reads x
    left = position.floor().long().clamp(max=n - 2)  # (m,)
    frac = (position - left).to(waveform.dtype)  # (m,) in [0, 1]
    return waveform[left] * (1 - frac) + waveform[left + 1] * frac


def speed_perturbed(
    waveforms: Sequence[torch.Tensor], factors: Sequence[float] = (0.9, 1.0, 1.1)
) -> list[torch.Tensor]:
    """Every clip at every speed factor: ``[speed_perturb(w, a) for a in factors for w in ...]``.

    The list holds ``len(factors)`` copies of the data set, factor by factor (clip ``i`` at
    factor ``factors[j]`` is entry ``j * len(waveforms) + i``), so labels repeat with
    ``labels.repeat(len(factors))``. A factor of 1 gives the clips unchanged. This is the
    offline speed perturbation of Kaldi's recipes: the training set grows ``len(factors)``
    times; train for ``1 / len(factors)`` as many epochs to keep the number of steps.

    Args:
        waveforms: B 1-D float clips.
        factors: the speed factors, each > 0 (see :func:`speed_perturb`).

    Returns:
        a list of ``len(factors) * B`` 1-D tensors.
    """
    if isinstance(waveforms, torch.Tensor) or not isinstance(waveforms, Sequence):
        raise TypeError(f"waveforms must be a list of 1-D tensors, got {describe(waveforms)}")
    if isinstance(factors, (str, bytes)) or not isinstance(factors, Sequence) or not factors:
        raise TypeError(f"factors must be a non-empty sequence of numbers, got {describe(factors)}")
    for j, factor in enumerate(factors):
        check_scalar(factor, f"factors[{j}]", positive=True)
    for i, w in enumerate(waveforms):
        check_tensor(w, f"waveforms[{i}]", ndim=1, floating=True)
    return [speed_perturb(w, a) if a != 1 else w for a in factors for w in waveforms]


def _stripes(
    lengths: torch.Tensor, count: int, max_width: int, size: int, generator: torch.Generator | None
) -> torch.Tensor:
    """``(B, size)`` bool, True inside ``count`` random stripes per row within ``lengths``.

    Each stripe has a width drawn uniformly from ``0 .. min(max_width, length)`` and a start
    drawn uniformly from ``0 .. length - width`` (its row's own length).
    """
    b = len(lengths)
    hidden = torch.zeros(b, size, dtype=torch.bool)
    if count == 0 or max_width == 0:
        return hidden
    limit = lengths.clamp(max=max_width)[:, None]  # (B, 1)
    u_width = torch.rand(b, count, generator=generator, dtype=torch.float64)  # (B, count)
    u_start = torch.rand(b, count, generator=generator, dtype=torch.float64)  # (B, count)
    width = (u_width * (limit + 1)).floor().long().clamp(max=limit)  # (B, count) in [0, limit]
    room = lengths[:, None] - width + 1  # (B, count) possible starts
    start = (u_start * room).floor().long().clamp(max=room - 1)  # (B, count)
    position = torch.arange(size)  # (size,)
    inside = (position >= start[..., None]) & (position < (start + width)[..., None])
    return inside.any(1)  # (B, count, size) -> (B, size)


def spec_augment(
    utterances: Utterances,
    *,
    freq_masks: int = 2,
    freq_width: int = 8,
    time_masks: int = 2,
    time_width: int = 10,
    generator: torch.Generator | None = None,
) -> Utterances:
    r"""SpecAugment's frequency and time masking (Park et al. 2019): zero random stripes.

    For each clip :math:`b` independently, ``freq_masks`` times: draw a width
    :math:`w \sim U\{0, \dots, F\}` (``freq_width``) and a first band
    :math:`j_0 \sim U\{0, \dots, M - w\}` and set bands :math:`j_0, \dots, j_0 + w - 1` of every
    frame to zero; then ``time_masks`` times: draw :math:`w \sim U\{0, \dots,
    \min(W, T_b)\}` (``time_width``, :math:`T_b` the clip's real frames) and a first frame
    :math:`t_0 \sim U\{0, \dots, T_b - w\}` and set those frames to zero. On features
    normalised by :func:`~attnlib.data.speech_features.normalise` zero is each band's mean,
    so a masked stripe carries no information. The mask is unchanged: masked frames are still
    real frames (they are zero, not absent), and padding stays zero. A clip no longer than
    ``time_width`` frames can be hidden whole; keep ``time_width`` well below the shortest
    clip.

    Args:
        utterances: :class:`~attnlib.data.speech_features.Utterances`, features ``(B, M, T)``
            and mask ``(B, T)``.
        freq_masks, freq_width: stripes of bands per clip and the widest (>= 0; capped at M).
        time_masks, time_width: stripes of frames per clip and the widest (>= 0).
        generator: the random generator (None: torch's global one).

    Returns:
        :class:`~attnlib.data.speech_features.Utterances` with features ``(B, M, T)`` (a new
        tensor) and the same mask.
    """
    if not isinstance(utterances, Utterances):
        raise TypeError(f"utterances must be an Utterances, got {describe(utterances)}")
    features = check_tensor(utterances.features, "utterances.features", ndim=3, floating=True)
    freq_masks = check_int(freq_masks, "freq_masks", minimum=0)
    freq_width = check_int(freq_width, "freq_width", minimum=0)
    time_masks = check_int(time_masks, "time_masks", minimum=0)
    time_width = check_int(time_width, "time_width", minimum=0)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {describe(generator)}")
    b, m, t = features.shape
    bands = torch.full((b,), m, dtype=torch.int64)  # (B,) every clip has M bands
    lengths = utterances.mask.sum(-1)  # (B,) real frames
    hide_bands = _stripes(bands, freq_masks, freq_width, m, generator)  # (B, M)
    hide_frames = _stripes(lengths, time_masks, time_width, t, generator)  # (B, T)
    hidden = hide_bands[:, :, None] | hide_frames[:, None, :]  # (B, M, T)
    return Utterances(features.masked_fill(hidden, 0.0), utterances.mask)


class SpecAugment:
    """A seeded :func:`spec_augment` to apply to each training minibatch.

    Holds its own generator, seeded once, so a training run that uses it is reproducible and
    does not disturb the random stream of dropout or initialisation. Each call draws new
    stripes: build a new instance (same seed) to repeat a training run.

    Args:
        freq_masks, freq_width, time_masks, time_width: as for :func:`spec_augment`.
        seed: seeds the generator (>= 0).

    Shapes: ``__call__(Utterances(features (B, M, T), mask (B, T)))`` -> the same shapes.

    Example:
        >>> augment = SpecAugment(seed=0)
        >>> batch = Utterances(torch.ones(2, 40, 30), torch.ones(2, 30, dtype=torch.bool))
        >>> augment(batch).features.shape
        torch.Size([2, 40, 30])
    """

    def __init__(
        self,
        *,
        freq_masks: int = 2,
        freq_width: int = 8,
        time_masks: int = 2,
        time_width: int = 10,
        seed: int = 0,
    ) -> None:
        self.freq_masks = check_int(freq_masks, "freq_masks", minimum=0)
        self.freq_width = check_int(freq_width, "freq_width", minimum=0)
        self.time_masks = check_int(time_masks, "time_masks", minimum=0)
        self.time_width = check_int(time_width, "time_width", minimum=0)
        self.seed = check_int(seed, "seed", minimum=0)
        self.generator = torch.Generator().manual_seed(self.seed)

    def __call__(self, utterances: Utterances) -> Utterances:
        return spec_augment(
            utterances,
            freq_masks=self.freq_masks,
            freq_width=self.freq_width,
            time_masks=self.time_masks,
            time_width=self.time_width,
            generator=self.generator,
        )

    def __repr__(self) -> str:
        return (
            f"SpecAugment(freq_masks={self.freq_masks}, freq_width={self.freq_width}, "
            f"time_masks={self.time_masks}, time_width={self.time_width}, seed={self.seed})"
        )
