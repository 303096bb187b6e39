"""benchmarks/efficient_attention.py end to end, small n: parts run, are recorded and merge."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> None:
    command = [sys.executable, str(ROOT / "benchmarks" / "efficient_attention.py"), "--quick",
               "--repeats", "5", *args]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    subprocess.run(command, check=True, cwd=ROOT, env=env, timeout=300, capture_output=True)


def test_parts_are_measured_recorded_with_their_command_and_merged(tmp_path):
    out = tmp_path / "efficient.json"
    _run("--only", "headline", "--output", str(out))
    _run("--only", "forward_backward", "--output", str(out))  # keeps the headline's record
    report = json.loads(out.read_text())
    assert set(report) >= {"command", "machine", "settings", "results"}
    assert report["settings"]["device"] == "cpu" and report["settings"]["d"] == 64
    headline, training = report["results"]
    assert [headline["part"], training["part"]] == ["headline", "forward_backward"]
    assert headline["command"].endswith(f"--only headline --output {out}")
    assert training["command"].endswith(f"--only forward_backward --output {out}")
    for impl in ("chunked", "sdpa"):
        assert len(headline[impl]["seconds"]) == 5 and headline[impl]["fraction_of_matmul"] > 0
        assert training[impl]["peak_bytes"] > 0
    # The backward pass never holds the n × n weights: far below the naive implementation.
    assert training["chunked"]["peak_bytes"] < training["naive"]["peak_bytes"]
