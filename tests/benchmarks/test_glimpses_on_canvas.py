"""benchmarks/glimpses_on_canvas.py end to end, tiny: every model trains, is measured and saved."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_model_is_trained_measured_and_saved(tmp_path):
    out = tmp_path / "run.json"
    env = {"GLIMPSE_RESULTS": str(tmp_path), "TQDM_DISABLE": "1", "PATH": "/usr/bin:/bin"}
    command = [sys.executable, str(ROOT / "benchmarks" / "glimpses_on_canvas.py"), "--task",
               "cluttered", "--models", "reinforce", "gumbel", "soft", "cnn", "--glimpses", "2",
               "--epochs", "1", "--epochs-cnn", "1", "--train-size", "64", "--threads", "1",
               "--fallback", "--save", "--out", str(out)]  # fmt: skip

    subprocess.run(command, check=True, env={**os.environ, **env}, cwd=ROOT, timeout=300)
    report = json.loads(out.read_text())
    assert report["command"].startswith("python benchmarks/glimpses_on_canvas.py --task cluttered")
    models = [r["model"] for r in report["results"]]
    assert models == ["reinforce", "gumbel", "soft", "cnn"]
    for record in report["results"]:
        assert 0 <= record["test_accuracy"] <= 1 and record["parameters"] > 0
        assert record["multiply_adds_per_image"] > 0 and record["epochs"] == 1
    hard = report["results"][0]
    assert hard["values_read_per_image"] == 2 * 3 * 12 * 12  # T * scales * patch**2
    assert report["results"][2]["values_read_per_image"] == 60 * 60
    saved = sorted(p.name for p in tmp_path.glob("*.pt"))
    assert saved == [
        "glimpses_on_canvas_cluttered_cnn.pt",
        "glimpses_on_canvas_cluttered_gumbel2.pt",
        "glimpses_on_canvas_cluttered_reinforce2.pt",
        "glimpses_on_canvas_cluttered_soft.pt",
    ]
