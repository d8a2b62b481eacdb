"""LangGraph baseline for W1 (`bench.workloads.w1` runs it in the same invocation, on the
same embedded PostgreSQL cluster, database ``langgraph``): ``create_react_agent`` +
``ChatOpenAI`` against the same fake LLM (its own process, the same loop model), 200 runs x
5 tool steps, 50 in flight (an asyncio semaphore), in-process asyncio, with
``AsyncPostgresSaver`` on a pool of 20, and without a checkpointer. LangGraph persists a
checkpoint per super-step but no event log. ``python -m bench.run langgraph`` runs it alone.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from bench.harness import (
    SHARED_BUFFERS_MB,
    cpu_by_tree,
    cpu_delta,
    fake_llm_process,
    free_port,
    load_average,
    postmaster_pid,
)

RUNS, STEPS, IN_FLIGHT = 200, 5, 50


def run(args: Any) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, fake_llm_process(free_port()) as (fake, proc):
        # one loop for both: ChatOpenAI caches its client per process
        return asyncio.run(both(fake, Path(tmp) / "data", proc.pid))


async def both(fake: str, data_dir: Path, fake_pid: int) -> dict[str, Any]:
    """Without a checkpointer, then with AsyncPostgresSaver on the embedded cluster in
    ``data_dir/pg`` (started, or joined, here: it becomes this process's child)."""
    from openintern.db.embedded import start_embedded, stop_embedded
    from openintern.db.engine import libpq_conninfo

    roots = {"fake_llm": fake_pid, "langgraph_process": os.getpid()}
    without = await _measure(fake, None, roots)
    conninfo = libpq_conninfo(
        start_embedded(data_dir, database="langgraph", shared_buffers_mb=SHARED_BUFFERS_MB)
    )
    try:
        with_pg = await _with_postgres(fake, conninfo, {**roots, "postgres": postmaster_pid(data_dir)})
    finally:
        stop_embedded()
    return {"LangGraph (AsyncPostgresSaver)": with_pg, "LangGraph (no checkpointer)": without}


async def _with_postgres(fake: str, conninfo: str, roots: dict[str, int]) -> dict[str, Any]:
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg.rows import dict_row
    from psycopg_pool import AsyncConnectionPool

    kwargs = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
    async with AsyncConnectionPool(conninfo, max_size=20, kwargs=kwargs, open=False) as pool:
        saver = AsyncPostgresSaver(pool)  # type: ignore[arg-type]
        await saver.setup()
        result = await _measure(fake, saver, roots)
        async with pool.connection() as conn:
            cur = await conn.execute("SELECT count(*) AS n FROM checkpoints")
            row: Any = await cur.fetchone()  # a dict (the pool's row factory)
            result["persisted_checkpoints"] = int(row["n"]) if row else 0
        return result


async def _measure(fake: str, checkpointer: Any, roots: dict[str, int]) -> dict[str, Any]:
    from langchain_core.tools import tool
    from langchain_openai import ChatOpenAI

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from langgraph.prebuilt import create_react_agent

    @tool
    def echo(text: str) -> str:
        """Return the text."""
        return text

    model = ChatOpenAI(model=f"fake/loop?tool=echo&n={STEPS}", base_url=fake + "/v1", api_key="bench")  # type: ignore[arg-type]
    agent = create_react_agent(model, [echo], checkpointer=checkpointer)
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(i: int) -> None:
        async with gate:
            config: Any = {"configurable": {"thread_id": f"t{i}"}, "recursion_limit": 50}
            result = await agent.ainvoke({"messages": [("user", "go")]}, config)
            assert "done after" in result["messages"][-1].content

    await asyncio.gather(*(one(-1 - i) for i in range(IN_FLIGHT)))  # warm-up, as W1's
    load = load_average()
    cpu0 = cpu_by_tree(roots)
    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(RUNS)))
    wall = time.perf_counter() - started
    cpu = cpu_delta(cpu0, cpu_by_tree(roots))
    calls = RUNS * (STEPS + 1)
    return {
        "load_avg_before": load,
        "cpu_ms_per_llm_step": {k: round(v / calls * 1000, 2) for k, v in cpu.items()},
        "wall_s": round(wall, 3),
        "tool_steps_per_s": round(RUNS * STEPS / wall, 1),
        "llm_calls_per_s": round(RUNS * (STEPS + 1) / wall, 1),
        "runs_per_s": round(RUNS / wall, 1),
    }
