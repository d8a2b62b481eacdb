"""Run a benchmark workload: ``python -m bench.run foundation`` (or ``all``)."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import time

from bench.harness import machine

WORKLOADS = ["foundation", "runs", "langgraph"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workload", choices=[*WORKLOADS, "all"])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    print(f"machine: {machine()}\ncommit: {commit}\ndate: {time.strftime('%Y-%m-%d')}")
    for name in WORKLOADS if args.workload == "all" else [args.workload]:
        module = importlib.import_module(f"bench.workloads.{name}")
        result = module.run(args)
        print(json.dumps({name: result}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
