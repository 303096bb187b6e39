"""The course's datasets, downloaded once, verified, and loaded as torch tensors.

Real data (each loader takes ``split``, ``data_dir=None``, ``download=True``, ``fallback=False``):

- :func:`load_mnist` -> :class:`DigitImages`: ``images`` ``(N, 28, 28)`` uint8, ``labels``
  ``(N,)`` int64; 60,000 train / 10,000 test.
- :func:`load_fsdd` -> :class:`SpokenDigits`: ``waveforms`` (list of 1-D float32 at 8 kHz),
  ``labels`` ``(N,)`` int64, ``speakers``; 2,700 train / 300 test by take, or one speaker
  held out with ``split_by="speaker", test_speaker=...``.

Both results are frozen dataclasses that also unpack (``images, labels = load_mnist()``,
``waveforms, labels, speakers = load_fsdd()``) and carry ``source`` (which data, and from
where: print it) and ``is_fallback``.

Where the data lives: the data root is ``data_dir``, else ``$ATTNLIB_DATA``, else the per-user
cache; it holds ``mnist/`` and ``fsdd/`` as the official downloads are laid out. Missing files
are downloaded there through pooch from public mirrors, verified by SHA-256 (of the file or of
its content), and only then renamed into place and parsed. Fetch ahead of time with
``python -m attnlib.data fetch mnist fsdd [--dir D]``; check with ``python -m attnlib.data
verify``.

Stand-ins, never silent: :func:`load_digits_fallback` (scikit-learn's 8x8 digits at 28x28) and
:func:`load_spoken_digits_fallback` (synthetic spoken digits), or ``fallback=True`` on a loader
to use them only when the real data cannot be had; both set ``is_fallback=True``, say
``"FALLBACK: ..."`` in ``source`` and issue a :class:`FallbackDataWarning`.

Errors: :class:`DataNotFoundError` (missing, ``download=False``), :class:`DownloadError`
(every mirror failed), :class:`ChecksumError` (a corrupt file: named, with both digests),
:class:`DataDirError` (the folder is not writable); all are :class:`DataError`.
"""

from attnlib.data.download import (
    ChecksumError,
    DataDirError,
    DataError,
    DataNotFoundError,
    DownloadError,
    data_root,
)
from attnlib.data.fallback import (
    FallbackDataWarning,
    load_digits_fallback,
    load_spoken_digits_fallback,
)
from attnlib.data.fsdd import SpokenDigits, load_fsdd
from attnlib.data.mnist import DigitImages, load_mnist

# make_dates is re-exported by dates.py's author

__all__ = [
    "ChecksumError",
    "DataDirError",
    "DataError",
    "DataNotFoundError",
    "DigitImages",
    "DownloadError",
    "FallbackDataWarning",
    "SpokenDigits",
    "data_root",
    "load_digits_fallback",
    "load_fsdd",
    "load_mnist",
    "load_spoken_digits_fallback",
]
