r"""Log-mel features of speech in plain torch: framing, window, STFT, mel filterbank, log (ch. 7).

A waveform :math:`x[n]` sampled at :math:`f_s` Hz becomes a sequence of feature vectors, one per
short frame, in five steps, each one function here:

1. **Framing.** Frame :math:`t` holds the samples :math:`x[tH], \dots, x[tH + N - 1]` (length
   :math:`N` = ``n_fft``, hop :math:`H` = ``hop_length``); only frames that lie wholly inside the
   signal are kept, so a clip of :math:`n` samples has :math:`1 + \lfloor (n - N) / H \rfloor`
   frames (:func:`num_frames`).
2. **Window.** Each frame is multiplied by the periodic Hann window
   :math:`w[m] = \tfrac12 (1 - \cos(2\pi m / N))`, which tapers its ends to zero and so reduces
   the spectral leakage of the cut.
3. **STFT.** The discrete Fourier transform of each windowed frame,
   :math:`X[t, k] = \sum_{m=0}^{N-1} w[m]\, x[tH + m]\, e^{-2\pi i k m / N}`, for the
   :math:`K = N/2 + 1` non-negative frequencies :math:`f_k = k f_s / N`; the power spectrogram
   is :math:`P[t, k] = |X[t, k]|^2` (:func:`power_spectrogram`, via :func:`torch.stft`).
4. **Mel filterbank.** The mel scale (HTK form) :math:`\mathrm{mel}(f) = 2595 \log_{10}(1 + f/700)`
   is roughly linear below 1 kHz and logarithmic above, like the ear's frequency resolution.
   :math:`M` triangular filters have centres equally spaced in mel; filter :math:`j` rises
   linearly from 0 at centre :math:`j-1` to 1 at centre :math:`j` and falls back to 0 at centre
   :math:`j+1` (:func:`mel_filterbank`), and the mel spectrogram is
   :math:`S[t, j] = \sum_k F[j, k]\, P[t, k]`.
5. **Log compression.** :math:`\log(S + \varepsilon)`: loudness is perceived roughly
   logarithmically, and the log turns a gain applied to the whole clip into an additive shift
   (:func:`log_mel_spectrogram`).

Shape legend: ``B`` clips, ``n`` samples, ``N`` = ``n_fft``, ``K = N // 2 + 1`` frequencies,
``M`` mel bands, ``T`` frames.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import torch

from attnlib.validation import check_int, check_scalar, check_tensor, describe

__all__ = [
    "Utterances",
    "active_frames",
    "frame_energy_db",
    "floor_dynamic_range",
    "frames",
    "hz_to_mel",
    "log_mel_spectrogram",
    "log_mel_utterances",
    "mel_filterbank",
    "mel_to_hz",
    "normalise",
    "num_frames",
    "power_spectrogram",
]


def hz_to_mel(f: torch.Tensor | float) -> torch.Tensor:
    r"""Frequency in hertz to mels, HTK form: :math:`\mathrm{mel}(f) = 2595 \log_{10}(1 + f/700)`.

    (librosa's default is Slaney's piecewise-linear/log variant; ``htk=True`` selects this one.)

    Args:
        f: frequencies in Hz, any shape, >= 0.

    Returns:
        mels, same shape (a 0-d tensor for a float).

    Example:
        >>> round(hz_to_mel(1000.0).item(), 1)
        1000.0
    """
    f = torch.as_tensor(f, dtype=torch.float64) if not isinstance(f, torch.Tensor) else f
    return 2595.0 * torch.log10(1.0 + f / 700.0)


def mel_to_hz(m: torch.Tensor | float) -> torch.Tensor:
    r"""Mels to hertz, the inverse of :func:`hz_to_mel`: :math:`f = 700 (10^{m/2595} - 1)`."""
    m = torch.as_tensor(m, dtype=torch.float64) if not isinstance(m, torch.Tensor) else m
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


def mel_filterbank(
    n_mels: int,
    n_fft: int,
    sample_rate: int,
    *,
    f_min: float = 0.0,
    f_max: float | None = None,
) -> torch.Tensor:
    r"""Triangular filters with centres equally spaced on the (HTK) mel scale, peak height 1.

    With :math:`M + 2` edge frequencies :math:`e_0 < \dots < e_{M+1}` equally spaced in mel
    between ``f_min`` and ``f_max``, filter :math:`j` (:math:`1 \le j \le M`) at DFT frequency
    :math:`f_k = k f_s / N` is

    .. math::
        F[j, k] = \max\!\left(0, \min\!\left(\frac{f_k - e_{j-1}}{e_j - e_{j-1}},
                                            \frac{e_{j+1} - f_k}{e_{j+1} - e_j}\right)\right).

    Equal to ``librosa.filters.mel(htk=True, norm=None)`` (tested); torchaudio's
    ``melscale_fbanks(mel_scale="htk", norm=None)`` is the same transposed.

    Args:
        n_mels: ``M``, the number of filters, >= 1.
        n_fft: ``N``, the frame length of the DFT, >= 2.
        sample_rate: :math:`f_s` in Hz.
        f_min: the lowest edge in Hz, >= 0.
        f_max: the highest edge in Hz, at most the Nyquist frequency ``sample_rate / 2``
            (the default).

    Returns:
        ``(M, K)`` float32 with ``K = n_fft // 2 + 1``.

    Example:
        >>> mel_filterbank(40, 256, 8000).shape
        torch.Size([40, 129])
    """
    n_mels = check_int(n_mels, "n_mels", minimum=1)
    n_fft = check_int(n_fft, "n_fft", minimum=2)
    sample_rate = check_int(sample_rate, "sample_rate", minimum=1)
    f_min = check_scalar(f_min, "f_min", nonnegative=True)
    nyquist = sample_rate / 2
    f_max = nyquist if f_max is None else check_scalar(f_max, "f_max", positive=True)
    if f_max > nyquist:
        raise ValueError(f"f_max must be <= sample_rate / 2 = {nyquist}, got {f_max}")
    if not f_min < f_max:
        raise ValueError(f"f_min must be < f_max = {f_max}, got {f_min}")

    freqs = torch.linspace(0, nyquist, n_fft // 2 + 1, dtype=torch.float64)  # (K,)
    edges = mel_to_hz(
        torch.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2, dtype=torch.float64)
    )  # (M + 2,)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]  # (M, 1) each
    rising = (freqs - lower) / (centre - lower)  # (M, K)
    falling = (upper - freqs) / (upper - centre)  # (M, K)
    return torch.clamp(torch.minimum(rising, falling), min=0).float()  # (M, K)


def num_frames(lengths: torch.Tensor | int, n_fft: int, hop_length: int) -> torch.Tensor:
    r"""Frames wholly inside a clip of ``lengths`` samples, :math:`1 + \lfloor (n - N)/H \rfloor`.

    Zero for a clip shorter than one frame.

    Args:
        lengths: clip lengths in samples, an int or an int64 tensor of any shape.
        n_fft: ``N``, the frame length.
        hop_length: ``H``, the hop between frame starts.

    Returns:
        int64 tensor, the shape of ``lengths``.
    """
    lengths = torch.as_tensor(lengths, dtype=torch.int64)
    return torch.where(
        lengths >= n_fft, 1 + torch.div(lengths - n_fft, hop_length, rounding_mode="floor"), 0
    )


def _check_framing(waveform: object, n_fft: object, hop_length: object) -> tuple:
    waveform = check_tensor(waveform, "waveform", min_dim=1, floating=True)
    n_fft = check_int(n_fft, "n_fft", minimum=2)
    hop_length = check_int(hop_length, "hop_length", minimum=1)
    if waveform.shape[-1] < n_fft:
        raise ValueError(
            f"waveform must have at least n_fft = {n_fft} samples in its last dimension, "
            f"got shape {tuple(waveform.shape)}"
        )
    return waveform, n_fft, hop_length


def frames(waveform: torch.Tensor, n_fft: int, hop_length: int) -> torch.Tensor:
    r"""Cut a waveform into overlapping frames: ``out[..., t, m] = waveform[..., t * H + m]``.

    Args:
        waveform: ``(..., n)`` samples, ``n >= n_fft``.
        n_fft: ``N``, the frame length.
        hop_length: ``H``, the hop between frame starts.

    Returns:
        ``(..., T, N)`` with ``T = 1 + (n - N) // H`` (a view: no copy).

    Example:
        >>> frames(torch.arange(6.0), 4, 2)
        tensor([[0., 1., 2., 3.],
                [2., 3., 4., 5.]])
    """
    waveform, n_fft, hop_length = _check_framing(waveform, n_fft, hop_length)
    return waveform.unfold(-1, n_fft, hop_length)  # (..., n) -> (..., T, N)


def power_spectrogram(waveform: torch.Tensor, n_fft: int, hop_length: int) -> torch.Tensor:
    r"""Power of the short-time Fourier transform, :math:`P[t, k] = |X[t, k]|^2` (Hann window).

    Computed with :func:`torch.stft` (``center=False``: no padding, frames as in :func:`frames`);
    it equals ``torch.fft.rfft(frames(x) * hann)`` squared (chapter 7 checks this).

    Args:
        waveform: ``(..., n)`` samples, ``n >= n_fft``.
        n_fft: ``N``, the frame (and window) length.
        hop_length: ``H``.

    Returns:
        ``(..., K, T)``, ``K = N // 2 + 1`` frequencies by ``T = 1 + (n - N) // H`` frames.
    """
    waveform, n_fft, hop_length = _check_framing(waveform, n_fft, hop_length)
    batch = waveform.shape[:-1]
    flat = waveform.reshape(-1, waveform.shape[-1])  # (..., n) -> (B, n): stft takes 1-D or 2-D
    window = torch.hann_window(n_fft, periodic=True, dtype=waveform.dtype)
    spec = torch.stft(flat, n_fft, hop_length, window=window, center=False, return_complex=True)
    power = spec.real**2 + spec.imag**2  # (B, K, T)
    return power.reshape(*batch, *power.shape[-2:])  # (..., K, T)


def log_mel_spectrogram(
    waveform: torch.Tensor,
    *,
    sample_rate: int = 8000,
    n_fft: int = 256,
    hop_length: int = 80,
    n_mels: int = 40,
    f_min: float = 0.0,
    f_max: float | None = None,
    eps: float = 1e-6,
) -> torch.Tensor:
    r"""Log-mel spectrogram: :math:`\log\bigl(\sum_k F[j, k]\, |X[t, k]|^2 + \varepsilon\bigr)`.

    The defaults suit FSDD at 8 kHz: 32 ms frames every 10 ms, 40 mel bands from 0 to 4 kHz.

    Args:
        waveform: ``(..., n)`` samples, ``n >= n_fft``.
        sample_rate, n_fft, hop_length: :math:`f_s`, ``N``, ``H``.
        n_mels, f_min, f_max: the filterbank, as for :func:`mel_filterbank`.
        eps: :math:`\varepsilon` > 0, the floor that keeps silence finite (:math:`\log
            \varepsilon \approx -13.8` for the default).

    Returns:
        ``(..., M, T)`` float32.

    Example:
        >>> log_mel_spectrogram(torch.zeros(8000)).shape
        torch.Size([40, 97])
    """
    eps = check_scalar(eps, "eps", positive=True)
    power = power_spectrogram(waveform, n_fft, hop_length)  # (..., K, T)
    bank = mel_filterbank(n_mels, n_fft, sample_rate, f_min=f_min, f_max=f_max)  # (M, K)
    mel = bank.to(power.dtype) @ power  # (M, K) @ (..., K, T) -> (..., M, T)
    return torch.log(mel + eps)


def frame_energy_db(waveform: torch.Tensor, n_fft: int = 256, hop_length: int = 80) -> torch.Tensor:
    r"""Energy of each frame in decibels, :math:`10 \log_{10}(\sum_m x[tH + m]^2 + 10^{-10})`.

    Args:
        waveform: ``(..., n)``, ``n >= n_fft``.
        n_fft, hop_length: the framing, as for :func:`frames`.

    Returns:
        ``(..., T)``.
    """
    energy = frames(waveform, n_fft, hop_length).pow(2).sum(-1)  # (..., T, N) -> (..., T)
    return 10 * torch.log10(energy + 1e-10)


def active_frames(
    energy_db: torch.Tensor, mask: torch.Tensor | None = None, *, threshold_db: float = 30.0
) -> torch.Tensor:
    r"""Frames within ``threshold_db`` of the clip's loudest frame: a simple speech detector.

    .. math:: a_t = [\,E_t \ge \max_{s} E_s - \theta\,]\ \wedge\ m_t

    where the maximum runs over the valid frames (``mask``) of the clip.

    Args:
        energy_db: ``(..., T)`` frame energies in dB (:func:`frame_energy_db`).
        mask: optional ``(..., T)`` bool, True on real (not padding) frames.
        threshold_db: :math:`\theta` >= 0.

    Returns:
        ``(..., T)`` bool (False on padding).
    """
    energy_db = check_tensor(energy_db, "energy_db", min_dim=1, floating=True)
    threshold_db = check_scalar(threshold_db, "threshold_db", nonnegative=True)
    if mask is None:
        mask = torch.ones_like(energy_db, dtype=torch.bool)
    elif not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
        raise TypeError(f"mask must be a boolean torch.Tensor or None, got {describe(mask)}")
    elif mask.shape != energy_db.shape:
        raise ValueError(
            f"mask must have the shape of energy_db {tuple(energy_db.shape)}, "
            f"got {tuple(mask.shape)}"
        )
    loudest = energy_db.masked_fill(~mask, -math.inf).amax(-1, keepdim=True)  # (..., 1)
    return (energy_db >= loudest - threshold_db) & mask


class Utterances(NamedTuple):
    """A padded batch of feature sequences with a mask; what the speech models take.

    Attributes:
        features: ``(B, M, T)``, zero on padding frames.
        mask: ``(B, T)`` bool, True on real frames (the course's convention: True = may be
            attended).
    """

    features: torch.Tensor
    mask: torch.Tensor

    def select(self, index: torch.Tensor | slice) -> Utterances:
        """The clips at ``index`` (an index tensor, a boolean mask or a slice)."""
        return Utterances(self.features[index], self.mask[index])

    def trimmed(self) -> Utterances:
        """The same batch without the frames that are padding in every clip (cheaper to run)."""
        longest = int(self.mask.sum(-1).max()) if len(self.mask) else 0
        return Utterances(self.features[..., :longest], self.mask[:, :longest])


def log_mel_utterances(
    waveforms: Sequence[torch.Tensor],
    *,
    chunk_size: int = 256,
    **kwargs,
) -> Utterances:
    """Log-mel spectrograms of clips of different lengths, zero-padded to the longest, with a mask.

    Clips are processed ``chunk_size`` at a time (sorted by length, each chunk padded only to
    its own longest clip) to bound memory. Each clip's valid frames are exactly those of
    :func:`log_mel_spectrogram` on that clip alone: frames never reach into the padding.

    Args:
        waveforms: B 1-D float tensors, each at least ``n_fft`` samples long.
        chunk_size: clips per STFT call.
        **kwargs: passed to :func:`log_mel_spectrogram`.

    Returns:
        :class:`Utterances` with features ``(B, M, T_max)`` and mask ``(B, T_max)``.
    """
    if isinstance(waveforms, torch.Tensor) or not isinstance(waveforms, Sequence):
        raise TypeError(f"waveforms must be a list of 1-D tensors, got {describe(waveforms)}")
    if len(waveforms) == 0:
        raise ValueError("waveforms must hold at least one clip, got an empty list")
    for i, w in enumerate(waveforms):
        check_tensor(w, f"waveforms[{i}]", ndim=1, floating=True)
    chunk_size = check_int(chunk_size, "chunk_size", minimum=1)
    n_fft, hop = kwargs.get("n_fft", 256), kwargs.get("hop_length", 80)
    lengths = torch.tensor([len(w) for w in waveforms])  # (B,)
    if lengths.min() < n_fft:
        i = int(lengths.argmin())
        raise ValueError(
            f"waveforms[{i}] must have at least n_fft = {n_fft} samples, got {int(lengths[i])}"
        )
    counts = num_frames(lengths, n_fft, hop)  # (B,)
    first = log_mel_spectrogram(waveforms[0][:n_fft], **kwargs)  # (M, 1): the band count
    features = torch.zeros(len(waveforms), first.shape[0], int(counts.max()))  # (B, M, T_max)
    order = lengths.argsort()
    for chunk in order.split(chunk_size):
        longest = int(lengths[chunk].max())
        padded = torch.zeros(len(chunk), longest)  # (b, n_max)
        for row, i in enumerate(chunk.tolist()):
            padded[row, : lengths[i]] = waveforms[i]
        logmel = log_mel_spectrogram(padded, **kwargs)  # (b, M, T_chunk)
        features[chunk, :, : logmel.shape[-1]] = logmel
    mask = torch.arange(features.shape[-1]) < counts[:, None]  # (B, T_max)
    return Utterances(features * mask[:, None, :], mask)


def floor_dynamic_range(utterances: Utterances, top_db: float = 35.0) -> Utterances:
    r"""Raise every log-mel value to at least the clip's loudest minus ``top_db`` decibels.

    .. math:: \hat f_{b, j, t} = \max\bigl(f_{b, j, t},\ \max_{j', t' \le T_b} f_{b, j', t'}
              - \delta\bigr), \qquad \delta = \tfrac{\ln 10}{10}\,\text{top\_db}

    (natural-log features: :math:`\delta` nats are ``top_db`` dB of power), over each clip's
    real frames, like the ``top_db`` of librosa's ``power_to_db``. What lies far below the
    clip's loudest sound, the silence between and around words, differs between recordings
    by its microphone, room and noise floor and not by the word: the floor replaces all of it
    by one value, so a classifier cannot learn a speaker's silence. Apply it before
    :func:`normalise`.

    Args:
        utterances: :class:`Utterances` of log-mel features ``(B, M, T)`` (natural log) and
            mask ``(B, T)``.
        top_db: the kept dynamic range in decibels, > 0.

    Returns:
        :class:`Utterances` with features ``(B, M, T)`` (zero on padding) and the same mask.
    """
    if not isinstance(utterances, Utterances):
        raise TypeError(f"utterances must be an Utterances, got {describe(utterances)}")
    features = check_tensor(utterances.features, "utterances.features", ndim=3, floating=True)
    top_db = check_scalar(top_db, "top_db", positive=True)
    keep = utterances.mask.unsqueeze(1)  # (B, 1, T)
    loudest = features.masked_fill(~keep, -math.inf).amax((1, 2), keepdim=True)  # (B, 1, 1)
    floor = loudest - top_db * math.log(10) / 10  # (B, 1, 1) in nats
    return Utterances(torch.maximum(features, floor) * keep, utterances.mask)


def normalise(
    utterances: Utterances, std: torch.Tensor | None = None
) -> tuple[Utterances, torch.Tensor]:
    r"""Subtract each clip's mean log-mel per band, then divide by a per-band spread.

    .. math:: \hat f_{b, j, t} = (f_{b, j, t} - \mu_{b, j}) / \sigma_j, \qquad
              \mu_{b, j} = \frac{1}{T_b} \sum_{t \le T_b} f_{b, j, t}

    A fixed gain :math:`g(f)` of a microphone or room multiplies the power spectrum, so after the
    log it adds a constant to each band of every frame; subtracting the clip's mean removes it
    (cepstral mean normalisation, done on log-mel bands). :math:`\sigma_j` is the standard
    deviation of band :math:`j` over all real frames after that subtraction; compute it on the
    training set and pass it for the test set.

    Args:
        utterances: :class:`Utterances` with features ``(B, M, T)`` and mask ``(B, T)``.
        std: ``(M,)`` the spread to divide by; None to compute it from ``utterances``.

    Returns:
        the normalised :class:`Utterances` (zero on padding) and the ``(M,)`` spread used.
    """
    if not isinstance(utterances, Utterances):
        raise TypeError(f"utterances must be an Utterances, got {describe(utterances)}")
    features = check_tensor(utterances.features, "utterances.features", ndim=3, floating=True)
    keep = utterances.mask.unsqueeze(1).to(features.dtype)  # (B, T) -> (B, 1, T)
    count = keep.sum(-1, keepdim=True)  # (B, 1, 1)
    centred = (features - (features * keep).sum(-1, keepdim=True) / count) * keep  # (B, M, T)
    if std is None:
        std = (centred.pow(2).sum((0, 2)) / keep.sum()).sqrt()  # (M,)
    else:
        std = check_tensor(std, "std", ndim=1, floating=True)
        if len(std) != features.shape[1]:
            raise ValueError(
                f"std must have shape ({features.shape[1]},) to match the "
                f"features' bands, got shape {tuple(std.shape)}"
            )
    return Utterances(centred / std[:, None], utterances.mask), std
