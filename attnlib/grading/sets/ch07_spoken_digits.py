"""Exercises for chapter 7, speech: the mel scale, framing, log-mel features in plain torch,
attention pooling over frames with a length mask, what padding does without it, hard top-k
attention over frames, and the attention mass on loud (voiced) frames."""

import math

import torch

from attnlib.grading.spec import ExerciseSet, Question, call, value


def _mel_bank(n_mels: int, n_fft: int, sample_rate: int) -> torch.Tensor:
    """An HTK triangular mel filterbank ``(M, N // 2 + 1)``: test input for 7.3."""
    freqs = torch.linspace(0, sample_rate / 2, n_fft // 2 + 1, dtype=torch.float64)  # (K,)
    top = 2595 * math.log10(1 + sample_rate / 2 / 700)
    edges = 700 * (10 ** (torch.linspace(0, top, n_mels + 2, dtype=torch.float64) / 2595) - 1)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]  # (M, 1) each
    rising, falling = (freqs - lower) / (centre - lower), (upper - freqs) / (upper - centre)
    return torch.clamp(torch.minimum(rising, falling), min=0).float()  # (M, K)


_g = torch.Generator().manual_seed(7)
_t = torch.arange(320) / 8000
# 40 ms of a 500 Hz tone (amplitude 0.5) over faint noise, then 20 ms of digital silence.
_tone = torch.cat([0.5 * torch.sin(2 * math.pi * 500 * _t) + 0.01 * torch.randn(320, generator=_g),
                   torch.zeros(160)])  # (480,)
_noise = 0.1 * torch.randn(400, generator=_g)  # (400,)
_bank8 = _mel_bank(8, 64, 8000)  # (8, 33)
_h = torch.randn(3, 6, 4, generator=_g)  # (B, T, C)
_w = torch.randn(4, generator=_g)
_lengths = torch.tensor([6, 4, 2])
_scores = torch.randn(3, 6, generator=_g)
_scores[1, 4:] = 5.0  # padding frames with the highest scores
_scores[2, 2:] = 4.0

MEL = Question(
    id="7.1",
    title="The mel scale and back",
    kind="implement",
    points=2,
    prompt=r"""
The mel scale (HTK form) maps a frequency $f$ in hertz to

$$m = 2595 \log_{10}\!\left(1 + \frac{f}{700}\right).$$

Write `hz_to_mel(f)` and its inverse `mel_to_hz(m)` (solve the formula for $f$), both for
tensors of any shape. Check that `mel_to_hz(hz_to_mel(f))` gives back `f` and that 1000 Hz is
close to 1000 mel.
""",
    stub='''def hz_to_mel(f):
    raise NotImplementedError("write hz_to_mel")


def mel_to_hz(m):
    raise NotImplementedError("write mel_to_hz")''',
    solution='''def hz_to_mel(f):
    return 2595 * torch.log10(1 + f / 700)


def mel_to_hz(m):
    return 700 * (10 ** (m / 2595) - 1)  # solve m = 2595 log10(1 + f/700) for f''',
    hint="2595 goes with log10 (1127 goes with the natural log); the inverse is "
         "f = 700 (10^(m/2595) - 1).",
    public=(
        call("hz_to_mel", torch.tensor([0.0, 700.0, 1000.0, 4000.0]), label="hz_to_mel of 0, 700, 1000, 4000 Hz"),
        call("mel_to_hz", torch.tensor([0.0, 1000.0, 2146.0638]), label="mel_to_hz of 0, 1000, 2146 mel"),
    ),
    wrong={
        "natural log with 2595": '''def hz_to_mel(f):
    return 2595 * torch.log(1 + f / 700)


def mel_to_hz(m):
    return 700 * (torch.exp(m / 2595) - 1)''',
        "Hz and mel swapped": '''def hz_to_mel(f):
    return 700 * (10 ** (f / 2595) - 1)


def mel_to_hz(m):
    return 2595 * torch.log10(1 + m / 700)''',
        "inverse forgets the 1": '''def hz_to_mel(f):
    return 2595 * torch.log10(1 + f / 700)


def mel_to_hz(m):
    return 700 * 10 ** (m / 2595)''',
    },
    explanation=r"From $m/2595 = \log_{10}(1 + f/700)$: $10^{m/2595} = 1 + f/700$, so "
                r"$f = 700\,(10^{m/2595} - 1)$. With the natural log the constant is 1127 "
                r"($2595 / \ln 10 \approx 1127$); 2595 with `torch.log` is a different scale.",
)

FRAMING = Question(
    id="7.2",
    title="Frames, bins and decibels",
    kind="compute",
    points=2,
    prompt=r"""
A one-second clip sampled at 8000 Hz is cut into frames of $N = 256$ samples (32 ms) every
$H = 80$ samples (10 ms), keeping only frames that lie wholly inside the clip (no padding),
and each frame goes through a real FFT. Derive:

- `frames`: the number of frames $T$;
- `bins`: the number of frequency bins the real FFT returns per frame;
- `hz_per_bin`: the spacing between two bins, in Hz;
- `mel_4k`: 4000 Hz (the highest frequency of the clip) in mel, HTK form;
- `sine_db`: the mean power $\frac{1}{N}\sum_m x[m]^2$, in dB ($10 \log_{10}$), of a
  sine of amplitude 0.1 over whole periods.

Set `framing = {"frames": ..., "bins": ..., "hz_per_bin": ..., "mel_4k": ..., "sine_db": ...}`.
""",
    stub='framing = {"frames": None, "bins": None, "hz_per_bin": None, "mel_4k": None, "sine_db": None}',
    solution='''framing = {
    "frames": 1 + (8000 - 256) // 80,  # 97
    "bins": 256 // 2 + 1,  # 129: 0 Hz to the Nyquist frequency
    "hz_per_bin": 8000 / 256,  # 31.25
    "mel_4k": 2595 * math.log10(1 + 4000 / 700),  # 2146.06
    "sine_db": 10 * math.log10(0.1**2 / 2),  # mean of sin^2 is 1/2: -23.01 dB
}''',
    hint="frames start at 0, H, 2H, ... while the start is at most n - N; a real FFT of N "
         "samples returns N/2 + 1 bins spaced f_s / N apart; the mean of sin^2 over whole "
         "periods is 1/2.",
    public=(value("framing", label="framing"),),
    wrong={
        "n / H frames and N bins": '''framing = {"frames": 100, "bins": 256, "hz_per_bin": 31.25,
           "mel_4k": 2595 * math.log10(1 + 4000 / 700), "sine_db": 10 * math.log10(0.1**2 / 2)}''',
        "centred (padded) frames": '''framing = {"frames": 101, "bins": 129, "hz_per_bin": 31.25,
           "mel_4k": 2595 * math.log10(1 + 4000 / 700), "sine_db": 10 * math.log10(0.1**2 / 2)}''',
        "natural-log mel, amplitude not power": '''framing = {"frames": 97, "bins": 129, "hz_per_bin": 31.25,
           "mel_4k": 2595 * math.log(1 + 4000 / 700), "sine_db": 10 * math.log10(0.1)}''',
    },
    explanation=r"$T = 1 + \lfloor (8000 - 256)/80 \rfloor = 97$; $N/2 + 1 = 129$ bins from "
                r"0 to 4000 Hz, $8000/256 = 31.25$ Hz apart; $2595 \log_{10}(1 + 4000/700) "
                r"\approx 2146$ mel; $\frac{1}{N}\sum_m (0.1 \sin\omega m)^2 = 0.1^2/2 = 0.005$, "
                r"that is $-23.0$ dB.",
)

LOG_MEL = Question(
    id="7.3",
    title="Log-mel features in plain torch",
    kind="implement",
    points=3,
    prompt=r"""
Write `log_mel(waveform, bank, n_fft, hop_length, eps=1e-6)` for a 1-D float waveform of
$n \ge N$ samples and a mel filterbank `bank` of shape `(M, N // 2 + 1)`:

1. cut frames $x_t[m] = x[tH + m]$, $m < N$, keeping only whole frames (`Tensor.unfold`);
2. multiply each by the periodic Hann window $w[m] = \tfrac12\bigl(1 - \cos(2\pi m / N)\bigr)$
   (`torch.hann_window(N)`);
3. take the power spectrum $P[t, k] = |\mathrm{rfft}(w \cdot x_t)[k]|^2$ (power, not magnitude);
4. apply the filterbank, $S[j, t] = \sum_k \mathrm{bank}[j, k]\, P[t, k]$;
5. return $\log(S + \varepsilon)$, shape `(M, T)`.

The test clips contain stretches of digital silence.
""",
    stub='''def log_mel(waveform, bank, n_fft, hop_length, eps=1e-6):
    raise NotImplementedError("write log_mel")''',
    solution='''def log_mel(waveform, bank, n_fft, hop_length, eps=1e-6):
    frames = waveform.unfold(-1, n_fft, hop_length)  # (T, N)
    window = torch.hann_window(n_fft, periodic=True, dtype=waveform.dtype)  # (N,)
    spectrum = torch.fft.rfft(frames * window, dim=-1)  # (T, K), K = N // 2 + 1
    power = spectrum.real**2 + spectrum.imag**2  # |X|^2
    mel = bank @ power.T  # (M, K) @ (K, T) -> (M, T)
    return torch.log(mel + eps)  # eps keeps silent frames finite''',
    hint="window every frame before the FFT, square the magnitude, multiply the bank by the "
         "power (K, T), and add eps inside the log: log(0) is -inf on a silent frame.",
    public=(
        call("log_mel", _tone, _bank8, 64, 32, label="a 500 Hz tone then silence (n_fft 64, hop 32, 8 bands)",
             rtol=1e-3, atol=1e-3),
        call("log_mel", _noise, _bank8, 64, 16, eps=1e-3, label="noise, hop 16, eps 1e-3",
             rtol=1e-3, atol=1e-3),
    ),
    wrong={
        "log of zero energy (no epsilon)": '''def log_mel(waveform, bank, n_fft, hop_length, eps=1e-6):
    frames = waveform.unfold(-1, n_fft, hop_length)
    window = torch.hann_window(n_fft, periodic=True, dtype=waveform.dtype)
    power = torch.fft.rfft(frames * window, dim=-1).abs() ** 2
    return torch.log(bank @ power.T)''',
        "no window": '''def log_mel(waveform, bank, n_fft, hop_length, eps=1e-6):
    frames = waveform.unfold(-1, n_fft, hop_length)
    power = torch.fft.rfft(frames, dim=-1).abs() ** 2
    return torch.log(bank @ power.T + eps)''',
        "magnitude, not power": '''def log_mel(waveform, bank, n_fft, hop_length, eps=1e-6):
    frames = waveform.unfold(-1, n_fft, hop_length)
    window = torch.hann_window(n_fft, periodic=True, dtype=waveform.dtype)
    magnitude = torch.fft.rfft(frames * window, dim=-1).abs()
    return torch.log(bank @ magnitude.T + eps)''',
        "symmetric Hann window": '''def log_mel(waveform, bank, n_fft, hop_length, eps=1e-6):
    frames = waveform.unfold(-1, n_fft, hop_length)
    window = torch.hann_window(n_fft, periodic=False, dtype=waveform.dtype)
    power = torch.fft.rfft(frames * window, dim=-1).abs() ** 2
    return torch.log(bank @ power.T + eps)''',
    },
    explanation="It equals `torch.stft(waveform, n_fft, hop_length, window=torch.hann_window(n_fft), "
                "center=False, return_complex=True).abs() ** 2` through the bank and the log. "
                "Without $\\varepsilon$ a silent frame gives $\\log 0 = -\\infty$, which "
                "poisons every later layer.",
)

POOL = Question(
    id="7.4",
    title="Attention pooling over frames with a length mask",
    kind="implement",
    points=3,
    prompt=r"""
A batch of $B$ clips of different lengths is padded to $T$ frames: clip $b$ has
`lengths[b]` real frames, then padding (whose values are arbitrary). Given encoder outputs
`h` `(B, T, C)` and a scoring vector `w` `(C,)`, write `masked_attention_pool(h, w, lengths)`:
scores $s_t = w^\top h_t$, weights $\alpha = \mathrm{softmax}(s)$ **over the time axis** with
every padding frame given weight exactly 0, and the pooled vector
$\sum_t \alpha_t h_t$. Return `(pooled, alpha)`, shapes `(B, C)` and `(B, T)`. Every clip
has at least one real frame.
""",
    stub='''def masked_attention_pool(h, w, lengths):
    raise NotImplementedError("write masked_attention_pool")''',
    solution='''def masked_attention_pool(h, w, lengths):
    T = h.shape[1]
    mask = torch.arange(T) < lengths[:, None]  # (B, T): True on real frames
    scores = h @ w  # (B, T, C) @ (C,) -> (B, T)
    scores = scores.masked_fill(~mask, float("-inf"))  # padding: exp(-inf) = 0
    alpha = torch.softmax(scores, dim=-1)  # over time (every clip has a real frame)
    pooled = (alpha.unsqueeze(-1) * h).sum(1)  # (B, T, 1) * (B, T, C) -> (B, C)
    return pooled, alpha''',
    hint="build the mask with torch.arange(T) < lengths[:, None] (frame t is real when "
         "t < length), fill the padding scores with -inf, and normalise over dim=1 (time), "
         "not over the C features.",
    public=(
        call("masked_attention_pool", _h, _w, _lengths, label="lengths 6, 4, 2 of T = 6"),
        call("masked_attention_pool", _h[:1], _w, torch.tensor([6]), label="one clip, no padding"),
    ),
    wrong={
        "padding not masked": '''def masked_attention_pool(h, w, lengths):
    alpha = torch.softmax(h @ w, dim=-1)
    return (alpha.unsqueeze(-1) * h).sum(1), alpha''',
        "softmax over the features": '''def masked_attention_pool(h, w, lengths):
    mask = torch.arange(h.shape[1]) < lengths[:, None]
    a = torch.softmax(h * w, dim=-1) * mask.unsqueeze(-1)  # (B, T, C), over C
    alpha = a.sum(-1) / a.sum((1, 2)).unsqueeze(-1)
    return (a * h).sum(1), alpha''',
        "off by one (t <= length)": '''def masked_attention_pool(h, w, lengths):
    mask = torch.arange(h.shape[1]) <= lengths[:, None]
    alpha = attnlib.softmax(h @ w, dim=-1, mask=mask)
    return (alpha.unsqueeze(-1) * h).sum(1), alpha''',
        "mean over real frames": '''def masked_attention_pool(h, w, lengths):
    mask = (torch.arange(h.shape[1]) < lengths[:, None]).float()
    alpha = mask / mask.sum(-1, keepdim=True)
    return (alpha.unsqueeze(-1) * h).sum(1), alpha''',
    },
)

PADDING = Question(
    id="7.5",
    title="What padding does to an unmasked softmax",
    kind="predict",
    points=2,
    prompt=r"""
A clip of 4 real frames is zero-padded to $T = 12$ frames because it shares a batch with a
longer clip. Suppose the encoder output is 0 on padding and, to keep the arithmetic simple,
every real frame's score is also 0. The pooling of 7.4 is written **without** the mask.
Derive the total weight on the 8 padding frames (`mass_on_padding`) and the factor by which
the pooled vector is multiplied compared with the masked result (`scale`), then choose what
happens: (a) nothing, since zero frames add nothing to the sum; (b) padding frames take
weight from the real ones, so the pooled vector shrinks and the same clip gets a different
output depending on how much its batch was padded; (c) the weights become NaN. Set
`padding = {"mass_on_padding": ..., "scale": ..., "what": <a letter>}` and explain below.
""",
    stub='padding = {"mass_on_padding": None, "scale": None, "what": None}',
    solution='padding = {"mass_on_padding": 8 / 12, "scale": 4 / 12, "what": "b"}',
    hint="a padding frame's score is w . 0 = 0, so it gets exp(0) / Z like any real frame "
         "with score 0.",
    public=(value("padding", label="padding"),),
    wrong={
        "zeros are harmless": 'padding = {"mass_on_padding": 0.0, "scale": 1.0, "what": "a"}',
        "right letter, wrong mass": 'padding = {"mass_on_padding": 0.5, "scale": 0.5, "what": "b"}',
    },
    explanation=r"All 12 scores are 0, so each frame gets $1/12$: the padding takes $8/12$ of "
                r"the mass and the pooled vector is $\frac{1}{12}\sum_{\text{real}} h_t = "
                r"\frac{4}{12} \cdot \frac14 \sum_{\text{real}} h_t$. The output of a clip "
                r"then depends on the other clips of its batch; with the mask it does not.",
)

TOPK = Question(
    id="7.6",
    title="Hard top-k attention over frames",
    kind="implement",
    points=2,
    prompt=r"""
Hard attention keeps only the $k$ highest-scoring **real** frames and averages them. Write
`topk_frame_pool(h, scores, lengths, k)` for `h` `(B, T, C)`, scores `(B, T)` and `lengths`
`(B,)` (every clip has at least $k$ real frames): $\alpha_t = 1/k$ on the chosen frames and 0
elsewhere, pooled $= \sum_t \alpha_t h_t$. Padding must never be chosen, whatever its score.
Return `(pooled, alpha)`. (`attnlib.topk_mask(scores, k)` keeps the k largest entries.)
""",
    stub='''def topk_frame_pool(h, scores, lengths, k):
    raise NotImplementedError("write topk_frame_pool")''',
    solution='''def topk_frame_pool(h, scores, lengths, k):
    mask = torch.arange(h.shape[1]) < lengths[:, None]  # (B, T)
    chosen = attnlib.topk_mask(scores.masked_fill(~mask, float("-inf")), k)  # (B, T) bool
    alpha = chosen.to(h.dtype) / k  # k-hot / k
    return (alpha.unsqueeze(-1) * h).sum(1), alpha  # (B, C), (B, T)''',
    hint="fill the padding scores with -inf before taking the top k, and give each chosen "
         "frame weight 1/k so that the weights sum to 1.",
    public=(
        call("topk_frame_pool", _h, _scores, _lengths, 2, label="k = 2, padding scored highest"),
        call("topk_frame_pool", _h[:1], _scores[:1], torch.tensor([6]), 3, label="k = 3, no padding"),
    ),
    wrong={
        "padding can be chosen": '''def topk_frame_pool(h, scores, lengths, k):
    alpha = attnlib.topk_mask(scores, k).to(h.dtype) / k
    return (alpha.unsqueeze(-1) * h).sum(1), alpha''',
        "sum, not average": '''def topk_frame_pool(h, scores, lengths, k):
    mask = torch.arange(h.shape[1]) < lengths[:, None]
    alpha = attnlib.topk_mask(scores.masked_fill(~mask, float("-inf")), k).to(h.dtype)
    return (alpha.unsqueeze(-1) * h).sum(1), alpha''',
        "softmax weights on the chosen frames": '''def topk_frame_pool(h, scores, lengths, k):
    mask = torch.arange(h.shape[1]) < lengths[:, None]
    chosen = attnlib.topk_mask(scores.masked_fill(~mask, float("-inf")), k)
    alpha = attnlib.softmax(scores, dim=-1, mask=chosen)
    return (alpha.unsqueeze(-1) * h).sum(1), alpha''',
    },
)

VOICED = Question(
    id="7.7",
    title="How much attention falls on loud frames",
    kind="implement",
    points=3,
    prompt=r"""
To ask whether a model attends to the speech rather than the silence around it, measure the
attention mass on loud frames. Write two functions:

- `frame_power_db(waveform, n_fft, hop_length, eps=1e-10)`: for a waveform `(..., n)`, the
  mean power of each whole frame in decibels,
  $p_t = 10 \log_{10}\bigl(\frac1N \sum_{m<N} x[tH+m]^2 + \varepsilon\bigr)$ (no window),
  shape `(..., T)`;
- `voiced_mass(alpha, power_db, threshold_db)`: for weights `alpha` `(B, T)` and powers
  `(B, T)`, the attention mass on frames with $p_t \ge$ `threshold_db`,
  $\sum_t \alpha_t\, [p_t \ge \theta]$, shape `(B,)`.

Compare the mass with the fraction of loud frames: uniform weights would score exactly that.
""",
    stub='''def frame_power_db(waveform, n_fft, hop_length, eps=1e-10):
    raise NotImplementedError("write frame_power_db")


def voiced_mass(alpha, power_db, threshold_db):
    raise NotImplementedError("write voiced_mass")''',
    solution='''def frame_power_db(waveform, n_fft, hop_length, eps=1e-10):
    frames = waveform.unfold(-1, n_fft, hop_length)  # (..., T, N)
    power = frames.pow(2).mean(-1)  # (1/N) sum_m x^2: (..., T)
    return 10 * torch.log10(power + eps)


def voiced_mass(alpha, power_db, threshold_db):
    loud = (power_db >= threshold_db).to(alpha.dtype)  # (B, T)
    return (alpha * loud).sum(-1)  # (B,)''',
    hint="divide the frame's sum of squares by N (a mean, not a sum), keep eps inside the "
         "log10 (silence would give -inf), and sum the weights, not the count, of the loud "
         "frames.",
    public=(
        call("frame_power_db", _tone, 64, 32, label="frame_power_db: tone then silence, n_fft 64, hop 32"),
        call("voiced_mass", torch.softmax(_scores, -1), 10 * _scores - 10, -12.0,
             label="voiced_mass: 3 clips, threshold -12 dB"),
    ),
    wrong={
        "forgot the 1/N": '''def frame_power_db(waveform, n_fft, hop_length, eps=1e-10):
    power = waveform.unfold(-1, n_fft, hop_length).pow(2).sum(-1)
    return 10 * torch.log10(power + eps)


def voiced_mass(alpha, power_db, threshold_db):
    return (alpha * (power_db >= threshold_db)).sum(-1)''',
        "log of zero power (no epsilon)": '''def frame_power_db(waveform, n_fft, hop_length, eps=1e-10):
    power = waveform.unfold(-1, n_fft, hop_length).pow(2).mean(-1)
    return 10 * torch.log10(power)


def voiced_mass(alpha, power_db, threshold_db):
    return (alpha * (power_db >= threshold_db)).sum(-1)''',
        "fraction of loud frames, not mass": '''def frame_power_db(waveform, n_fft, hop_length, eps=1e-10):
    power = waveform.unfold(-1, n_fft, hop_length).pow(2).mean(-1)
    return 10 * torch.log10(power + eps)


def voiced_mass(alpha, power_db, threshold_db):
    return (power_db >= threshold_db).float().mean(-1)''',
        "natural log, quiet frames counted": '''def frame_power_db(waveform, n_fft, hop_length, eps=1e-10):
    power = waveform.unfold(-1, n_fft, hop_length).pow(2).mean(-1)
    return 10 * torch.log(power + eps)


def voiced_mass(alpha, power_db, threshold_db):
    return (alpha * (power_db < threshold_db)).sum(-1)''',
    },
)

SET = ExerciseSet(
    name="07_spoken_digits",
    chapter="chapters/07_spoken_digits",
    title="Exercises: attention over spoken digits",
    intro="Seven exercises on chapter 7, on small synthesized waveforms and tensors (no "
          "training, no dataset): the mel scale, framing, log-mel features in plain torch, "
          "attention pooling over frames with a length mask, what padding does without it, "
          "hard top-k attention over frames, and the attention mass on loud frames.",
    setup="import math\nimport torch\nimport attnlib",
    questions=(MEL, FRAMING, LOG_MEL, POOL, PADDING, TOPK, VOICED),
)
