"""Before / after in one invocation: ``python -m bench.ab w1 --before <commit> [--rounds 3]``.

Exports ``--before`` (and ``--after``, default the working tree) with ``git archive``,
then runs the workload alternately on each (the tree's own ``bench.run`` in a subprocess,
with the tree's ``src`` first on ``PYTHONPATH``), swapping which goes first every round, so that
the machine's drift over minutes falls on both sides alike. Prints every round's figures
and, per figure, each side's median and the change.

    python -m bench.ab w1 --before 3378113 --rounds 3 -- --no-langgraph
    python -m bench.ab m2 --before 3378113 --env-before BENCH_M2_DATA=/tmp/m2a \\
        --env-after BENCH_M2_DATA=/tmp/m2b --rounds 2
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

FIGURES: dict[str, list[str]] = {
    "w1": [
        "OpenIntern.tool_steps_per_s",
        "OpenIntern.runtime_overhead_ms_per_step",
        "OpenIntern.cpu_ms_per_llm_step.serve",
        "OpenIntern.cpu_ms_per_llm_step.postgres",
    ],
    "w3": [],  # every p50 / p99 it reports (found below)
    "m2": [],  # every numeric figure of the hybrid / vector / text modes (found below)
}


def export(commit: str, into: Path) -> Path:
    """``git archive <commit> src bench`` unpacked into ``into`` (each side runs its own
    benchmark code, which speaks its own version's API)."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "archive", commit, "src", "bench"], cwd=ROOT, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def once(workload: str, tree: Path, env: dict[str, str], extra: list[str]) -> dict[str, Any]:
    src = tree / "src"
    full_env = {**os.environ, **env, "PYTHONPATH": str(src)}
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", workload, *extra],
        cwd=tree,
        env=full_env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{workload} on {src} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    start = proc.stdout.index("\n{") + 1
    header = proc.stdout[:start]
    assert str(src) in header, f"the run did not import {src}:\n{header}"
    result: dict[str, Any] = json.loads(proc.stdout[start:])[workload]
    return result


def flatten(value: Any, prefix: str = "") -> dict[str, float]:
    if isinstance(value, dict):
        out: dict[str, float] = {}
        for key, inner in value.items():
            out.update(flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {prefix: float(value)}
    if isinstance(value, str) and re.fullmatch(r"[\d.]+ / [\d.]+", value):  # M2's "Python / PostgreSQL" CPU
        first, second = value.split(" / ")
        return {f"{prefix} [1]": float(first), f"{prefix} [2]": float(second)}
    return {}


def wanted(workload: str, figures: dict[str, float]) -> list[str]:
    names = FIGURES.get(workload) or [
        k for k in figures if any(m in k.lower() for m in ("p50", "p95", "p99", "q_per_s", "cpu"))
    ]
    return [n for n in names if n in figures]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("workload")
    parser.add_argument("--before", required=True, help="a commit")
    parser.add_argument("--after", default=None, help="a commit (default: the working tree's src)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--env-before", action="append", default=[], metavar="K=V")
    parser.add_argument("--env-after", action="append", default=[], metavar="K=V")
    args, extra = parser.parse_known_args()  # the rest (after --) goes to bench.run
    args.extra = [a for a in extra if a != "--"]
    tmp = Path(tempfile.mkdtemp(prefix="oi-ab-"))
    sides = {
        "before": (export(args.before, tmp / "before"), dict(kv.split("=", 1) for kv in args.env_before)),
        "after": (
            export(args.after, tmp / "after") if args.after else ROOT,
            dict(kv.split("=", 1) for kv in args.env_after),
        ),
    }
    print(
        f"{args.workload}: before {args.before}, after {args.after or 'working tree'}, {args.rounds} rounds"
    )
    got: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    for r in range(args.rounds):
        order = ["before", "after"] if r % 2 == 0 else ["after", "before"]
        for side in order:
            tree, env = sides[side]
            figures = flatten(once(args.workload, tree, env, args.extra))
            got[side].append(figures)
            shown = {n: figures[n] for n in wanted(args.workload, figures)}
            print(f"round {r + 1} {side}: {json.dumps(shown)}", flush=True)
    print("\nmedian of the rounds (after vs before):")
    for name in wanted(args.workload, got["after"][0]):
        before = statistics.median(f[name] for f in got["before"] if name in f)
        after = statistics.median(f[name] for f in got["after"] if name in f)
        change = f"{(after - before) / before * 100:+.1f} %" if before else "-"
        print(f"  {name}: {before:g} -> {after:g} ({change})")


if __name__ == "__main__":
    main()
