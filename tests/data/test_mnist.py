"""MNIST: the IDX parser, and loading verified tiny files from a folder, the env, the cache."""

from __future__ import annotations

import gzip
import hashlib
import struct
import warnings
from dataclasses import replace

import numpy as np
import pytest
import torch
from conftest import idx_bytes
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from attnlib.data import (
    ChecksumError,
    DataNotFoundError,
    DigitImages,
    DownloadError,
    FallbackDataWarning,
    load_mnist,
    mnist,
)
from attnlib.data.mnist import (
    MNIST_MEAN,
    MNIST_STD,
    parse_idx,
    prepare_images,
    random_shift,
    write_idx,
)

# --- the IDX parser -------------------------------------------------------------------------

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        dtype=st.sampled_from(DTYPES),
        shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5),
        elements={"allow_nan": False},
    )
)
def test_parse_idx_inverts_write_idx(array):
    parsed = parse_idx(write_idx(array))
    assert parsed.dtype == array.dtype and parsed.shape == array.shape
    np.testing.assert_array_equal(parsed, array)
    assert parsed.dtype.isnative and parsed.flags.writeable


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.uint8, hnp.array_shapes(min_dims=1, max_dims=3, max_side=6)))
def test_parse_idx_reads_independently_written_files(array):
    np.testing.assert_array_equal(parse_idx(idx_bytes(array)), array)


GOOD = idx_bytes(np.arange(6, dtype=np.uint8).reshape(2, 3))


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x00\x00", "needs a 4-byte header, got 2 bytes"),
        (b"\x01" + GOOD[1:], "magic number must start with two zero bytes, got 0x01000802"),
        (GOOD[:2] + b"\x07" + GOOD[3:], "dtype code must be one of 0x08, .*, got 0x07"),
        (b"\x00\x00\x08\x00", "need at least 1 dimension, got 0"),
        (GOOD[:6], "header of 2 dimensions needs 12 bytes, got 6"),
        (GOOD[:-1], r"shape \(2, 3\) of uint8 needs 18 bytes, got 17"),
        (GOOD + b"\0", r"needs 18 bytes, got 19 \(truncated or padded\)"),
    ],
    ids=["short", "magic", "dtype", "no-dims", "short-header", "truncated", "padded"],
)
def test_parse_idx_rejects_malformed_files(data, message):
    with pytest.raises(ValueError, match=f"^f.idx: .*{message}"):
        parse_idx(data, name="f.idx")


def test_write_idx_rejects_unsupported_arrays():
    with pytest.raises(TypeError, match="array must have dtype uint8, .*got int64"):
        write_idx(np.zeros(3, dtype=np.int64))
    with pytest.raises(ValueError, match="at least 1 dimension"):
        write_idx(np.uint8(3))


# --- loading --------------------------------------------------------------------------------


def test_load_from_a_folder(tiny_mnist, tmp_path):
    folder = tiny_mnist.write(tmp_path)
    for split in ("train", "test"):
        data = load_mnist(split, data_dir=tmp_path, download=False)
        assert isinstance(data, DigitImages) and not data.is_fallback and data.split == split
        assert data.images.dtype == torch.uint8 and data.labels.dtype == torch.int64
        np.testing.assert_array_equal(data.images.numpy(), tiny_mnist.arrays[(split, "images")])
        np.testing.assert_array_equal(data.labels.numpy(), tiny_mnist.arrays[(split, "labels")])
        assert data.source == f"MNIST (LeCun, Cortes, Burges) from {folder}"
    images, labels = load_mnist("test", data_dir=str(tmp_path))  # unpacks; str works too
    assert images.shape == (4, 28, 28) and labels.shape == (4,) and len(data) == 4


def test_recompressed_copy_is_accepted_by_content_digest(tiny_mnist, tmp_path):
    folder = tiny_mnist.write(tmp_path)
    for name, data in tiny_mnist.gz.items():  # a different gzip: same IDX bytes inside
        (folder / name).write_bytes(gzip.compress(gzip.decompress(data), compresslevel=1))
    assert len(load_mnist("train", data_dir=tmp_path)) == 6


def test_official_gz_digest_alone_is_enough(tiny_mnist, tmp_path, monkeypatch):
    tiny_mnist.write(tmp_path)
    specs = {k: replace(s, content_sha256="0" * 64) for k, s in mnist.FILES.items()}
    monkeypatch.setattr(mnist, "FILES", specs)
    assert len(load_mnist("test", data_dir=tmp_path)) == 4


def test_environment_variable_is_the_root(tiny_mnist, tmp_path, monkeypatch):
    tiny_mnist.write(tmp_path / "env")
    monkeypatch.setenv("ATTNLIB_DATA", str(tmp_path / "env"))
    assert str(tmp_path / "env") in load_mnist("train", download=False).source


def test_downloads_into_the_cache(tiny_mnist, server, tmp_path):
    tiny_mnist.serve(server, "/second/")
    tiny_mnist.install(server.url + "/first/", server.url + "/second/")
    data = load_mnist("train")
    cache = tmp_path / "xdg-cache" / "attnlib" / "mnist"
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
    )
    assert data.source.endswith(str(cache)) and len(data) == 6
    assert server.requests[:2] == [
        "/first/train-images-idx3-ubyte.gz",
        "/second/train-images-idx3-ubyte.gz",
    ]


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_corrupt_file_is_never_parsed(tiny_mnist, tmp_path, monkeypatch, damage):
    folder = tiny_mnist.write(tmp_path)
    path = folder / "train-images-idx3-ubyte.gz"
    data = path.read_bytes()
    bad = data[: len(data) // 2] if damage == "truncate" else data[:-12] + b"\xff" + data[-11:]
    path.write_bytes(bad)

    def must_not_parse(*args, **kwargs):
        raise AssertionError("an unverified file was parsed")

    monkeypatch.setattr(mnist, "parse_idx", must_not_parse)
    with pytest.raises(ChecksumError) as info:
        load_mnist("train", data_dir=tmp_path)
    message = str(info.value)
    assert str(path) in message and "python -m attnlib.data fetch mnist" in message
    assert mnist.FILES[("train", "images")].sha256 in message
    assert mnist.FILES[("train", "images")].content_sha256 in message


def test_verified_but_malformed_idx_is_a_value_error(tiny_mnist, tmp_path, monkeypatch):
    # Header says 5 images, the body holds 4: a digest over these bytes verifies, the parser not.
    raw = struct.pack(">HBBIII", 0, 8, 3, 5, 28, 28) + bytes(4 * 28 * 28)
    gz = gzip.compress(raw)
    tiny_mnist.gz["t10k-images-idx3-ubyte.gz"] = gz
    key = ("test", "images")
    digest = hashlib.sha256(raw).hexdigest()
    spec = replace(mnist.FILES[key], sha256=None, content_sha256=digest)
    monkeypatch.setitem(mnist.FILES, key, spec)
    tiny_mnist.write(tmp_path)
    message = r"shape \(5, 28, 28\) of uint8 needs 3936 bytes, got 3152"
    with pytest.raises(ValueError, match=message):
        load_mnist("test", data_dir=tmp_path)


def test_missing_offline_says_where_it_looked_and_how_to_fix(tmp_path):
    with pytest.raises(DataNotFoundError) as info:
        load_mnist("train", data_dir=tmp_path / "nowhere", download=False)
    message = str(info.value)
    for part in (
        str(tmp_path / "nowhere" / "mnist"),
        "ATTNLIB_DATA",
        "fallback=True",
        "python -m attnlib.data fetch mnist",
    ):
        assert part in message
    assert not (tmp_path / "nowhere").exists()


def test_failed_download_raises_download_error(tiny_mnist, server, tmp_path):
    tiny_mnist.install(server.url + "/404/")
    with pytest.raises(DownloadError, match="every mirror failed"):
        load_mnist("test", data_dir=tmp_path)
    assert list((tmp_path / "mnist").iterdir()) == []


def test_fallback_is_explicit_and_labelled(tmp_path):
    with pytest.warns(FallbackDataWarning, match="NOT MNIST"):
        data = load_mnist("test", data_dir=tmp_path, download=False, fallback=True)
    assert data.is_fallback and data.source.startswith("FALLBACK:")
    assert data.images.shape[1:] == (28, 28)


def test_fallback_without_the_warning_is_still_labelled(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning would fail the test
        data = load_mnist("test", data_dir=tmp_path, download=False, fallback=True, warn=False)
    assert data.is_fallback and data.source.startswith("FALLBACK:")


def test_fallback_does_not_hide_a_corrupt_file(tiny_mnist, tmp_path):
    folder = tiny_mnist.write(tmp_path)
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(b"junk")
    with pytest.raises(ChecksumError, match="t10k-labels-idx1-ubyte.gz is corrupt"):
        load_mnist("test", data_dir=tmp_path, fallback=True)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"split": "val"}, ValueError, r"split must be one of \['train', 'test'\], got 'val'"),
        ({"split": 0}, TypeError, r"split must be one of \['train', 'test'\], got int"),
        ({"data_dir": 1.5}, TypeError, "data_dir must be a str, a path or None, got float"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        load_mnist(**kwargs)


# --- preprocessing ---------------------------------------------------------------------------


def test_prepare_images_standardises_uint8_digits():
    images = torch.zeros(2, 28, 28, dtype=torch.uint8)
    images[:, :, 14:] = 255
    x = prepare_images(images)
    assert x.shape == (2, 1, 28, 28) and x.dtype == torch.float32
    assert x.min().item() == pytest.approx(-MNIST_MEAN / MNIST_STD)
    assert x.max().item() == pytest.approx((1 - MNIST_MEAN) / MNIST_STD)
    assert images.dtype == torch.uint8 and images.max() == 255  # the input is not modified


@pytest.mark.parametrize(
    ("images", "error", "message"),
    [
        (torch.zeros(2, 28, 28), TypeError, "images must have dtype torch.uint8"),
        (torch.zeros(28, 28, dtype=torch.uint8), ValueError, "images must have 3 dimensions"),
        ([[0]], TypeError, "images must be a torch.Tensor, got list"),
    ],
)
def test_prepare_images_rejects_bad_input(images, error, message):
    with pytest.raises(error, match=message):
        prepare_images(images)


def test_random_shift_moves_whole_images_and_fills_background():
    images = torch.zeros(64, 28, 28, dtype=torch.uint8)
    images[:, 13, 13] = 255  # one ink pixel in the middle
    x = prepare_images(images)
    shifted = random_shift(x, 2, generator=torch.Generator().manual_seed(0))
    background = -MNIST_MEAN / MNIST_STD
    ink = (shifted > background + 1e-3).nonzero()[:, 2:]  # (64, 2) positions of the ink pixel
    assert len(ink) == 64  # exactly one ink pixel survives in every image
    assert ((ink - 13).abs() <= 2).all() and len({tuple(p.tolist()) for p in ink}) > 5
    torch.testing.assert_close(random_shift(x, 0), x)
