"""The shared verified download: data root, mirrors, digests, and nothing half-written."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from conftest import sha256

from attnlib.data import download
from attnlib.data.download import (
    ChecksumError,
    DataDirError,
    DataNotFoundError,
    DownloadError,
    RemoteFile,
    data_root,
    fetch_file,
)

BODY = b"attention " * 1000


def _read(path: Path) -> tuple[bytes, str]:
    data = path.read_bytes()
    return data, sha256(data[::-1])  # a "content" digest different from the file digest


def spec(*urls: str, body: bytes = BODY, file_digest: bool = True) -> RemoteFile:
    return RemoteFile(
        dataset="toy",
        name="toy.bin",
        urls=urls,
        sha256=sha256(body) if file_digest else None,
        content_sha256=sha256(body[::-1]),
        read=_read,
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- where the data lives -------------------------------------------------------------------


def test_data_root_prefers_argument_then_env_then_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("ATTNLIB_DATA", str(tmp_path / "env"))
    assert data_root(tmp_path / "arg") == (tmp_path / "arg", "the data_dir argument")
    root, origin = data_root()
    assert root == tmp_path / "env" and "ATTNLIB_DATA" in origin
    monkeypatch.delenv("ATTNLIB_DATA")
    root, origin = data_root()
    assert root == tmp_path / "xdg-cache" / "attnlib" and "per-user cache" in origin


def test_data_root_rejects_a_non_path():
    with pytest.raises(TypeError, match="data_dir must be a str, a path or None, got int"):
        data_root(3)


# --- downloads ------------------------------------------------------------------------------


def test_download_lands_verified_and_leaves_no_temporary(server, tmp_path):
    url = server.serve("/a/toy.bin", BODY)
    path, payload = fetch_file(spec(url), tmp_path / "toy")
    assert path.read_bytes() == BODY and payload == BODY
    assert leftovers(tmp_path / "toy") == ["toy.bin"]


def test_second_mirror_used_when_first_is_404(server, tmp_path):
    good = server.serve("/b/toy.bin", BODY)
    path, _ = fetch_file(spec(server.url + "/a/toy.bin", good), tmp_path)
    assert path.read_bytes() == BODY
    assert server.requests == ["/a/toy.bin", "/b/toy.bin"]


def test_content_digest_alone_is_enough(server, tmp_path):
    # A re-compressed copy: its file digest is unknown, its content digest matches.
    url = server.serve("/a/toy.bin", BODY)
    path, _ = fetch_file(spec(url, file_digest=False), tmp_path)
    assert path.read_bytes() == BODY


@pytest.mark.parametrize(
    "served, cut_at",
    [
        (BODY[:-1] + b"X", None),  # a flipped byte
        (BODY[:5000], None),  # truncated, with a consistent Content-Length
        (BODY + b"!", None),  # the wrong size
        (BODY, 4000),  # interrupted: the server closes before Content-Length bytes
    ],
    ids=["flipped-byte", "truncated", "wrong-size", "interrupted"],
)
def test_bad_download_is_reported_and_nothing_is_kept(server, tmp_path, served, cut_at):
    url = server.serve("/a/toy.bin", served, cut_at=cut_at)
    with pytest.raises(DownloadError) as info:
        fetch_file(spec(url), tmp_path / "toy")
    message = str(info.value)
    assert url in message and "python -m attnlib.data fetch toy" in message
    if cut_at is None:  # the bytes arrived: the digests are reported
        assert sha256(BODY) in message and sha256(served) in message
    assert leftovers(tmp_path / "toy") == []


def test_every_mirror_failing_lists_each(server, tmp_path):
    urls = [server.url + "/a/toy.bin", server.url + "/b/toy.bin"]
    with pytest.raises(DownloadError, match="every mirror failed") as info:
        fetch_file(spec(*urls), tmp_path)
    assert all(url in str(info.value) for url in urls)
    assert "404" in str(info.value)


def test_keyboard_interrupt_leaves_nothing(monkeypatch, tmp_path):
    def interrupted(url, dest, progress):
        dest.write_bytes(BODY[:100])
        raise KeyboardInterrupt

    monkeypatch.setattr(download, "_download", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fetch_file(spec("http://127.0.0.1:9/toy.bin"), tmp_path / "toy")
    assert leftovers(tmp_path / "toy") == []


def test_full_disk_is_reported_and_leaves_nothing(monkeypatch, tmp_path):
    def full(url, dest, progress):
        dest.write_bytes(BODY[:100])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(download, "_download", full)
    with pytest.raises(DownloadError, match="no space left") as info:
        fetch_file(spec("http://127.0.0.1:9/a", "http://127.0.0.1:9/b"), tmp_path / "toy")
    assert "ATTNLIB_DATA" in str(info.value)
    assert leftovers(tmp_path / "toy") == []


# --- local files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "on_disk", [BODY[:-10], BODY[:-1] + b"X", BODY + b"\0"], ids=["truncated", "flipped", "size"]
)
def test_corrupt_local_file_is_named_with_digests(tmp_path, on_disk):
    (tmp_path / "toy.bin").write_bytes(on_disk)
    with pytest.raises(ChecksumError) as info:
        fetch_file(spec("http://127.0.0.1:9/unused"), tmp_path)
    message = str(info.value)
    assert str(tmp_path / "toy.bin") in message
    assert sha256(BODY) in message and sha256(on_disk) in message
    assert "Delete it" in message and "python -m attnlib.data fetch toy" in message
    assert (tmp_path / "toy.bin").read_bytes() == on_disk  # the user's file is left as it was


def test_replace_bad_swaps_in_a_verified_download(server, tmp_path):
    (tmp_path / "toy.bin").write_bytes(b"garbage")
    url = server.serve("/a/toy.bin", BODY)
    path, _ = fetch_file(spec(url), tmp_path, replace_bad=True)
    assert path.read_bytes() == BODY and leftovers(tmp_path) == ["toy.bin"]


def test_missing_without_download_says_where_and_how(tmp_path):
    with pytest.raises(DataNotFoundError) as info:
        fetch_file(spec(), tmp_path / "toy", download=False, origin="the data_dir argument")
    message = str(info.value)
    assert str(tmp_path / "toy") in message and "the data_dir argument" in message
    assert "ATTNLIB_DATA" in message and "python -m attnlib.data fetch toy" in message
    assert not (tmp_path / "toy").exists()


# --- an unwritable folder -------------------------------------------------------------------


def test_read_only_folder_simulated(monkeypatch, tmp_path):
    # Tests may run as root, for whom chmod does not bite: simulate what the OS would say.
    def denied(**kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", kwargs["dir"])

    monkeypatch.setattr(download.tempfile, "mkstemp", denied)
    with pytest.raises(DataDirError) as info:
        fetch_file(spec("http://127.0.0.1:9/toy.bin"), tmp_path)
    assert str(tmp_path) in str(info.value) and "ATTNLIB_DATA" in str(info.value)
    assert isinstance(info.value, PermissionError)


def test_uncreatable_folder_simulated(monkeypatch, tmp_path):
    def denied(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(download.Path, "mkdir", denied)
    with pytest.raises(DataDirError, match="cannot write to the data folder"):
        fetch_file(spec("http://127.0.0.1:9/toy.bin"), tmp_path / "new")


def test_read_only_folder_for_real(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        probe = folder / "probe"
        try:
            probe.write_bytes(b"")
        except PermissionError:
            pass
        else:
            probe.unlink()
            pytest.skip("chmod does not stop this user (root) from writing; see the simulated test")
        with pytest.raises(DataDirError, match=str(folder)):
            fetch_file(spec("http://127.0.0.1:9/toy.bin"), folder)
        assert leftovers(folder) == []
    finally:
        folder.chmod(0o755)
    assert os.access(folder, os.W_OK)
