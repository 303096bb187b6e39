"""A pytest plugin for the nbval run: the wall time of each notebook, and a budget.

`make notebooks` loads it (``-p nbval_timing``) and prints one line per notebook. With
``--notebook-budget S`` the run fails when any notebook's cells took more than S seconds in
total. The course's target is 120 s on 2 idle cores; `make test` allows twice that, because
shared machines vary by up to 2.4x, while `make execute` reports against 120 s.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

_seconds: dict[str, float] = defaultdict(float)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--notebook-budget", type=float, default=None, help="seconds allowed per notebook"
    )


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.nodeid.split("::")[0].endswith(".ipynb"):
        _seconds[report.nodeid.split("::")[0]] += report.duration


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not _seconds:
        return
    budget = config.getoption("--notebook-budget")
    terminalreporter.section("seconds per notebook")
    for name, seconds in sorted(_seconds.items()):
        flag = "  OVER BUDGET" if budget is not None and seconds > budget else ""
        terminalreporter.write_line(f"{seconds:7.1f}  {name}{flag}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    budget = session.config.getoption("--notebook-budget")
    if budget is not None and any(seconds > budget for seconds in _seconds.values()):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
