"""MNIST, the handwritten digits of LeCun, Cortes and Burges, read from its IDX files.

``<root>/mnist/`` holds the four official files (``train-images-idx3-ubyte.gz``, …). A file is
accepted when either the SHA-256 of the ``.gz`` matches the official download's or the SHA-256
of the decompressed IDX bytes matches the official content's, so a re-compressed copy loads
too. Licence: CC BY-SA 3.0 (Yann LeCun and Corinna Cortes).

IDX format: a 4-byte magic number ``0x00 0x00 <dtype code> <ndim>``, then ``ndim`` big-endian
uint32 sizes, then the values in C order, big-endian.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from attnlib.data.download import (
    DataDirError,
    DataNotFoundError,
    DownloadError,
    RemoteFile,
    data_root,
    fetch_file,
    sha256_bytes,
)
from attnlib.data.fallback import FallbackDataWarning, load_digits_fallback
from attnlib.data.records import DigitImages
from attnlib.validation import check_choice, check_int, check_tensor

__all__ = [
    "MNIST_MEAN",
    "MNIST_STD",
    "DigitImages",
    "FILES",
    "MIRRORS",
    "load_mnist",
    "prepare_images",
    "random_shift",
    "parse_idx",
    "write_idx",
]

MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

# dtype code -> numpy dtype (big-endian, as stored).
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def _read_gz(path: Path) -> tuple[bytes, str]:
    raw = gzip.decompress(path.read_bytes())
    return raw, sha256_bytes(raw)


def _remote(name: str, sha256: str, content_sha256: str) -> RemoteFile:
    return RemoteFile(
        dataset="mnist",
        name=name,
        urls=tuple(mirror + name for mirror in MIRRORS),
        sha256=sha256,
        content_sha256=content_sha256,
        read=_read_gz,
    )


# The published digests (see the data README): of the official .gz and of the IDX inside.
# Tests replace this dict to serve tiny files; loaders look it up at call time.
FILES = {
    ("train", "images"): _remote(
        "train-images-idx3-ubyte.gz",
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    ),
    ("train", "labels"): _remote(
        "train-labels-idx1-ubyte.gz",
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    ),
    ("test", "images"): _remote(
        "t10k-images-idx3-ubyte.gz",
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    ),
    ("test", "labels"): _remote(
        "t10k-labels-idx1-ubyte.gz",
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ),
}


def parse_idx(data: bytes, name: str = "data") -> np.ndarray:
    """Decode IDX bytes into a native-endian numpy array, validating the header.

    Args:
        data: the whole (decompressed) IDX file.
        name: the file's name, used in error messages.

    Returns:
        An array of shape ``dims`` and the dtype the header names (uint8 for MNIST).

    Raises:
        ValueError: a bad magic number, an unknown dtype code, zero dimensions, or a byte count
            that does not match the header.

    Example:
        >>> parse_idx(write_idx(np.arange(6, dtype=np.uint8).reshape(2, 3))).shape
        (2, 3)
    """
    if len(data) < 4:
        raise ValueError(f"{name}: an IDX file needs a 4-byte header, got {len(data)} bytes")
    zero, code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0:
        raise ValueError(
            f"{name}: not an IDX file, its magic number must start with two zero bytes, got "
            f"0x{data[:4].hex()}"
        )
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise ValueError(f"{name}: IDX dtype code must be one of {known}, got 0x{code:02X}")
    if ndim == 0:
        raise ValueError(f"{name}: IDX files need at least 1 dimension, got 0")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(
            f"{name}: the header of {ndim} dimensions needs {header} bytes, got {len(data)}"
        )
    dims = struct.unpack(f">{ndim}I", data[4:header])
    dtype = IDX_DTYPES[code]
    expected = header + math.prod(dims) * dtype.itemsize
    if len(data) != expected:
        raise ValueError(
            f"{name}: shape {dims} of {dtype.name} needs {expected} bytes, got {len(data)} "
            "(truncated or padded)"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(dims)
    return array.astype(dtype.newbyteorder("="))  # a writable native-endian copy


def write_idx(array: np.ndarray) -> bytes:
    """Encode an array as IDX bytes, the inverse of :func:`parse_idx`.

    Args:
        array: at least 1-D, of dtype uint8, int8, int16, int32, float32 or float64.

    Returns:
        The IDX file's bytes (not compressed).
    """
    array = np.asarray(array)
    codes = {dtype.newbyteorder("="): code for code, dtype in IDX_DTYPES.items()}
    native = array.dtype.newbyteorder("=")
    if native not in codes:
        raise TypeError(
            f"array must have dtype uint8, int8, int16, int32, float32 or float64, "
            f"got {array.dtype}"
        )
    if array.ndim == 0:
        raise ValueError("array must have at least 1 dimension, got a 0-d array")
    code = codes[native]
    header = struct.pack(f">HBB{array.ndim}I", 0, code, array.ndim, *array.shape)
    return header + array.astype(IDX_DTYPES[code], copy=False).tobytes(order="C")


def _load_real(split: str, data_dir, download: bool) -> DigitImages:
    root, origin = data_root(data_dir)
    folder = root / "mnist"
    arrays = {}
    for kind in ("images", "labels"):
        spec = FILES[(split, kind)]
        path, raw = fetch_file(spec, folder, download=download, origin=origin)
        arrays[kind] = parse_idx(raw, name=str(path))
    images, labels = arrays["images"], arrays["labels"]
    if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
        raise ValueError(
            f"{FILES[(split, 'images')].name} must hold uint8 images of shape (N, 28, 28), "
            f"got {images.dtype} of shape {images.shape}"
        )
    if labels.shape != (len(images),):
        raise ValueError(
            f"{FILES[(split, 'labels')].name} must hold {len(images)} labels to match the "
            f"images, got shape {labels.shape}"
        )
    return DigitImages(
        images=torch.from_numpy(images),
        labels=torch.from_numpy(labels.astype(np.int64)),
        split=split,
        source=f"MNIST (LeCun, Cortes, Burges) from {folder}",
    )


def load_mnist(
    split: str = "train",
    *,
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
    fallback: bool = False,
    warn: bool = True,
) -> DigitImages:
    """Load the MNIST train (60,000) or test (10,000) images and labels, verified.

    The data root is ``data_dir``, else ``$ATTNLIB_DATA``, else the per-user cache; missing
    files are downloaded there (from three public mirrors in turn) when ``download`` is True.

    Args:
        split: ``"train"`` or ``"test"``.
        data_dir: the data root holding ``mnist/``; None to use ``$ATTNLIB_DATA`` or the cache.
        download: whether missing files may be downloaded.
        fallback: when the real data cannot be had (missing and not downloadable, the folder
            not writable), return :func:`~attnlib.data.load_digits_fallback` instead, with a
            :class:`~attnlib.data.FallbackDataWarning`. A local file that fails verification
            still raises.
        warn: issue that warning; False where the caller reports ``source`` itself (the
            returned data says ``FALLBACK`` there and ``is_fallback`` is True either way).

    Returns:
        A :class:`DigitImages`: ``images`` ``(N, 28, 28)`` uint8, ``labels`` ``(N,)`` int64,
        ``source`` naming the data and its folder, ``is_fallback``.

    Raises:
        DataNotFoundError, DownloadError, DataDirError: the data cannot be had (and
            ``fallback`` is False); the message says where it looked and how to fix it.
        ChecksumError: a local file is corrupt; the message names it and its digests.

    Example:
        >>> data = load_mnist("test")
        >>> data.images.shape, data.source
        (torch.Size([10000, 28, 28]), 'MNIST (LeCun, Cortes, Burges) from ...')
    """
    split = check_choice(split, "split", ("train", "test"))
    try:
        return _load_real(split, data_dir, download)
    except (DataNotFoundError, DownloadError, DataDirError) as err:
        if not fallback:
            raise
        reason = str(err).splitlines()[0]
        if warn:
            warnings.warn(
                f"MNIST could not be loaded ({reason}); using the fallback instead: scikit-learn's "
                "8x8 digits upscaled to 28x28, which is NOT MNIST.",
                FallbackDataWarning,
                stacklevel=2,
            )
        return load_digits_fallback(split, warn=False)


# --- Preprocessing: what every model of chapters 5 and 6 reads ----------------------------

# Mean and standard deviation of MNIST's training pixels scaled to [0, 1].
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def prepare_images(images: torch.Tensor) -> torch.Tensor:
    """Turn uint8 digits into the models' input: float32, one channel, standardised.

    .. math:: x = (p / 255 - 0.1307) / 0.3081

    Args:
        images: ``(N, 28, 28)`` uint8, 0 (background) to 255 (ink).

    Returns:
        ``(N, 1, 28, 28)`` float32; the background becomes ``-0.1307 / 0.3081 ≈ -0.424``.

    Example:
        >>> prepare_images(torch.zeros(2, 28, 28, dtype=torch.uint8)).shape
        torch.Size([2, 1, 28, 28])
    """
    images = check_tensor(images, "images", ndim=3)
    if images.dtype != torch.uint8:
        raise TypeError(f"images must have dtype torch.uint8 (0-255), got {images.dtype}")
    x = images.unsqueeze(1).float().div_(255.0)  # (N, 28, 28) -> (N, 1, 28, 28)
    return x.sub_(MNIST_MEAN).div_(MNIST_STD)


def random_shift(
    x: torch.Tensor, max_shift: int, *, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Shift each image by a random whole number of pixels, filling with the background.

    A standard augmentation for MNIST (chapter 5 and its benchmark script use it):
    every image moves by ``(dy, dx)``, each drawn uniformly from ``-max_shift … max_shift``.

    Args:
        x: ``(B, 1, H, W)`` images as made by :func:`prepare_images`.
        max_shift: the largest shift in pixels, >= 0.
        generator: for reproducible shifts.

    Returns:
        ``(B, 1, H, W)``; ``x`` is not modified.
    """
    x = check_tensor(x, "x", ndim=4, floating=True)
    max_shift = check_int(max_shift, "max_shift", minimum=0)
    if max_shift == 0:
        return x
    B, _, H, W = x.shape
    background = -MNIST_MEAN / MNIST_STD
    padded = F.pad(x, (max_shift,) * 4, value=background)  # (B, 1, H+2s, W+2s)
    dy, dx = torch.randint(0, 2 * max_shift + 1, (2, B), generator=generator)
    rows = (dy[:, None] + torch.arange(H))[:, :, None]  # (B, H, 1)
    cols = (dx[:, None] + torch.arange(W))[:, None, :]  # (B, 1, W)
    return padded[torch.arange(B)[:, None, None], 0, rows, cols].unsqueeze(1)  # (B, 1, H, W)
