"""benchmarks/fsdd_speakers.py: its --recipe names the changes it knows, and a bad one is refused
before any data is read."""

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "fsdd_speakers.py"


def _script():
    spec = importlib.util.spec_from_file_location("fsdd_speakers", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("recipe", ["floor+floor", "pitch", "baseline+speed", ""])
def test_a_bad_recipe_is_refused(recipe, capsys):
    with pytest.raises(SystemExit):
        _script().main(["--recipe", recipe])
    assert "--recipe must be baseline or distinct changes" in capsys.readouterr().err


def test_the_committed_results_name_their_recipe_and_command():
    for path in sorted((SCRIPT.parent / "results").glob("fsdd_speakers_*.json")):
        report = json.loads(path.read_text())
        recipe = report["settings"]["recipe"]
        assert path.name == f"fsdd_speakers_{recipe}.json"
        assert f"--recipe {recipe} " in report["command"] and path.name in report["command"]
        assert len(report["settings"]["speakers"]) == 6
