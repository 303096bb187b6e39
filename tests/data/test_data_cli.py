"""`python -m attnlib.data fetch|verify`: what it prints and its exit status (0, 1, 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from attnlib.data.__main__ import main

REPO = Path(__file__).resolve().parents[2]


def test_verify_present_data(tiny_mnist, tiny_fsdd, tmp_path, capsys):
    tiny_mnist.write(tmp_path)
    tiny_fsdd.write_tarball(tmp_path)
    assert main(["verify", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"data root: {tmp_path}" in out and out.count("mnist: OK") == 4
    assert "fsdd: OK" in out and "(63 recordings)" in out and "(6 images)" in out


def test_verify_missing_data_fails_and_downloads_nothing(tmp_path, capsys):
    assert main(["verify", "mnist", "--dir", str(tmp_path)]) == 1
    assert "mnist: FAILED" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_verify_corrupt_file_fails(tiny_mnist, tmp_path, capsys):
    folder = tiny_mnist.write(tmp_path)
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8b broken")
    assert main(["verify", "mnist", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "train-labels-idx1-ubyte.gz is corrupt" in err and "expected" in err


def test_fetch_downloads_replaces_corrupt_and_then_verifies(
    tiny_mnist, tiny_fsdd, server, tmp_path, monkeypatch, capsys
):
    tiny_mnist.serve(server, "/m/")
    tiny_mnist.install(server.url + "/m/")
    tiny_fsdd.install(server.serve("/f.tar.gz", tiny_fsdd.tarball))
    folder = tmp_path / "mnist"
    folder.mkdir()
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(b"truncated")
    monkeypatch.setenv("ATTNLIB_DATA", str(tmp_path))  # the root, without --dir
    assert main(["fetch", "mnist", "fsdd", "--no-progress"]) == 0
    assert "ATTNLIB_DATA" in capsys.readouterr().out
    assert main(["verify"]) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(tiny_mnist.gz)  # no temporary files left


def test_fetch_failure_exits_1(tiny_fsdd, server, tmp_path, capsys):
    tiny_fsdd.install(server.url + "/gone.tar.gz")
    assert main(["fetch", "fsdd", "--dir", str(tmp_path), "--no-progress"]) == 1
    assert "every mirror failed" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [[], ["fetch"], ["verify", "cifar"], ["fetch", "cifar"], ["download", "mnist"]]
)
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2 and "usage:" in capsys.readouterr().err


def test_module_runs_as_a_script(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("ATTNLIB_DATA", None)
    run = subprocess.run(
        [sys.executable, "-m", "attnlib.data", "verify", "fsdd", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
    )
    assert run.returncode == 1, run.stderr
    assert "fsdd: FAILED" in run.stderr and "python -m attnlib.data fetch fsdd" in run.stderr
