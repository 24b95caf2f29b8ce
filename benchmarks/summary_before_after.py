"""The summary benchmark twice in one run, on the same database: the code of an earlier commit ("before") and
a later one or the working tree ("after"), side by side.

    .venv/bin/python benchmarks/summary_before_after.py --before cc57a58 --after 48da1b5 \
        --database postgresql+psycopg://senda:senda@127.0.0.1:5432/senda_scale --runs 20

For the cell-key perturbation (issue #12) "before" is the last commit without it (cc57a58): its code reads
and writes the same tables (migration 0008's cell_key column has a default, which it leaves at 0); "after" is
the commit that added it (48da1b5). Each commit is checked out into a temporary git worktree (its catalogs
compiled), and `benchmarks/summary.py --cold` of each tree runs in its own process with this interpreter,
before first and after second, each starting from no stored cells (so neither reads cells the other wrote).
Prints both reports, then the page and straightforward-SQL lines side by side. Reports; asserts nothing.
"""

import argparse
import re
import subprocess  # nosec B404 - runs git and this repository's own benchmark
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"^\s{4}(?P<label>(summary page|straightforward SQL).*?)\s+(?P<median>[\d.]+)\s+(?P<p95>[\d.]+)\s+"
                  r"(?P<sql>[\d.]+|-)\s+(?P<queries>[\d/]+)\s")
FIRST = re.compile(r"first view (with no stored cells \(cells computed as needed\)|after it): (?P<ms>\d+) ms")


def run(tree: Path, args) -> str:
    command = [sys.executable, str(tree / "benchmarks" / "summary.py"), "--database", args.database,
               "--runs", str(args.runs), "--cold"]
    done = subprocess.run(command, cwd=tree, capture_output=True, text=True, check=False)  # nosec B603
    if done.returncode:
        sys.exit(f"{tree}: summary.py failed\n{done.stdout}\n{done.stderr}")
    return done.stdout


def checkout(tree: Path, ref: str) -> Path:
    """A temporary worktree of `ref`, with its catalogs compiled."""
    subprocess.run(["git", "worktree", "add", "--detach", str(tree), ref], cwd=ROOT, check=True,  # nosec
                   capture_output=True)
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile", "-d", "translations"],  # nosec
                   cwd=tree, check=True, capture_output=True)
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", required=True, help="the earlier commit")
    parser.add_argument("--after", default=None, help="the later commit (default: the working tree)")
    parser.add_argument("--database", required=True)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        trees = {"before": checkout(Path(scratch) / "before", args.before),
                 "after": checkout(Path(scratch) / "after", args.after) if args.after else ROOT}
        try:
            outputs = {name: run(tree, args) for name, tree in trees.items()}
        finally:
            for tree in trees.values():
                if tree != ROOT:
                    subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)  # nosec
    for name, output in outputs.items():
        print(f"== {name} ({args.before if name == 'before' else args.after or 'working tree'}) ==\n{output}")
    parsed = {name: {m["label"]: m for m in map(LINE.match, output.splitlines()) if m}
              for name, output in outputs.items()}
    print(f"{'':<4}{'':<46} {'median before':>14} {'median after':>13} {'queries before':>15} {'queries after':>14}")
    for label, before in parsed["before"].items():
        after = parsed["after"].get(label)
        if after:
            print(f"{'':<4}{label:<46} {before['median']:>14} {after['median']:>13} {before['queries']:>15} "
                  f"{after['queries']:>14}")
    firsts = {name: FIRST.search(output) for name, output in outputs.items()}
    if all(firsts.values()):
        print(f"{'':<4}{'first view after a bulk load (ms)':<46} {firsts['before']['ms']:>14} "
              f"{firsts['after']['ms']:>13}")


if __name__ == "__main__":
    main()
