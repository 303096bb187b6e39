"""Handout stubs, exercise set 07_spoken_digits: each `# %% N.k` section is the answer cell
learners start from; it must score zero."""


# %% 7.1
def hz_to_mel(f):
    raise NotImplementedError("write hz_to_mel")


def mel_to_hz(m):
    raise NotImplementedError("write mel_to_hz")


# %% 7.2
framing = {"frames": None, "bins": None, "hz_per_bin": None, "mel_top": None, "sine_db": None}


def framing_for(n, sample_rate, n_fft, hop, amplitude):
    raise NotImplementedError("write framing_for")


# %% 7.3
def log_mel(waveform, bank, n_fft, hop_length, eps=1e-6):
    raise NotImplementedError("write log_mel")


# %% 7.4
def masked_attention_pool(h, w, lengths):
    raise NotImplementedError("write masked_attention_pool")


# %% 7.5
padding = {"mass_on_padding": None, "scale": None, "what": None}


def padding_effect(scores, T):
    raise NotImplementedError("write padding_effect")


# %% 7.6
def topk_frame_pool(h, scores, lengths, k):
    raise NotImplementedError("write topk_frame_pool")


# %% 7.7
def frame_power_db(waveform, n_fft, hop_length, eps=1e-10):
    raise NotImplementedError("write frame_power_db")


def voiced_mass(alpha, power_db, threshold_db):
    raise NotImplementedError("write voiced_mass")
