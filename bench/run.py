"""Run a benchmark workload: ``python -m bench.run w1`` (or ``all``)."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import time

from bench.harness import load_average, machine

WORKLOADS = ["foundation", "w1", "w2", "w3", "memory"]  # `all`, in this order (w1 includes LangGraph)
EXTRA = ["langgraph", "m1", "m2", "m3", "failover", "t1"]  # LangGraph alone; one memory workload; failover
PARTS = {"m1": ("memory", "run_m1"), "m2": ("memory", "run_m2"), "m3": ("memory", "run_m3")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workload", choices=[*WORKLOADS, *EXTRA, "all"])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument(
        "--repeat", type=int, default=1, help="w1/w2/w3: invocations, reported with their median"
    )
    parser.add_argument("--no-langgraph", action="store_true", help="w1: OpenIntern only")
    parser.add_argument(
        "--mode", choices=["sse", "poll", "upfront"], default="sse", help="w1: how the client waits"
    )
    parser.add_argument(
        "--submit",
        choices=["single", "batch"],
        default="single",
        help="w2: one POST /api/runs per run, or POST /api/runs/batch (100 runs per request)",
    )
    parser.add_argument(
        "--worker-processes", type=int, default=None, help="w2: server.worker_processes (default: serve's)"
    )
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    import openintern  # PYTHONPATH=<a clean export of a commit>/src benchmarks that tree

    print(f"machine: {machine()}\ncommit: {commit}\nsource: {openintern.__file__}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M')}\nload: {load_average()}")
    for name in WORKLOADS if args.workload == "all" else [args.workload]:
        module_name, function = PARTS.get(name, (name, "run"))
        module = importlib.import_module(f"bench.workloads.{module_name}")
        result = getattr(module, function)(args)
        print(json.dumps({name: result}, indent=2, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
