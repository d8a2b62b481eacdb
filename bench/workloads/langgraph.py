"""LangGraph baseline for W1, measured in the same run and on the same machine as OpenIntern:
``create_react_agent`` + ``ChatOpenAI`` against the same fake LLM (its own process, the same
loop model), 200 runs x 5 tool steps, 50 in flight (an asyncio semaphore), with
``AsyncPostgresSaver`` on a pool against the same embedded PostgreSQL, and without a
checkpointer. LangGraph persists a checkpoint per super-step but no event log.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from bench.harness import fake_llm, free_port

RUNS, STEPS, IN_FLIGHT = 200, 5, 50


def run(args: Any) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, fake_llm(free_port()) as fake:
        return asyncio.run(_both(fake, Path(tmp)))  # one loop: ChatOpenAI caches its client per process


async def _both(fake: str, tmp: Path) -> dict[str, Any]:
    without = await _measure(fake, None)
    with_pg = await _with_postgres(fake, tmp)
    return {"LangGraph W1 (AsyncPostgresSaver)": with_pg, "LangGraph W1 (no checkpointer)": without}


async def _with_postgres(fake: str, tmp: Path) -> dict[str, Any]:
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg.rows import dict_row
    from psycopg_pool import AsyncConnectionPool

    from openintern.db.embedded import start_embedded, stop_embedded
    from openintern.db.engine import libpq_conninfo

    conninfo = libpq_conninfo(start_embedded(tmp / "pg", database="langgraph"))
    kwargs = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
    try:
        async with AsyncConnectionPool(conninfo, max_size=20, kwargs=kwargs, open=False) as pool:
            saver = AsyncPostgresSaver(pool)  # type: ignore[arg-type]
            await saver.setup()
            return await _measure(fake, saver)
    finally:
        stop_embedded()


async def _measure(fake: str, checkpointer: Any) -> dict[str, Any]:
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
            config = {"configurable": {"thread_id": f"t{i}"}, "recursion_limit": 50}
            result = await agent.ainvoke({"messages": [("user", "go")]}, config)
            assert "done after" in result["messages"][-1].content

    await one(-1)  # warm-up
    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(RUNS)))
    wall = time.perf_counter() - started
    return {
        "wall_s": round(wall, 3),
        "tool_steps_per_s": round(RUNS * STEPS / wall, 1),
        "llm_calls_per_s": round(RUNS * (STEPS + 1) / wall, 1),
        "runs_per_s": round(RUNS / wall, 1),
    }
