"""The command line: ``python -m attnlib.grading {grade,solutions,assign,verify} ...``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from attnlib.grading.sandbox import Limits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m attnlib.grading", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("grade", help="grade a folder of submitted notebooks")
    g.add_argument("submissions", type=Path, help="folder of .ipynb submissions")
    g.add_argument("--out", type=Path, required=True, help="where grades.csv and results go")
    g.add_argument(
        "--tests",
        type=Path,
        default=None,
        help="folder of hidden tests (default: exercises/source of this checkout)",
    )
    g.add_argument("--set", default=None, help="grade every notebook as this exercise set")
    g.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default 2)")
    g.add_argument(
        "--timeout",
        type=int,
        default=Limits.wall_s,
        help=f"wall-clock seconds per submission (default {Limits.wall_s})",
    )
    g.add_argument(
        "--memory-mb",
        type=int,
        default=Limits.memory_mb,
        help=f"address-space limit per submission (default {Limits.memory_mb})",
    )
    g.add_argument(
        "--insecure-no-sandbox",
        action="store_true",
        help="grade WITHOUT the bubblewrap sandbox (resource limits only): a "
        "submission can then read files, other submissions and hidden tests",
    )

    s = sub.add_parser("solutions", help="write every reference solution as a submission")
    s.add_argument("dir", type=Path)

    b = sub.add_parser("gradescope", help="write a Gradescope autograder bundle for one set")
    b.add_argument("dir", type=Path)
    b.add_argument("--set", required=True, help="the exercise set, e.g. 02_soft_attention")
    b.add_argument("--tests", type=Path, default=None, help="your hidden tests folder")
    b.add_argument("--ref", default="main", help="the course's git commit or tag to install")
    b.add_argument(
        "--insecure-no-sandbox",
        action="store_true",
        help="grade WITHOUT the sandbox on Gradescope (see exercises/README.md)",
    )

    a = sub.add_parser("assign", help="regenerate the learner notebooks and site pages")
    a.add_argument("--check", action="store_true", help="only report out-of-date files")

    v = sub.add_parser("verify", help="solutions score full, handouts zero, wrong answers lose")
    v.add_argument("--tests", type=Path, default=None)
    v.add_argument("--jobs", type=int, default=2)

    args = parser.parse_args(argv)
    if args.command == "grade":
        from attnlib.grading.grader import DEFAULT_TESTS, grade
        from attnlib.grading.sandbox import SandboxUnavailable

        limits = Limits(wall_s=args.timeout, cpu_s=args.timeout, memory_mb=args.memory_mb)
        if args.insecure_no_sandbox:
            print(
                "WARNING: --insecure-no-sandbox: grading WITHOUT a sandbox. A submission can "
                "read and write files (other submissions, hidden tests) and use the network.",
                file=sys.stderr,
            )
        start = time.perf_counter()
        try:
            graded = grade(
                args.submissions,
                args.out,
                tests_dir=args.tests or DEFAULT_TESTS,
                jobs=args.jobs,
                limits=limits,
                forced_set=args.set,
                insecure=args.insecure_no_sandbox,
            )
        except SandboxUnavailable as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(
            f"graded {len(graded)} submissions in {time.perf_counter() - start:.1f} s; "
            f"wrote {args.out / 'grades.csv'}"
        )
        return 0
    if args.command == "solutions":
        from attnlib.grading.assign import solution_notebook
        from attnlib.grading.content import all_sets

        args.dir.mkdir(parents=True, exist_ok=True)
        for exset in all_sets():
            (args.dir / f"{exset.name}.ipynb").write_text(solution_notebook(exset))
        print(f"wrote {len(all_sets())} solution notebooks to {args.dir}")
        return 0
    if args.command == "gradescope":
        from attnlib.grading.gradescope import bundle

        for path in bundle(args.dir, args.set, args.tests, args.ref, args.insecure_no_sandbox):
            print("wrote", path)
        return 0
    if args.command == "assign":
        from attnlib.grading.assign import assign
        from attnlib.grading.content import all_sets

        stale = assign(all_sets(), check=args.check)
        for path in stale:
            print(("out of date: " if args.check else "wrote ") + str(path))
        return 1 if args.check and stale else 0
    from attnlib.grading.grader import DEFAULT_TESTS
    from attnlib.grading.verify import verify

    problems = verify(args.tests or DEFAULT_TESTS, args.jobs)
    for problem in problems:
        print("FAIL:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
