"""Hostile submissions, graded in one batch through the bubblewrap sandbox (issue 12).

Each hostile notebook is exercise set 2 (soft attention, 14 points): the handout (or the
reference answers) with a hostile cell. Where an attack would work, it answers exercise 2.6
(``overflow_at = 89``, part of a point) or all of them, so a working attack shows as
points. Each test asserts the exact outcome: the score (not above the honest score), the
batch complete with every file in ``grades.csv``, no process left, nothing written outside
``OUT``, nothing read.
"""

import csv
import json
import os
import signal
import textwrap
from pathlib import Path

import pytest

from attnlib.grading import sandbox
from attnlib.grading.assign import learner_notebook
from attnlib.grading.content import SOURCE, get_set, load_hidden
from attnlib.grading.grader import csv_cell, grade
from attnlib.grading.sandbox import Limits

SET = get_set("02_soft_attention")
SOLUTIONS = {q.id: q.solution for q in SET.questions}
STUBS = {q.id: q.stub for q in SET.questions}
HIDDEN_FILE = SOURCE / "02_soft_attention" / "hidden.py"
SOLUTION_FILE = SOURCE / "02_soft_attention" / "solution.py"
MARK = "attnlib-hostile-7f3a"  # in the command line of every process a hostile cell leaves

pytestmark = pytest.mark.skipif(
    sandbox.probe() is not None, reason=f"no bubblewrap sandbox here: {sandbox.probe()}"
)

SCORE_IF = "\n    overflow_at = 89  # the attack worked: part of a point\n"


def with_cell(code: str, answers: dict | None = None) -> str:
    """The handout (or ``answers``) with ``code`` first in exercise 2.1's answer cell."""
    answers = dict(answers or STUBS)
    answers["2.1"] = textwrap.dedent(code) + "\n" + answers["2.1"]
    if answers["2.6"] == STUBS["2.6"]:
        answers["2.6"] = "# overflow_at is set only by a working attack"
    return learner_notebook(SET, answers)


def hostile(subs: Path, out: Path, marker: Path) -> dict[str, str]:
    others = str(subs / "solution.ipynb")
    return {
        # The reference answers are not in the sandbox: neither as modules nor as files.
        "execs_references": with_cell(f"""
            import sys
            ns = {{}}
            try:
                from attnlib.grading.content import get_set
                for q in get_set("02_soft_attention").questions:
                    exec(q.solution, globals())
            except Exception:
                pass
            for name, mod in list(sys.modules.items()):
                if "_exercises_" in name or name.endswith(("solution", "grading.sets")):
                    exec("overflow_at = 89", globals())
            try:
                exec(open({str(SOLUTION_FILE)!r}).read(), globals())
            except OSError:
                pass
            """),
        # Files: the hidden tests, another submission, the checkout, OUT; closing fds first.
        "reads_files": with_cell(f"""
            import os
            for fd in range(3, 64):
                try:
                    os.close(fd)
                except OSError:
                    pass
            for path in [{str(HIDDEN_FILE)!r}, {others!r}, {str(SOURCE)!r}, {str(out)!r},
                         {str(subs)!r}, "/etc/passwd", "/root", "/home"]:
                try:
                    if os.path.isdir(path):
                        os.listdir(path)
                    else:
                        open(path).read()
                    {SCORE_IF}
                except OSError:
                    pass
            """),
        # Writes: OUT's files, a marker outside, a huge file in /tmp.
        "writes_files": with_cell(f"""
            import os
            for path in [{str(out / "grades.csv")!r}, {str(marker)!r}, "results.json",
                         {str(subs / "planted.ipynb")!r}]:
                try:
                    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
                    with open(path, "w") as f:
                        f.write('{{"score": 1000}}')
                except OSError:
                    pass
            try:
                with open("/tmp/big", "wb") as f:
                    for _ in range(1024):
                        f.write(bytes(2**20))
            except OSError:
                pass
            """),
        # The test plan from the learner's frames: walks every frame up from a call.
        "reads_frames": learner_notebook(
            SET,
            {
                **STUBS,
                "2.6": "# not answered",
                "2.1": textwrap.dedent("""
            import sys
            def stable_softmax(x, dim=-1):
                seen = []
                frame = sys._getframe(1)
                while frame is not None:
                    seen.append(repr(frame.f_locals)[:20000])
                    frame = frame.f_back
                text = " ".join(seen)
                if "hidden:" in text or "is_call" in text:  # a label or another request
                    global overflow_at
                    overflow_at = 89
                raise RuntimeError("LEAK " + text[:400])
            """),
            },
        ),
        # Forged answers on every descriptor, in every format it can guess, then a hang.
        "forges_then_hangs": with_cell("""
            import os, json
            lines = [json.dumps({"nonce": str(i), "value": 1.0}) for i in range(64)]
            lines += [json.dumps({"call": i, "value": 89}) for i in range(64)]
            lines += ['{"cells": 0, "errors": []}', '{"done": true}', "[" * 100000]
            data = ("\\n".join(lines) + "\\n").encode()
            for fd in range(0, 64):
                try:
                    os.write(fd, data)
                except OSError:
                    pass
            import time
            while True:
                time.sleep(1)
            """),
        # Repeats its first answer: overflow_at is read once, the answer counted once.
        "huge_number": with_cell("overflow_at = 10**400"),
        # Children in new sessions, double-forked, signals ignored: they must not survive.
        "leaves_processes": with_cell(f"""
            import os, signal, time
            for _ in range(3):
                try:
                    if os.fork() == 0:
                        os.setsid()
                        if os.fork() == 0:
                            signal.signal(signal.SIGTERM, signal.SIG_IGN)
                            signal.signal(signal.SIGHUP, signal.SIG_IGN)
                            os.execv("/bin/sleep" if os.path.exists("/bin/sleep") else
                                     "/usr/bin/sleep", ["sleep", "600", {MARK!r}])
                        os._exit(0)
                except OSError:
                    pass
            """),
        # Kills whatever it can see.
        "kills": with_cell(
            """
            import os, signal
            for pid in [1, os.getppid(), -1] + list(range(2, 64)):
                if pid != os.getpid():
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            """,
            SOLUTIONS,
        ),
        # Network and privileges.
        "network_and_root": with_cell(f"""
            import os, socket
            for address in [("1.1.1.1", 53), ("127.0.0.1", 22), ("10.0.0.1", 80)]:
                try:
                    socket.create_connection(address, timeout=1).close()
                    {SCORE_IF}
                except OSError:
                    pass
            try:
                os.setuid(0)
                {SCORE_IF}
            except OSError:
                pass
            """),
        # Fork bomb (bounded by the process limit) and a memory bomb.
        "fork_bomb": with_cell("""
            import os
            pids = []
            for _ in range(10000):
                try:
                    pids.append(os.fork())
                    if pids[-1] == 0:
                        import time; time.sleep(30); os._exit(0)
                except OSError:
                    break
            """),
        "memory_hog": with_cell("x = torch.empty(10**11)"),
        # An answer of 20 MiB, and a thread that floods the descriptors while calls are made.
        "huge_output": with_cell("overflow_at = 'x' * (20 * 2**20)"),
        "floods_channel": with_cell("""
            import os, threading
            def flood():
                while True:
                    for fd in range(3, 16):
                        try:
                            os.write(fd, b'{"nonce": "x", "value": 89}\\n' * 1000)
                        except OSError:
                            pass
            threading.Thread(target=flood, daemon=True).start()
            """),
        # Loops forever with the alarm ignored, in an answer: costs only its own tests.
        "infinite_call": learner_notebook(
            SET,
            {
                **SOLUTIONS,
                "2.1": """
import signal
def stable_softmax(x, dim=-1):
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    while True:
        pass""",
            },
        ),
        # Implements by calling the library: the tests of 2.1 score nothing.
        "calls_torch": learner_notebook(
            SET,
            {
                **SOLUTIONS,
                "2.1": """
def stable_softmax(x, dim=-1):
    return torch.nn.functional.softmax(x, dim=dim)""",
            },
        ),
        # Honest answers using imports, matplotlib, display, and a list for a tensor.
        "honest_imports": learner_notebook(
            SET,
            {
                **SOLUTIONS,
                "2.4": """
import collections, json, re, itertools
import matplotlib.pyplot as plt
from IPython.display import display

def attend(weights, values):
    fig, ax = plt.subplots()
    ax.imshow(weights.numpy())
    display(fig)
    plt.close(fig)
    return (weights @ values).tolist()  # a list where a tensor is expected""",
            },
        ),
        # The kernel dies after defining correct answers.
        "crashes": learner_notebook(
            SET,
            {
                **SOLUTIONS,
                "2.6": SOLUTIONS["2.6"]
                + "\nimport os, signal\nos.kill(os.getpid(), signal.SIGSEGV)",
            },
        ),
        "solution": learner_notebook(SET, SOLUTIONS),
    }


def metadata_names(text: str, name: str) -> str:
    nb = json.loads(text)
    nb["metadata"]["attnlib_exercises"]["set"] = name
    return json.dumps(nb)


def nbformat3(answers: dict) -> str:
    nb = json.loads(learner_notebook(SET, answers))
    cells = [
        {
            "cell_type": c["cell_type"],
            ("input" if c["cell_type"] == "code" else "source"): "".join(c["source"]),
            "metadata": {},
        }
        for c in nb["cells"]
    ]
    return json.dumps(
        {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": cells}]}
    )


ODD_NAMES = {
    "grades.csv.ipynb": with_cell("overflow_at = 89"),  # a real answer: 1 point
    "=HYPERLINK(1).ipynb": learner_notebook(SET, STUBS),
    "...ipynb": learner_notebook(SET, STUBS),
    ".ipynb": learner_notebook(SET, STUBS),
    "x.IPYNB": learner_notebook(SET, SOLUTIONS),
    "notes.txt": "not a notebook",
    "deep.ipynb": "[" * 200000 + "]" * 200000,
    "malformed.ipynb": '{"cells": [',
    "claims_ch7.ipynb": metadata_names(learner_notebook(SET, SOLUTIONS), "07_spoken_digits"),
    "v3.ipynb": nbformat3(SOLUTIONS),
}


def _processes_with(text: str) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmd:
            found.append(f"{pid}: {cmd}")
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    subs, out, marker = tmp / "subs", tmp / "out", tmp / "marker.txt"
    subs.mkdir()
    notebooks = {f"{k}.ipynb": v for k, v in hostile(subs, out, marker).items()} | ODD_NAMES
    for name, text in notebooks.items():
        (subs / name).write_text(text)
    # A link to the hidden tests, and a FIFO: neither is followed nor read.
    (subs / "link_02_soft_attention.ipynb").symlink_to(HIDDEN_FILE)
    os.mkfifo(subs / "fifo_02_soft_attention.ipynb")
    before = sorted(p.name for p in subs.iterdir())
    limits = Limits(wall_s=40, cpu_s=20, cell_s=4, call_s=3)
    results = grade(subs, out, jobs=2, limits=limits, forced_set="02_soft_attention")
    rows = {r["file"]: r for r in csv.DictReader(open(out / "grades.csv", newline=""))}
    by_name = {g.file: g for g in results}
    return by_name, rows, out, marker, subs, before


ZERO = [
    "execs_references",
    "reads_files",
    "writes_files",
    "reads_frames",
    "forges_then_hangs",
    "huge_number",
    "leaves_processes",
    "network_and_root",
    "fork_bomb",
    "memory_hog",
    "huge_output",
    "floods_channel",
    "link_02_soft_attention",
    "fifo_02_soft_attention",
]


@pytest.mark.parametrize("name", ZERO)
def test_an_attack_on_the_handout_scores_zero(graded, name):
    results, rows, *_ = graded
    g = results[f"{name}.ipynb"]
    assert g.total == 0, (name, g.status, g.cell_errors, [r.failures for r in g.results])
    assert rows[f"{name}.ipynb"]["total"] == "0"


def test_the_reference_graded_beside_them_keeps_full_marks(graded):
    results, rows, *_ = graded
    assert results["solution.ipynb"].total == SET.max_score == 14
    assert rows["solution.ipynb"]["status"] == "ok"


def test_killing_what_it_can_see_costs_nothing_but_itself(graded):
    results, *_ = graded
    assert results["kills.ipynb"].total == 14  # it kills only inside its own pid namespace
    assert results["solution.ipynb"].total == 14


def test_every_file_given_is_a_row_and_nothing_else_is(graded):
    results, rows, out, marker, subs, before = graded
    assert sorted(rows) == sorted(csv_cell(name) for name in before)
    assert sorted(results) == before
    assert sorted(p.name for p in subs.iterdir()) == before  # nothing planted in the folder


def test_nothing_written_outside_out_and_out_is_private(graded):
    results, rows, out, marker, *_ = graded
    assert not marker.exists()
    assert (out.stat().st_mode & 0o777) == 0o700
    assert sorted(p.name for p in out.iterdir()) == ["grades.csv", "results"]
    data = json.loads((out / "results" / "writes_files" / "results.json").read_text())
    assert data["score"] == 0 and len(data["tests"]) == len(SET.questions)
    folders = sorted(p.name for p in (out / "results").iterdir())
    assert all(f and not f.startswith(".") and "/" not in f for f in folders)
    assert len(folders) == len(rows)


def test_no_process_survives_the_batch(graded):
    assert _processes_with(MARK) == []
    uids = {sandbox.sandbox_uid(slot) for slot in range(2)}
    left = [
        pid
        for pid in filter(str.isdigit, os.listdir("/proc"))
        if os.path.exists(f"/proc/{pid}") and os.stat(f"/proc/{pid}").st_uid in uids
    ]
    assert left == [] or os.getuid() != 0


def test_the_frames_hold_no_test_plan_and_errors_leak_no_hidden_input(graded):
    results, _, out, *_ = graded
    g = results["reads_frames.ipynb"]
    assert g.score("2.6") == 0
    text = (out / "results" / "reads_frames" / "results.json").read_text()
    assert "LEAK" in text  # public failures are shown ...
    hidden = g.results[0]
    assert hidden.hidden_failed == 3 and len(hidden.failures) == 3  # ... hidden ones only counted


def test_forged_lines_and_a_hang_score_nothing(graded):
    results, *_ = graded
    g = results["forges_then_hangs.ipynb"]
    assert g.total == 0 and g.cell_errors == ["cell 2: time limit (4 s) exceeded"], g.status
    assert g.status == "ok, 1 cell(s) raised"


def test_an_infinite_loop_in_one_answer_costs_only_that_answer(graded):
    results, *_ = graded
    g = results["infinite_call.ipynb"]
    assert g.score("2.1") == 0 and g.total == 14 - 3, g.status
    assert "timeout at test 1" in g.status


def test_calling_the_library_to_implement_scores_nothing_and_says_why(graded):
    results, *_ = graded
    g = results["calls_torch.ipynb"]
    assert g.score("2.1") == 0 and g.total == 14 - 3
    assert "calls torch.nn.functional.softmax" in g.results[0].failures[0]


def test_honest_imports_plots_display_and_a_list_keep_full_marks(graded):
    results, *_ = graded
    g = results["honest_imports.ipynb"]
    assert g.total == 14, (g.status, g.cell_errors, [r.failures for r in g.results])


def test_a_crash_is_reported_with_its_signal(graded):
    results, *_ = graded
    g = results["crashes.ipynb"]
    assert g.total == 0 and "SIGSEGV" in g.status, g.status


def test_memory_and_fork_bombs_are_stopped(graded):
    results, *_ = graded
    assert any(
        "memory" in e.lower() or "alloc" in e.lower()
        for e in results["memory_hog.ipynb"].cell_errors
    )
    assert results["fork_bomb.ipynb"].status.startswith("ok")


def test_odd_files_are_rows_with_reasons(graded):
    results, rows, *_ = graded
    assert rows["notes.txt"]["status"] == "not graded: not a .ipynb notebook"
    assert rows["deep.ipynb"]["status"].startswith("malformed notebook")
    assert rows["malformed.ipynb"]["status"].startswith("malformed notebook")
    assert 0 < results["grades.csv.ipynb"].total < 1  # overflow_at alone: one test of 2.6
    assert results["x.IPYNB"].total == 14
    assert results[".ipynb"].total == results["...ipynb"].total == 0
    assert results["v3.ipynb"].total == 14, results["v3.ipynb"].status


def test_links_and_fifos_in_the_folder_are_not_read(graded):
    results, *_ = graded
    for name in ("link_02_soft_attention.ipynb", "fifo_02_soft_attention.ipynb"):
        assert results[name].status.startswith("malformed notebook"), results[name].status


def test_formula_cells_are_escaped(graded):
    _, _, out, *_ = graded
    text = (out / "grades.csv").read_text()
    assert "\n'=HYPERLINK(1).ipynb," in text
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("+1") == "'+1" and csv_cell("a=1") == "a=1"


def test_a_metadata_claim_is_reported_not_trusted(graded):
    results, *_ = graded
    g = results["claims_ch7.ipynb"]
    assert g.set_name == "02_soft_attention" and g.total == 14
    assert "metadata names set '07_spoken_digits'" in g.status


def test_a_set_the_tests_folder_lacks_is_a_status_not_a_crash(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "me_01_what_is_attention.ipynb").write_text("{}")
    graded = grade(subs, tmp_path / "out", tests_dir=tests, jobs=1)
    assert graded[0].status.startswith("not graded: cannot build the tests of 01_what_is_attention")
    assert "me_01_what_is_attention.ipynb" in (tmp_path / "out" / "grades.csv").read_text()


def test_links_planted_in_out_are_replaced_not_followed(tmp_path):
    target = tmp_path / "victim.txt"
    target.write_text("untouched")
    out = tmp_path / "out"
    (out / "results").mkdir(parents=True)
    (out / "grades.csv").symlink_to(target)
    (out / "results" / "a_02_soft_attention").symlink_to(tmp_path)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a_02_soft_attention.ipynb").write_text("{}")
    grade(subs, out, jobs=1)
    assert target.read_text() == "untouched"
    assert not (out / "grades.csv").is_symlink() and "a_02" in (out / "grades.csv").read_text()
    assert not (tmp_path / "results.json").exists()


def test_out_as_a_link_is_refused(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "out").symlink_to(tmp_path / "real")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a_02_soft_attention.ipynb").write_text("{}")
    with pytest.raises(OSError, match="must be a folder"):
        grade(subs, tmp_path / "out", jobs=1)
    assert list((tmp_path / "real").iterdir()) == []


# Red team, attack 13: forge the answer of the call being made (its nonce is in the runner's
# frame), shrink the request pipe to one page and stop reading. The next request (set 4's are
# about 16 kB) no longer fits: a blocking write would hang the grader and the whole batch.
STOPS_READING = """
import fcntl, signal, sys, time
from attnlib.grading.codec import encode
_calls = [0]
def sdpa(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    out = torch.softmax(scores, dim=-1) @ v
    _calls[0] += 1
    if _calls[0] == 2:
        main = sys._getframe(2).f_locals
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        fcntl.fcntl(main["channel_in"].fileno(), 1031, 4096)  # F_SETPIPE_SZ: one page
        main["send"]({"nonce": main["nonce"], "value": encode(out)})
        while True:
            time.sleep(1000)
    return out
"""


def test_a_submission_that_stops_reading_cannot_hang_the_batch(tmp_path):
    set4 = get_set("04_scoring_and_multihead")
    reference = {q.id: q.solution for q in set4.questions}
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "stops_reading.ipynb").write_text(
        learner_notebook(set4, reference | {"4.1": STOPS_READING})
    )
    (subs / "honest.ipynb").write_text(learner_notebook(set4, reference))

    def hung(signum, frame):
        raise TimeoutError("the grader hung on a submission that stopped reading")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(120)
    try:
        limits = Limits(wall_s=40, cpu_s=20, cell_s=4, call_s=3)
        results = grade(subs, tmp_path / "out", jobs=1, limits=limits, forced_set=set4.name)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    by_name = {g.file: g for g in results}
    assert by_name["honest.ipynb"].total == set4.max_score
    attack = by_name["stops_reading.ipynb"]
    assert attack.total < set4.max_score and "timeout" in attack.status, attack.status
    rows = list(csv.DictReader(open(tmp_path / "out" / "grades.csv", newline="")))
    assert sorted(r["file"] for r in rows) == ["honest.ipynb", "stops_reading.ipynb"]


def test_hidden_inputs_do_not_leak_through_a_later_public_error(tmp_path):
    """Red team, attack 12: 2.1 keeps its inputs; 2.2's public case raises them as its error."""
    answers = {
        **SOLUTIONS,
        "2.1": "_seen = []\n"
        + SOLUTIONS["2.1"].replace(
            '"""Softmax of x along dim, safe for large scores."""',
            "_seen.append(x.flatten()[:6].tolist())",
        ),
        "2.2": "def softmax_with_temperature(x, tau):\n"
        "    raise ValueError('LEAK ' + repr(_seen))\n",
    }
    assert "_seen.append" in answers["2.1"]
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    (subs / "leak.ipynb").write_text(learner_notebook(SET, answers))
    limits = Limits(wall_s=40, cpu_s=20, cell_s=4, call_s=3)
    grade(subs, out, jobs=1, limits=limits, forced_set=SET.name)
    text = (out / "results" / "leak" / "results.json").read_text()
    assert "LEAK" in text  # the public failure is shown, with what 2.1 saw of public inputs ...
    for case in load_hidden(SOURCE, SET)["2.1"]:
        first = case.args[0].flatten()[0].item()
        assert repr(first) not in text, f"hidden input {first!r} of 2.1 is in results.json"


def test_a_crash_in_the_hidden_phase_says_nothing_the_learner_chose(tmp_path):
    """Red team, attack 12: an exit status picked from a hidden input would carry 8 bits of it."""
    body = '"""Softmax of x along dim, safe for large scores."""'
    public = len(SET.questions[0].public)
    crash = f"if _calls[0] > {public}: os._exit(int(abs(x.flatten()[0].item()) * 50) % 200 + 1)"
    answers = {
        **SOLUTIONS,
        "2.1": "import os\n_calls = [0]\n"
        + SOLUTIONS["2.1"].replace(body, "_calls[0] += 1\n    " + crash),
    }
    assert "os._exit" in answers["2.1"]
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    (subs / "crash.ipynb").write_text(learner_notebook(SET, answers))
    limits = Limits(wall_s=40, cpu_s=20, cell_s=4, call_s=3)
    [g] = grade(subs, out, jobs=1, limits=limits, forced_set=SET.name)
    assert g.status == "stopped during the hidden tests", g.status
    text = (out / "results" / "crash" / "results.json").read_text()
    assert "exit status" not in text and "test " + str(public + 1) not in text
    assert g.score("2.1") < SET.questions[0].points  # the hidden cases it dropped cost points
    # The other exercises' hidden cases still ran after the restart.
    assert g.total > g.score("2.1")


# Red team, attacks 1-8: torch's softmax under another name, or the name wrapper undone. The
# dispatcher sees the aten kernel whatever route reached it (the runner's KernelWatch).
BYPASSES = {
    "special_log_softmax": "return torch.special.log_softmax(x, dim).exp()",
    "torch__softmax": "return torch._softmax(x, dim, False)",
    "aten_op": "return torch.ops.aten._softmax(x, dim, False)",
    "tensorbase": "return torch._C.TensorBase.softmax(x, dim)",
    "variable_functions": "return torch._C._VariableFunctions.softmax(x, dim)",
    "wrapper_closure": """
        cells = [c.cell_contents for c in torch.softmax.__closure__]
        original = [f for f in cells if callable(f) and f is not torch.softmax][0]
        return original(x, dim)""",
    "frame_clears_tripwire": """
        r = torch.softmax(x, dim)
        sys._getframe(2).f_locals["wires"].tripped.clear()
        return r""",
    "gc_clears_tripwire": """
        r = torch.softmax(x, dim)
        for o in gc.get_objects():
            if type(o).__name__ == "Tripwires":
                o.tripped.clear()
        return r""",
}


@pytest.fixture(scope="module")
def bypasses(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bypass")
    subs, out = tmp / "subs", tmp / "out"
    subs.mkdir()
    for name, body in BYPASSES.items():
        answer = "import gc, sys, torch\ndef stable_softmax(x, dim=-1):\n" + textwrap.indent(
            textwrap.dedent(body).strip(), "    "
        )
        (subs / f"{name}.ipynb").write_text(learner_notebook(SET, SOLUTIONS | {"2.1": answer}))
    limits = Limits(wall_s=60, cpu_s=30, cell_s=8, call_s=5)
    results = grade(subs, out, jobs=1, limits=limits, forced_set=SET.name)
    return {g.file: g for g in results}


@pytest.mark.parametrize("name", sorted(BYPASSES))
def test_torch_softmax_under_another_name_scores_nothing(bypasses, name):
    g = bypasses[f"{name}.ipynb"]
    assert g.score("2.1") == 0, (name, g.status, g.results[0].failures)
    assert g.total == SET.max_score - 3
    assert "the library's own implementation" in g.results[0].failures[0]
