"""The shared, verified download behind every dataset of the course.

A *data root* is a folder with one sub-folder per dataset (``mnist/``, ``fsdd/``), laid out as
the official downloads are. The root is the first of:

1. the ``data_dir`` argument of a loader (or ``--dir`` on the command line),
2. the ``ATTNLIB_DATA`` environment variable,
3. the per-user cache, ``pooch.os_cache("attnlib")`` (``~/.cache/attnlib`` on Linux).

Files are read from, and downloaded into, that one root. A file is described by a
:class:`RemoteFile`: its name, its mirrors (tried in order) and two SHA-256 digests, one of the
bytes as published and one of their *content* (the decompressed IDX bytes, the WAV set in an
archive), so that a re-compressed copy is accepted too. Nothing is parsed before one of the
two digests matches.

Downloads go through ``pooch`` (with a ``tqdm`` progress bar) into a temporary file in the
destination folder, which is renamed to its final name only once verified: a truncated, altered
or interrupted download (``KeyboardInterrupt``, a full disk) never leaves a file behind.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pooch

__all__ = [
    "ENV_VAR",
    "ChecksumError",
    "DataDirError",
    "DataError",
    "DataNotFoundError",
    "DownloadError",
    "RemoteFile",
    "data_root",
    "default_cache_dir",
    "fetch_file",
    "sha256_bytes",
    "sha256_file",
    "verify_file",
]

ENV_VAR = "ATTNLIB_DATA"

# How long one HTTP request may stall (seconds) before a mirror counts as failed.
TIMEOUT_S = 30


class DataError(Exception):
    """Base class of the errors raised by :mod:`attnlib.data`."""


class ChecksumError(DataError, ValueError):
    """A file on disk (or a download) does not match its published digest."""


class DataNotFoundError(DataError, FileNotFoundError):
    """The data is not in the data root and may not (or could not) be downloaded."""


class DownloadError(DataError, OSError):
    """Every mirror failed: unreachable, truncated, altered, or the disk is full."""


class DataDirError(DataError, PermissionError):
    """The data folder cannot be created or written to."""


@dataclass(frozen=True)
class RemoteFile:
    """One published file, its mirrors and the digests that verify it.

    Args:
        dataset: the dataset's folder and command-line name, e.g. ``"mnist"``.
        name: the file's name inside ``<root>/<dataset>/``.
        urls: the mirrors, tried in order.
        sha256: SHA-256 of the file's bytes as published, or None.
        content_sha256: SHA-256 of the file's content as ``read`` computes it, or None.
        read: ``read(path) -> (payload, content_digest)``; the payload is what a loader parses
            (the decompressed bytes, the WAV files), returned only after verification. It
            raises ``ValueError``/``OSError``/``EOFError`` if the file cannot be decoded.
    """

    dataset: str
    name: str
    urls: tuple[str, ...]
    sha256: str | None
    content_sha256: str | None
    read: Callable[[Path], tuple[Any, str]]


def default_cache_dir() -> Path:
    """The per-user cache folder used when neither ``data_dir`` nor ``ATTNLIB_DATA`` is set."""
    return Path(pooch.os_cache("attnlib"))


def data_root(data_dir: str | os.PathLike | None = None) -> tuple[Path, str]:
    """The data root and where it came from: ``data_dir``, else ``$ATTNLIB_DATA``, else the cache.

    Args:
        data_dir: an explicit folder, or None.

    Returns:
        ``(root, origin)`` where ``origin`` says which of the three chose it, for messages.

    Example:
        >>> data_root("/tmp/d")
        (PosixPath('/tmp/d'), 'the data_dir argument')
    """
    if data_dir is not None:
        if not isinstance(data_dir, (str, os.PathLike)):
            raise TypeError(
                f"data_dir must be a str, a path or None, got {type(data_dir).__name__}"
            )
        return Path(data_dir).expanduser(), "the data_dir argument"
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser(), f"the {ENV_VAR} environment variable"
    return default_cache_dir(), f"the per-user cache (neither data_dir nor {ENV_VAR} is set)"


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks."""
    return pooch.file_hash(str(path), alg="sha256")


def fix_hint(dataset: str) -> str:
    """What a user can do when ``dataset`` is missing: the shared advice of every message."""
    fallback = {"mnist": "load_mnist(..., fallback=True)", "fsdd": "load_fsdd(..., fallback=True)"}
    hint = (
        f"To fix: run `python -m attnlib.data fetch {dataset}` while online, or set "
        f"{ENV_VAR} (or pass data_dir=...) to a folder that holds {dataset}/"
    )
    if dataset in fallback:
        hint += f", or use {fallback[dataset]} for a small stand-in that is not the real data"
    return hint + "."


def verify_file(
    spec: RemoteFile, path: Path, *, shown_as: Path | None = None, advice: bool = True
) -> Any:
    """Return ``spec.read(path)``'s payload if either digest matches, else raise.

    Args:
        spec: the file's description.
        path: the file to check.
        shown_as: the name to report (a download's final name rather than its temporary one).
        advice: end the error message with what to do about the file on disk.

    Returns:
        The payload, which is safe to parse.

    Raises:
        ChecksumError: naming the file, the expected and received digests, and what to do.
    """
    shown = shown_as or path
    problem: str | None  # why the payload could not be read, if it could not
    try:
        payload, content_digest = spec.read(path)
    except (ValueError, OSError, EOFError) as err:
        payload, content_digest, problem = None, None, f"it cannot be decoded ({err})"
    else:
        if spec.content_sha256 is not None and content_digest == spec.content_sha256:
            return payload
        problem = None
    file_digest = sha256_file(path) if path.is_file() else None  # None for an extracted folder
    if payload is not None and spec.sha256 is not None and file_digest == spec.sha256:
        return payload
    lines = [f"{shown} is corrupt or incomplete: " + (problem or "its digests do not match")]
    if file_digest is not None:
        if spec.sha256 is not None:
            lines.append(f"  expected file sha256    {spec.sha256}")
        lines.append(f"  received file sha256    {file_digest} ({path.stat().st_size} bytes)")
    if spec.content_sha256 is not None:
        lines.append(f"  expected content sha256 {spec.content_sha256}")
        lines.append(f"  received content sha256 {content_digest or '(unreadable)'}")
    fetch = f"`python -m attnlib.data fetch {spec.dataset}`"
    if not advice:
        pass
    elif path.is_dir():
        lines.append(f"Delete the folder; the download beside it is then used, or {fetch} gets it.")
    else:
        lines.append(f"Delete it, or re-run {fetch} to replace it with a fresh, verified download.")
    raise ChecksumError("\n".join(lines))


def _download(url: str, dest: Path, progress: bool) -> None:
    """Download ``url`` into ``dest`` with pooch (a tqdm bar on stderr when ``progress``)."""
    pooch.HTTPDownloader(progressbar=progress, timeout=TIMEOUT_S)(url, str(dest), None)


def _unwritable(folder: Path, err: OSError) -> DataDirError:
    return DataDirError(
        f"cannot write to the data folder {folder} ({err.strerror or err}). Point {ENV_VAR} "
        "(or data_dir=..., or --dir on the command line) at a writable folder, or fetch the "
        "data there first with `python -m attnlib.data fetch ... --dir DIR`."
    )


def _is_permission(err: OSError) -> bool:
    return isinstance(err, PermissionError) or err.errno in (errno.EACCES, errno.EPERM, errno.EROFS)


def _is_disk_full(err: OSError) -> bool:
    return err.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


def _download_verified(spec: RemoteFile, folder: Path, progress: bool, origin: str) -> Any:
    """Try each mirror in turn; rename the first verified download into place."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        if _is_permission(err):
            raise _unwritable(folder, err) from err
        raise
    final = folder / spec.name
    failures = []
    for url in spec.urls:
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{spec.name}.", suffix=".part", dir=folder)
        except OSError as err:
            if _is_permission(err):
                raise _unwritable(folder, err) from err
            raise
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            _download(url, tmp, progress)
            payload = verify_file(spec, tmp, shown_as=final, advice=False)
            os.replace(tmp, final)
            return payload
        except ChecksumError as err:
            detail = str(err).replace("\n", "\n    ")
            failures.append(f"  {url}: the download does not verify (not kept):\n    {detail}")
        except OSError as err:
            if _is_disk_full(err):
                raise DownloadError(
                    f"no space left on the device while writing {final} (nothing was kept). "
                    f"Free some space, or point {ENV_VAR} (or data_dir=...) at another disk."
                ) from err
            if _is_permission(err):
                raise _unwritable(folder, err) from err
            failures.append(f"  {url}: {type(err).__name__}: {err}")
        except Exception as err:  # requests' errors (HTTP 404, connection refused, truncation)
            failures.append(f"  {url}: {type(err).__name__}: {err}")
        finally:
            # Reached on success (already renamed), on any error and on KeyboardInterrupt.
            tmp.unlink(missing_ok=True)
    raise DownloadError(
        f"{spec.dataset}: {spec.name} could not be downloaded into {folder} (the data root "
        f"comes from {origin or 'the caller'}); every mirror failed:\n"
        + "\n".join(failures)
        + "\n"
        + fix_hint(spec.dataset)
    )


def fetch_file(
    spec: RemoteFile,
    folder: Path,
    *,
    download: bool = True,
    replace_bad: bool = False,
    progress: bool = True,
    origin: str = "",
) -> tuple[Path, Any]:
    """Return the verified file ``folder / spec.name`` and its payload, downloading if needed.

    Args:
        spec: the file to fetch.
        folder: the dataset folder, ``<root>/<dataset>``.
        download: whether a missing file may be downloaded.
        replace_bad: whether a local file that fails verification is replaced by a fresh
            download (the command line's ``fetch``); loaders leave it and raise instead.
        progress: show a progress bar while downloading.
        origin: where ``folder``'s root came from, for the not-found message.

    Returns:
        ``(path, payload)``; the payload is what ``spec.read`` returned, verified.

    Raises:
        DataNotFoundError: missing and ``download`` is False.
        ChecksumError: a local file fails verification (and ``replace_bad`` is False).
        DownloadError: every mirror failed.
        DataDirError: the folder cannot be written.
    """
    path = folder / spec.name
    if path.is_file():
        try:
            return path, verify_file(spec, path)
        except ChecksumError:
            if not (replace_bad and download):
                raise
    elif not download:
        raise DataNotFoundError(
            f"{spec.dataset}: {spec.name} is not in {folder} (the data root comes from "
            f"{origin or 'the caller'}) and downloading is off (download=False). "
            + fix_hint(spec.dataset)
        )
    return path, _download_verified(spec, folder, progress, origin)
