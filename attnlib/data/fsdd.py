"""The Free Spoken Digit Dataset (FSDD) v1.0.10: 3,000 recordings of spoken digits at 8 kHz.

Six speakers (george, jackson, lucas, nicolas, theo, yweweler) say each digit 50 times; the
files are ``recordings/{digit}_{speaker}_{take}.wav``, mono 16-bit PCM. ``<root>/fsdd/`` holds
the release tarball ``free-spoken-digit-dataset-1.0.10.tar.gz`` or its extracted folder
``free-spoken-digit-dataset-1.0.10/`` (read first when both are there). Either is verified by
a digest of its WAV files that does not depend on the compression,

    sha256("".join(f"{sha256(wav_bytes)}  {basename}\\n" for basename in sorted(names))),

before any of them is decoded. Licence: CC BY-SA 4.0 (Zohar Jackson et al.).

Splits: ``split_by="take"`` is the canonical one (takes 0–4 of every speaker and digit are the
test set, 300 recordings; takes 5–49 the training set, 2,700). Every speaker is in both, so it
is not speaker-independent; ``split_by="speaker"`` holds out all recordings of
``test_speaker``.
"""

from __future__ import annotations

import io
import os
import re
import tarfile
import warnings
import wave
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from attnlib.data.download import (
    DataDirError,
    DataNotFoundError,
    DownloadError,
    RemoteFile,
    data_root,
    fetch_file,
    sha256_bytes,
    verify_file,
)
from attnlib.data.fallback import (
    FALLBACK_SPEAKERS,
    FallbackDataWarning,
    load_spoken_digits_fallback,
)
from attnlib.data.records import (
    SAMPLE_RATE,
    TEST_TAKES,
    SpokenDigits,
    check_split,
    select_split,
)

__all__ = [
    "ARCHIVE",
    "SAMPLE_RATE",
    "SPEAKERS",
    "TEST_TAKES",
    "SpokenDigits",
    "load_fsdd",
    "read_wav",
    "recordings",
    "wav_set_sha256",
]

SPEAKERS = ("george", "jackson", "lucas", "nicolas", "theo", "yweweler")

_NAME = re.compile(r"(\d)_([a-z]+)_(\d+)\.wav")


def wav_set_sha256(files: dict[str, bytes]) -> str:
    """The content digest of a set of WAV files, keyed by base name (formula in the docstring)."""
    lines = "".join(f"{sha256_bytes(files[name])}  {name}\n" for name in sorted(files))
    return sha256_bytes(lines.encode())


def _read_archive(path: Path) -> tuple[dict[str, bytes], str]:
    """All ``*/recordings/*.wav`` members of a tarball, by base name, and their digest."""
    files = {}
    with tarfile.open(path, "r:*") as tar:
        for member in tar:  # a single sequential pass through the compressed stream
            parts = member.name.split("/")
            if member.isfile() and parts[-1].endswith(".wav") and parts[-2:-1] == ["recordings"]:
                stream = tar.extractfile(member)
                assert stream is not None  # a regular file's member always has one
                files[parts[-1]] = stream.read()
    if not files:
        raise ValueError(f"no recordings/*.wav in the archive {path}")
    return files, wav_set_sha256(files)


def _read_folder(path: Path) -> tuple[dict[str, bytes], str]:
    """The WAV files of an extracted release folder, by base name, and their digest."""
    files = {wav.name: wav.read_bytes() for wav in (path / "recordings").glob("*.wav")}
    return files, wav_set_sha256(files)


ARCHIVE = RemoteFile(
    dataset="fsdd",
    name="free-spoken-digit-dataset-1.0.10.tar.gz",
    urls=(
        "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/v1.0.10.tar.gz",
    ),
    # The release tarball's digest; GitHub may re-generate archives, so the content decides.
    sha256="feb479fad3a37883c3d21ed7f982281c2dd1c18d5aefd7e8a5d50f58023392aa",
    content_sha256="1801eae019c063377d98f831d3f93574f259475df7332bb0e3d1b080fb5e6959",
    read=_read_archive,
)


def read_wav(data: bytes, name: str = "wav") -> np.ndarray:
    """Decode a mono 16-bit PCM WAV file at 8 kHz into float32 samples in [-1, 1].

    Args:
        data: the file's bytes.
        name: the file's name, used in error messages.

    Returns:
        ``(T,)`` float32, the int16 samples divided by 32768.

    Raises:
        ValueError: not a WAV file, or not mono 16-bit PCM at 8000 Hz.
    """
    try:
        with wave.open(io.BytesIO(data)) as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as err:
        raise ValueError(f"{name}: not a readable WAV file ({err})") from None
    if (channels, width, rate) != (1, 2, SAMPLE_RATE):
        raise ValueError(
            f"{name}: expected mono 16-bit PCM at {SAMPLE_RATE} Hz, got {channels} channel(s), "
            f"{8 * width}-bit at {rate} Hz"
        )
    return np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0


def recordings(
    root: Path,
    origin: str = "",
    *,
    download: bool = True,
    replace_bad: bool = False,
    progress: bool = True,
) -> tuple[dict[str, bytes], Path]:
    """The verified WAV files of ``root/fsdd`` (by base name) and the folder or tarball read.

    The extracted folder is read when present, else the tarball, downloaded if missing and
    ``download``; ``replace_bad`` and ``progress`` are as for
    :func:`~attnlib.data.download.fetch_file`.
    """
    folder = root / "fsdd"
    extracted = folder / ARCHIVE.name.removesuffix(".tar.gz")
    if (extracted / "recordings").is_dir():
        spec = replace(ARCHIVE, name=extracted.name, sha256=None, read=_read_folder)
        return verify_file(spec, extracted), extracted
    path, files = fetch_file(
        ARCHIVE,
        folder,
        download=download,
        replace_bad=replace_bad,
        progress=progress,
        origin=origin,
    )
    return files, path


def _load_real(split, data_dir, download, split_by, test_speaker) -> SpokenDigits:
    root, origin = data_root(data_dir)
    files, where = recordings(root, origin, download=download)
    parsed = []
    for name in files:
        match = _NAME.fullmatch(name)
        if match is None:
            raise ValueError(f"{where}: {name} is not named {{digit}}_{{speaker}}_{{take}}.wav")
        parsed.append((int(match[1]), match[2], int(match[3]), name))
    parsed.sort()  # by digit, speaker, take
    speakers = [speaker for _, speaker, _, _ in parsed]
    takes = np.array([take for _, _, take, _ in parsed])
    keep = select_split(speakers, takes, split, split_by, test_speaker)
    chosen = [p for p, k in zip(parsed, keep, strict=True) if k]
    return SpokenDigits(
        waveforms=[torch.from_numpy(read_wav(files[n], name=n)) for _, _, _, n in chosen],
        labels=torch.tensor([d for d, _, _, _ in chosen], dtype=torch.int64),
        speakers=[s for _, s, _, _ in chosen],
        sample_rate=SAMPLE_RATE,
        split=split,
        source=f"FSDD v1.0.10 (Jackson et al.) from {where}",
    )


def load_fsdd(
    split: str = "train",
    *,
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
    split_by: str = "take",
    test_speaker: str | None = None,
    fallback: bool = False,
    warn: bool = True,
) -> SpokenDigits:
    """Load the Free Spoken Digit Dataset's recordings, labels and speakers, verified.

    The data root is ``data_dir``, else ``$ATTNLIB_DATA``, else the per-user cache; the
    tarball is downloaded there from GitHub when missing and ``download`` is True.

    Args:
        split: ``"train"`` or ``"test"``.
        data_dir: the data root holding ``fsdd/``; None to use ``$ATTNLIB_DATA`` or the cache.
        download: whether a missing tarball may be downloaded.
        split_by: ``"take"`` (canonical: takes 0–4 are the test set, 300 of 3,000) or
            ``"speaker"`` (all recordings of ``test_speaker`` are the test set, 500).
        test_speaker: the held-out speaker; required with ``split_by="speaker"`` only.
        fallback: when the real data cannot be had, return
            :func:`~attnlib.data.load_spoken_digits_fallback` instead, with a
            :class:`~attnlib.data.FallbackDataWarning`; a held-out speaker becomes the
            synthetic speaker in its position (``"george"`` -> ``"synth1"``). A corrupt local
            copy still raises.
        warn: issue that warning; False where the caller reports ``source`` itself (the
            returned data says ``FALLBACK`` there and ``is_fallback`` is True either way).

    Returns:
        A :class:`SpokenDigits`: ``waveforms`` (list of ``(T_i,)`` float32), ``labels``
        ``(N,)`` int64, ``speakers`` (N str), ``sample_rate`` 8000, ``source``,
        ``is_fallback``; ordered by digit, speaker, take.

    Raises:
        DataNotFoundError, DownloadError, DataDirError: the data cannot be had (and
            ``fallback`` is False); the message says where it looked and how to fix it.
        ChecksumError: a local copy is corrupt; the message names it and its digests.

    Example:
        >>> waveforms, labels, speakers = load_fsdd("test")
        >>> len(waveforms), sorted(set(speakers))[:2]
        (300, ['george', 'jackson'])
    """
    check_split(split, split_by, test_speaker, SPEAKERS)
    try:
        return _load_real(split, data_dir, download, split_by, test_speaker)
    except (DataNotFoundError, DownloadError, DataDirError) as err:
        if not fallback:
            raise
        reason = str(err).splitlines()[0]
        if warn:
            warnings.warn(
                f"FSDD could not be loaded ({reason}); using the fallback instead: synthetic "
                "spoken digits generated by the course, which are NOT FSDD.",
                FallbackDataWarning,
                stacklevel=2,
            )
        if test_speaker is not None:
            # The synthetic speaker in the same position stands in for the held-out one.
            test_speaker = FALLBACK_SPEAKERS[SPEAKERS.index(test_speaker)]
        return load_spoken_digits_fallback(
            split, split_by=split_by, test_speaker=test_speaker, warn=False
        )
