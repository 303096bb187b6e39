"""The learner's side: check() feedback, the generated handouts and site pages, plain data."""

import json
import math
import re
import subprocess
import sys

import pytest
import torch

from attnlib.grading import check
from attnlib.grading.assign import EXERCISES, assign, learner_notebook
from attnlib.grading.codec import DecodeError, Opaque, decode, encode
from attnlib.grading.compare import compare
from attnlib.grading.content import all_sets, get_set
from attnlib.grading.feedback import run_public
from attnlib.grading.reference import namespace


@pytest.mark.parametrize("exset", all_sets(), ids=lambda s: s.name)
def test_solutions_pass_and_stubs_fail_every_public_test(exset):
    solved, stubs = namespace(exset), namespace(exset, {q.id: q.stub for q in exset.questions})
    for q in exset.questions:
        assert run_public(q.id, solved).full, q.id
        assert run_public(q.id, stubs).score == 0, q.id


def test_check_names_expected_and_got_with_a_hint(capsys):
    ns = namespace(
        get_set("02_soft_attention"),
        {
            "2.1": """
def stable_softmax(x, dim=-1):
    e = torch.exp(x)
    return e / e.sum(dim=dim, keepdim=True)"""
        },
    )
    check("2.1", ns)
    text = capsys.readouterr().out
    assert "Exercise 2.1 (A numerically stable softmax): public tests 2/3 passed" in text
    first = torch.softmax(torch.tensor([1.0, 2.0, 3.0]), 0)[0].item()  # exp(1) / (e + e^2 + e^3)
    assert f"got NaN at index (0,), where {first:.4g} was expected" in text
    assert "Hint: subtract x.amax" in text
    assert "Hidden tests will also count" in text


def test_check_reads_the_callers_globals(capsys):
    code = (
        "import math\noverflow_at = 89\n"
        'def overflow_threshold(m):\n    return math.floor(math.log(m)) + 1\ncheck("2.6")'
    )
    exec(compile(code, "<nb>", "exec"), {"check": check})
    assert "all passed, 1/1 points" in capsys.readouterr().out


def test_generated_files_are_up_to_date():
    assert assign(all_sets(), check=True) == []


@pytest.mark.parametrize("exset", all_sets(), ids=lambda s: s.name)
def test_handouts_and_pages_hold_no_hidden_test(exset):
    hidden = (EXERCISES / "source" / exset.name / "hidden.py").read_text()
    labels = re.findall(r'label="(hidden:[^"]+)"', hidden)
    assert labels
    for path in (EXERCISES / f"{exset.name}.ipynb", EXERCISES / "pages" / f"{exset.name}.md"):
        text = path.read_text()
        assert not any(label in text for label in labels)


@pytest.mark.parametrize("exset", all_sets(), ids=lambda s: s.name)
def test_site_page_has_each_exercise_and_a_dropdown_solution(exset):
    page = (EXERCISES / "pages" / f"{exset.name}.md").read_text()
    assert page.count("````{exercise}") == len(exset.questions) >= 3
    assert page.count(":class: dropdown") == len(exset.questions)
    for q in exset.questions:
        assert q.solution.strip() in page


def test_handout_runs_in_a_kernel_and_scores_zero_without_raising(tmp_path):
    nbclient = pytest.importorskip("nbclient")
    import nbformat

    nb = nbformat.reads(learner_notebook(get_set("04_scoring_and_multihead")), as_version=4)
    nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    assert outputs.count("Hidden tests will also count") == 5
    assert "NotImplementedError: write sdpa" in outputs


@pytest.mark.parametrize(
    "obj",
    [
        torch.randn(2, 3),
        torch.tensor([1, 2]),
        torch.tensor(True),
        3,
        2.5,
        "b",
        None,
        [1.0, torch.zeros(2)],
        {"a": 1.0},
    ],
)
def test_encode_decode_round_trip(obj):
    assert (
        compare(
            obj if not isinstance(obj, list) else obj,
            decode(json.loads(json.dumps(encode(obj)))),
            rtol=0,
            atol=0,
        )
        is None
    )


@pytest.mark.parametrize(
    "data",
    [
        {"__tensor__": {"dtype": "float32", "shape": [3], "data": [1.0]}},
        {"__tensor__": {"dtype": "object", "shape": [1], "data": [1.0]}},
        {"__tensor__": {"dtype": "float32", "shape": [10**7], "data": []}},
        {"__tensor__": {"dtype": "float32", "shape": [1], "data": ["x"]}},
        {"__pickle__": "gASV"},
        {"a": 1, "b": 2},
    ],
)
def test_decode_rejects_malformed_data(data):
    with pytest.raises(DecodeError):
        decode(data)


def test_objects_that_equal_anything_arrive_as_opaque():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    got = decode(encode(AlwaysEqual()))
    assert isinstance(got, Opaque) and got != got
    assert (
        compare(1.0, got, rtol=0, atol=0)
        == "expected the number 1, got an object of type AlwaysEqual"
    )


@pytest.mark.parametrize(
    "expected, got, message",
    [
        (torch.zeros(2, 3), torch.zeros(3, 2), "expected shape (2, 3), got shape (3, 2)"),
        (
            torch.zeros(2),
            torch.tensor([0.0, math.nan]),
            "got NaN at index (1,), where 0 was expected",
        ),
        (torch.tensor([True]), torch.tensor([1.0]), "expected dtype torch.bool, got torch.float32"),
        ({"a": 1.0}, {"a": 2.0}, "key 'a': expected 1, got 2"),
        ("b", "a", "expected 'b', got 'a'"),
        (89, None, "expected the number 89, got None"),
    ],
)
def test_compare_says_what_was_expected_and_what_came(expected, got, message):
    assert compare(expected, got, rtol=1e-4, atol=1e-5) == message


def test_solutions_then_grade_commands(tmp_path):
    """The README's two commands, end to end, on one set's solution and handout."""
    run = [sys.executable, "-m", "attnlib.grading"]
    subprocess.run([*run, "solutions", str(tmp_path / "all")], check=True)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "alice_05_mnist_soft_attention.ipynb").write_bytes(
        (tmp_path / "all" / "05_mnist_soft_attention.ipynb").read_bytes()
    )
    (subs / "bob_05_mnist_soft_attention.ipynb").write_bytes(
        (EXERCISES / "05_mnist_soft_attention.ipynb").read_bytes()
    )
    subprocess.run([*run, "grade", str(subs), "--out", str(tmp_path / "out")], check=True)
    lines = (tmp_path / "out" / "grades.csv").read_text().splitlines()
    assert lines[0] == "file,status,5.1,5.2,5.3,5.4,total"
    assert lines[1] == "alice_05_mnist_soft_attention.ipynb,ok,3,1,2,2,8"
    assert lines[2].startswith("bob_05_mnist_soft_attention.ipynb,")
    assert lines[2].endswith(",0,0,0,0,0")
    results = json.loads(
        (
            tmp_path / "out" / "results" / "alice_05_mnist_soft_attention" / "results.json"
        ).read_text()
    )
    assert results["score"] == 8 and results["tests"][0]["max_score"] == 3


# Predict questions whose answer is a choice, and compute questions not yet rewritten as a
# function of their parameters (issue 12 item 4): the only exercises without hidden cases.
NO_HIDDEN_YET: set[str] = set()


@pytest.mark.parametrize("exset", all_sets(), ids=lambda s: s.name)
def test_every_exercise_has_hidden_cases(exset):
    from attnlib.grading.content import load_hidden

    hidden = load_hidden(EXERCISES / "source", exset)
    missing = {q.id for q in exset.questions if not hidden[q.id]}
    assert missing <= NO_HIDDEN_YET, f"exercises without hidden cases: {sorted(missing)}"


# A value written in a comment beside a reference answer (`x = expr  # 0.3482`) is shown on the
# exercise pages: it must be the value the expression has, to the digits written.
COMMENTED_VALUE = re.compile(r"^(?P<name>\w+) = .+#\s*(?P<value>[-+]?\d+\.\d+)\s*$")


@pytest.mark.parametrize("exset", all_sets(), ids=lambda s: s.name)
def test_values_written_beside_reference_answers_are_their_values(exset):
    from attnlib.grading.content import solution_module

    source = (EXERCISES / "source" / exset.name / "solution.py").read_text()
    module = solution_module(exset.name)
    for line in source.splitlines():
        match = COMMENTED_VALUE.match(line)
        if not match:
            continue
        value = getattr(module, match["name"])
        numbers = (
            [value]
            if isinstance(value, (int, float))
            else [
                v
                for v in (value.values() if isinstance(value, dict) else [])
                if isinstance(v, (int, float)) and not isinstance(v, bool)
            ]
        )
        digits = len(match["value"].split(".")[1])
        written = float(match["value"])
        assert any(round(v, digits) == written for v in numbers), (
            f"{exset.name}: {match['name']} is {value!r}, its comment says {written}"
        )
