"""FSDD: WAV decoding, the tarball and the extracted folder, verification, and the splits."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from conftest import TOP, sha256, tar_bytes, wav_bytes

from attnlib.data import (
    ChecksumError,
    DataNotFoundError,
    FallbackDataWarning,
    SpokenDigits,
    fsdd,
    load_fsdd,
)
from attnlib.data.fsdd import read_wav, wav_set_sha256


def test_read_wav_scales_int16_into_unit_range():
    samples = np.array([-32768, -16384, 0, 16384, 32767])
    x = read_wav(wav_bytes(samples))
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x, samples / 32768)
    assert -1 <= x.min() and x.max() < 1


@pytest.mark.parametrize(
    "data, message",
    [
        (b"RIFF....nonsense", "a.wav: not a readable WAV file"),
        (
            wav_bytes(np.zeros(4), rate=16000),
            r"a.wav: expected mono 16-bit PCM at 8000 Hz, got 1 channel\(s\), 16-bit at 16000 Hz",
        ),
        (wav_bytes(np.zeros(4), channels=2), "got 2 channel"),
    ],
    ids=["garbage", "rate", "stereo"],
)
def test_read_wav_rejects_other_formats(data, message):
    with pytest.raises(ValueError, match=message):
        read_wav(data, name="a.wav")


def test_content_digest_follows_the_readme_formula():
    files = {"b.wav": b"2", "a.wav": b"1"}
    lines = f"{sha256(b'1')}  a.wav\n{sha256(b'2')}  b.wav\n"
    assert wav_set_sha256(files) == sha256(lines.encode())


def _check(data: SpokenDigits, tiny, split: str, expected_len: int) -> None:
    assert isinstance(data, SpokenDigits) and data.split == split and not data.is_fallback
    assert len(data) == len(data.waveforms) == len(data.speakers) == expected_len
    assert data.labels.dtype == torch.int64 and data.sample_rate == 8000
    for wave in data.waveforms:
        assert wave.dtype == torch.float32 and wave.dim() == 1
        assert -1 <= wave.min() and wave.max() <= 1
    # Ordered by digit, speaker, take; the waveforms are the samples written, scaled.
    first = f"{int(data.labels[0])}_{data.speakers[0]}_{0 if split == 'test' else 5}.wav"
    np.testing.assert_array_equal(data.waveforms[0].numpy(), tiny.samples[first] / 32768)


def test_load_from_the_tarball(tiny_fsdd, tmp_path):
    path = tiny_fsdd.write_tarball(tmp_path)
    test = load_fsdd("test", data_dir=tmp_path, download=False)
    train = load_fsdd("train", data_dir=tmp_path, download=False)
    _check(test, tiny_fsdd, "test", 45)  # takes 0-4 of 3 speakers x 3 digits
    _check(train, tiny_fsdd, "train", 18)  # takes 5-6
    assert test.source == f"FSDD v1.0.10 (Jackson et al.) from {path}"
    assert test.labels.tolist() == sorted(test.labels.tolist())


def test_load_from_the_extracted_folder(tiny_fsdd, tmp_path):
    folder = tiny_fsdd.write_folder(tmp_path)
    waveforms, labels, speakers = load_fsdd("test", data_dir=tmp_path, download=False)
    assert len(waveforms) == 45 and sorted(set(speakers)) == ["george", "jackson", "theo"]
    assert str(folder) in load_fsdd("train", data_dir=tmp_path).source


def test_download_from_a_mirror(tiny_fsdd, server, tmp_path):
    tiny_fsdd.install(server.serve("/v1.0.10.tar.gz", tiny_fsdd.tarball))
    assert len(load_fsdd("test", data_dir=tmp_path)) == 45
    assert [p.name for p in (tmp_path / "fsdd").iterdir()] == [fsdd.ARCHIVE.name]


def test_regenerated_archive_is_accepted_by_content(tiny_fsdd, tmp_path):
    # GitHub may serve a differently compressed archive of the same files.
    tiny_fsdd.write_tarball(tmp_path, tar_bytes(dict(reversed(tiny_fsdd.wavs.items()))))
    assert len(load_fsdd("test", data_dir=tmp_path)) == 45


def test_altered_recording_in_tarball_is_caught_before_decoding(tiny_fsdd, tmp_path, monkeypatch):
    wavs = dict(tiny_fsdd.wavs)
    wavs["1_theo_3.wav"] = wavs["1_theo_3.wav"][:-1] + b"\x01"
    path = tiny_fsdd.write_tarball(tmp_path, tar_bytes(wavs))
    monkeypatch.setattr(fsdd, "read_wav", lambda *a, **k: pytest.fail("decoded unverified data"))
    with pytest.raises(ChecksumError) as info:
        load_fsdd("train", data_dir=tmp_path)
    message = str(info.value)
    assert str(path) in message and fsdd.ARCHIVE.content_sha256 in message
    assert wav_set_sha256(wavs) in message and "python -m attnlib.data fetch fsdd" in message


def test_truncated_tarball_is_a_checksum_error(tiny_fsdd, tmp_path):
    tiny_fsdd.write_tarball(tmp_path, tiny_fsdd.tarball[:-100])
    with pytest.raises(ChecksumError, match="cannot be decoded"):
        load_fsdd("test", data_dir=tmp_path)


def test_folder_with_a_missing_recording_is_a_checksum_error(tiny_fsdd, tmp_path):
    folder = tiny_fsdd.write_folder(tmp_path)
    (folder / "recordings" / "0_george_0.wav").unlink()
    with pytest.raises(ChecksumError, match=f"{folder} is corrupt or incomplete"):
        load_fsdd("test", data_dir=tmp_path)


def test_missing_offline_says_where_and_how(tmp_path):
    with pytest.raises(DataNotFoundError, match="fallback=True") as info:
        load_fsdd("test", data_dir=tmp_path, download=False)
    assert str(tmp_path / "fsdd") in str(info.value)


# --- splits ---------------------------------------------------------------------------------


def test_speaker_split_holds_out_one_speaker(tiny_fsdd, tmp_path):
    tiny_fsdd.write_tarball(tmp_path)
    test = load_fsdd("test", data_dir=tmp_path, split_by="speaker", test_speaker="theo")
    train = load_fsdd("train", data_dir=tmp_path, split_by="speaker", test_speaker="theo")
    assert set(test.speakers) == {"theo"} and len(test) == 21
    assert "theo" not in train.speakers and len(train) == 42


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            {"split_by": "speaker"},
            ValueError,
            r"test_speaker is required with split_by='speaker': one of \['george', 'jackson', "
            r"'lucas', 'nicolas', 'theo', 'yweweler'\]",
        ),
        (
            {"split_by": "speaker", "test_speaker": "alice"},
            ValueError,
            r"test_speaker must be one of \['george', .*'yweweler'\], got 'alice'",
        ),
        ({"split_by": "speaker", "test_speaker": 3}, TypeError, "test_speaker must be one of"),
        ({"test_speaker": "theo"}, ValueError, "only used with split_by='speaker'"),
        ({"split_by": "digit"}, ValueError, r"split_by must be one of \['take', 'speaker'\]"),
        ({"split": "dev"}, ValueError, r"split must be one of \['train', 'test'\], got 'dev'"),
    ],
)
def test_bad_split_arguments_fail_before_loading(kwargs, error, message):
    with pytest.raises(error, match=message):
        load_fsdd(**kwargs)


def test_speaker_absent_from_the_data_is_named(tiny_fsdd, tmp_path):
    tiny_fsdd.write_tarball(tmp_path)
    with pytest.raises(ValueError, match=r"one of \['george', 'jackson', 'theo'\], got 'lucas'"):
        load_fsdd("test", data_dir=tmp_path, split_by="speaker", test_speaker="lucas")


def test_fallback_keeps_the_split_semantics(tmp_path):
    with pytest.warns(FallbackDataWarning, match="NOT FSDD"):
        data = load_fsdd(
            "test",
            data_dir=tmp_path,
            download=False,
            fallback=True,
            split_by="speaker",
            test_speaker="george",
        )
    assert data.is_fallback and data.source.startswith("FALLBACK:")
    assert set(data.speakers) == {"synth1"} and len(data) == 200


def test_fallback_without_the_warning_is_still_labelled(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning would fail the test
        data = load_fsdd("test", data_dir=tmp_path, download=False, fallback=True, warn=False)
    assert data.is_fallback and data.source.startswith("FALLBACK:")


def test_top_folder_name_matches_the_release():
    assert fsdd.ARCHIVE.name == f"{TOP}.tar.gz"
