"""F1: cold start of `openintern serve` to /ready (first and later starts);
F2: p50/p99 of an authenticated GET /api/me under 50 concurrent clients on loopback."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

from bench.harness import closed_loop, login, percentile, serve

PORT = 3871


def run(args: Any) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        with serve(data, PORT) as first:
            first_s = first.ready_s
        later = []
        for _ in range(3):
            with serve(data, PORT) as again:
                later.append(again.ready_s)
        with serve(data, PORT) as srv:
            lat, wall = asyncio.run(_me_load(srv.base_url, args.concurrency, args.requests))
    return {
        "F1 first start to /ready (s)": round(first_s, 2),
        "F1 later start to /ready (s, median of 3)": round(sorted(later)[1], 2),
        f"F2 GET /api/me p50 (ms, {args.concurrency} clients)": round(percentile(lat, 50) * 1000, 1),
        f"F2 GET /api/me p99 (ms, {args.concurrency} clients)": round(percentile(lat, 99) * 1000, 1),
        "F2 throughput (req/s)": round(len(lat) / wall),
    }


async def _me_load(base: str, concurrency: int, total: int) -> tuple[list[float], float]:
    conn = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=conn) as http:
        token = await login(http, base)
        headers = {"Authorization": f"Bearer {token}"}

        async def one() -> None:
            async with http.get(base + "/api/me", headers=headers) as resp:
                assert resp.status == 200, resp.status
                await resp.read()

        await closed_loop(concurrency, 200, one)  # warm-up
        return await closed_loop(concurrency, total, one)
