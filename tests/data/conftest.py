"""Fixtures for the data tests: tiny MNIST and FSDD built here, served from 127.0.0.1.

No test touches the network, the user's cache or /work/shared/data: every test gets an empty
per-user cache (XDG_CACHE_HOME in a temporary folder) and no ATTNLIB_DATA.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
import threading
import wave
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from attnlib.data import download, fsdd, mnist


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "real_data: needs the real datasets in ATTNLIB_DATA or ../shared/data"
    )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No ATTNLIB_DATA, an empty cache, no proxy for 127.0.0.1, short HTTP timeouts."""
    monkeypatch.delenv("ATTNLIB_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    monkeypatch.setattr(download, "TIMEOUT_S", 5)


# --- a loopback HTTP server -----------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the name http.server calls)
        self.server.requests.append(self.path)
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        body, sent = route
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))  # the full length, even if cut
        self.end_headers()
        self.wfile.write(body[:sent])
        self.close_connection = True

    def log_message(self, *args):
        pass


@dataclass
class Server:
    url: str
    routes: dict
    requests: list

    def serve(self, path: str, body: bytes, *, cut_at: int | None = None) -> str:
        """Serve ``body`` at ``path`` (closing the connection after ``cut_at`` bytes)."""
        self.routes[path] = (body, len(body) if cut_at is None else cut_at)
        return self.url + path


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.routes, httpd.requests = {}, []
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_port}", httpd.routes, httpd.requests)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


# --- tiny MNIST -----------------------------------------------------------------------------


def idx_bytes(array: np.ndarray) -> bytes:
    """IDX bytes written independently of attnlib (uint8 only), to check the parser."""
    header = bytes([0, 0, 0x08, array.ndim])
    header += b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


@dataclass
class TinyMnist:
    arrays: dict  # (split, kind) -> np.ndarray
    gz: dict  # file name -> gz bytes
    specs: dict  # (split, kind) -> RemoteFile, installed as mnist.FILES
    monkeypatch: pytest.MonkeyPatch

    def install(self, *mirrors: str) -> None:
        """Make mnist.FILES describe the tiny files, downloadable from ``mirrors``."""
        self.specs = {
            key: replace(spec, urls=tuple(m + spec.name for m in mirrors))
            for key, spec in self.specs.items()
        }
        self.monkeypatch.setattr(mnist, "FILES", self.specs)

    def write(self, root: Path) -> Path:
        folder = root / "mnist"
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in self.gz.items():
            (folder / name).write_bytes(data)
        return folder

    def serve(self, server: Server, prefix: str = "/m/") -> None:
        for name, data in self.gz.items():
            server.serve(prefix + name, data)


@pytest.fixture
def tiny_mnist(monkeypatch):
    rng = np.random.default_rng(0)
    arrays, gz, specs = {}, {}, {}
    for split, n in (("train", 6), ("test", 4)):
        arrays[(split, "images")] = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        arrays[(split, "labels")] = rng.integers(0, 10, size=n, dtype=np.uint8)
    for key, array in arrays.items():
        real = mnist.FILES[key]
        raw = idx_bytes(array)
        gz[real.name] = gzip.compress(raw, mtime=0)
        specs[key] = replace(
            real, urls=(), sha256=sha256(gz[real.name]), content_sha256=sha256(raw)
        )
    tiny = TinyMnist(arrays, gz, specs, monkeypatch)
    tiny.install()
    return tiny


# --- tiny FSDD ------------------------------------------------------------------------------

TOP = "free-spoken-digit-dataset-1.0.10"


def wav_bytes(samples: np.ndarray, *, rate: int = 8000, channels: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(np.asarray(samples, dtype="<i2").tobytes())
    return buffer.getvalue()


def tar_bytes(files: dict[str, bytes], extra: dict[str, bytes] | None = None) -> bytes:
    """A .tar.gz laid out like the release: TOP/recordings/*.wav (plus ``extra`` members)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        members = {f"{TOP}/recordings/{n}": d for n, d in files.items()} | (extra or {})
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@dataclass
class TinyFsdd:
    samples: dict  # wav name -> int16 samples
    wavs: dict  # wav name -> WAV bytes
    tarball: bytes
    monkeypatch: pytest.MonkeyPatch

    def install(self, *mirrors: str) -> None:
        """Make fsdd.ARCHIVE describe the tiny tarball, downloadable from ``mirrors``."""
        self.monkeypatch.setattr(
            fsdd,
            "ARCHIVE",
            replace(
                fsdd.ARCHIVE,
                urls=tuple(mirrors),
                sha256=sha256(self.tarball),
                content_sha256=fsdd.wav_set_sha256(self.wavs),
            ),
        )

    def write_tarball(self, root: Path, data: bytes | None = None) -> Path:
        path = root / "fsdd" / fsdd.ARCHIVE.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.tarball if data is None else data)
        return path

    def write_folder(self, root: Path) -> Path:
        folder = root / "fsdd" / TOP / "recordings"
        folder.mkdir(parents=True)
        for name, data in self.wavs.items():
            (folder / name).write_bytes(data)
        return folder.parent


@pytest.fixture
def tiny_fsdd(monkeypatch):
    """3 speakers x 3 digits x 7 takes (takes 0-4 test: 45; 5-6 train: 18), short clips."""
    rng = np.random.default_rng(1)
    samples, wavs = {}, {}
    for digit in range(3):
        for speaker in ("george", "jackson", "theo"):
            for take in range(7):
                name = f"{digit}_{speaker}_{take}.wav"
                samples[name] = rng.integers(-32768, 32768, size=rng.integers(50, 200))
                samples[name][:2] = (-32768, 32767)  # the extremes map into [-1, 1]
                wavs[name] = wav_bytes(samples[name])
    extra = {f"{TOP}/README.md": b"not a recording", f"{TOP}/pip_requirements.txt": b""}
    tiny = TinyFsdd(samples, wavs, tar_bytes(wavs, extra), monkeypatch)
    tiny.install()
    return tiny
