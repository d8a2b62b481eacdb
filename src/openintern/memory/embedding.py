"""The embedding pipeline: a memory's chunks written with their vectors, or without them
and finished in the background; and the catch-up that (re-)embeds what has no vector of
the configured model.

A write never waits longer than ``wait_s`` for its vectors: past it (or when the embedder
fails) the chunks are stored without vectors, which full-text search finds at once, and a
background task stores the vectors once the embedder answers and the write has committed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.db.orm import Memory
from openintern.db.session import Database
from openintern.llm import Embedder
from openintern.memory import store
from openintern.memory.chunking import ChunkFormat, chunk_text
from openintern.memory.cjk import tokenize_for_index

log = logging.getLogger(__name__)

EMBED_WAIT_S = 2.0
"""A write waits this long for its vectors, then finishes them in the background."""

FINISH_TIMEOUT_S = 120.0
"""How long the background finisher waits for the write to commit before giving up."""

EMBED_ATTEMPTS = 3
"""Tries of a background embedding whose inline call failed (2 s, then 4 s apart)."""

Vectors = list[list[float]]


@dataclass
class EmbeddingPipeline:
    """Chunks and vectors of one database's memories, from one embedder; owns the
    background tasks it starts (`wait`, `close`)."""

    db: Database
    embedder: Embedder
    wait_s: float = EMBED_WAIT_S
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set, repr=False)

    async def write_chunks(self, session: AsyncSession, row: Memory, fmt: ChunkFormat) -> int:
        """Chunk ``row`` (flushed, without chunks) and insert its chunks; returns how many.
        The title is searchable through the first chunk."""
        chunks = chunk_text(row.content, fmt=fmt)
        texts = [c.text for c in chunks] or [row.title]
        vectors, pending = await self._embed_bounded(texts)
        payload = [
            {
                "memory_id": row.id,
                "org_id": row.org_id,
                "project_id": row.project_id,
                "tier": row.tier,
                "position": i,
                "text": t,
                "tokens": tokenize_for_index(f"{row.title}\n{t}" if i == 0 else t),
                "embedding": store.vector_literal(vectors[i]) if vectors else None,
                "embedding_model": self.embedder.model if vectors else None,
                "embedding_dim": self.embedder.dim if vectors else None,
            }
            for i, t in enumerate(texts)
        ]
        await session.execute(store.INSERT_CHUNKS, {"chunks": orjson.dumps(payload).decode()})
        if vectors is None:
            self.spawn(self._finish(row.org_id, row.id, texts, pending))
        return len(texts)

    async def _embed_bounded(self, texts: list[str]) -> tuple[Vectors | None, asyncio.Future[Vectors] | None]:
        """Vectors if the embedder answers within ``wait_s``; else ``(None, the running call)``."""
        call = asyncio.ensure_future(self.embedder.embed(texts))
        try:
            return await asyncio.wait_for(asyncio.shield(call), timeout=self.wait_s), None
        except TimeoutError:
            log.info(
                "embedding %d chunks takes over %.1fs: stored for full-text search, vectors follow",
                len(texts),
                self.wait_s,
            )
            return None, call
        except Exception as exc:  # the embedder is down: full-text still works, retry later
            log.warning("embedding %d chunks failed (%s); retrying in the background", len(texts), exc)
            return None, None

    def spawn(self, coro: Awaitable[Any]) -> None:
        """Run ``coro`` in the background, kept until it ends (`wait`, `close`)."""
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _finish(
        self, org_id: str, memory_id: str, texts: list[str], pending: asyncio.Future[Vectors] | None
    ) -> None:
        """Store the vectors of a write that did not wait for them (once it has committed)."""
        try:
            vectors = await pending if pending is not None else await self._embed_with_retries(texts)
            rows = [
                {"position": i, "text": t, "embedding": store.vector_literal(v)}
                for i, (t, v) in enumerate(zip(texts, vectors, strict=True))
            ]
            params = {
                "rows": orjson.dumps(rows).decode(),
                "model": self.embedder.model,
                "dim": self.embedder.dim,
                "org_id": org_id,
                "memory_id": memory_id,
            }
            if not await self._set_when_committed(org_id, params):
                log.info(
                    "memory %s: no chunks to embed after %.0fs (deleted or rolled back)",
                    memory_id,
                    FINISH_TIMEOUT_S,
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("memory %s: background embedding failed; `embed_pending` repairs it", memory_id)

    async def _set_when_committed(self, org_id: str, params: dict[str, Any]) -> bool:
        """Set the vectors once the chunks are visible (the write committed); False when
        they never were within `FINISH_TIMEOUT_S`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FINISH_TIMEOUT_S
        while loop.time() < deadline:
            async with self.db.tenant(org_id) as session:
                result = await session.execute(store.SET_CHUNK_EMBEDDINGS, params)
            if getattr(result, "rowcount", 0):
                return True
            await asyncio.sleep(0.2)  # the write has not committed yet (or was rolled back)
        return False

    async def _embed_with_retries(self, texts: list[str]) -> Vectors:
        for attempt in range(EMBED_ATTEMPTS):
            try:
                return await self.embedder.embed(texts)
            except Exception:
                if attempt == EMBED_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(2.0 * (attempt + 1))
        raise AssertionError("unreachable")

    # --- catch-up ------------------------------------------------------------------------

    async def embed_pending(
        self, org_id: str, batch: int = 256, progress: Callable[[int], None] | None = None
    ) -> int:
        """Embed an org's chunks that have no vector, or another model's; returns how many."""
        done = 0
        while True:
            async with self.db.tenant(org_id) as session:
                params = {"org_id": org_id, "model": self.embedder.model, "n": batch}
                rows = (await session.execute(store.PENDING_EMBEDDINGS, params)).all()
                if not rows:
                    return done
                vectors = await self.embedder.embed([r.text for r in rows])
                payload = [
                    {"id": r.id, "embedding": store.vector_literal(v)}
                    for r, v in zip(rows, vectors, strict=True)
                ]
                await session.execute(
                    store.SET_EMBEDDINGS_BY_ID,
                    {
                        "rows": orjson.dumps(payload).decode(),
                        "model": self.embedder.model,
                        "dim": self.embedder.dim,
                        "org_id": org_id,
                    },
                )
            done += len(rows)
            if progress:
                progress(done)
            if len(rows) < batch:
                return done

    async def pending_by_org(self) -> dict[str, int]:
        """Chunks to (re-)embed per org: no vector yet, or another model's."""
        async with self.db.system() as session:
            rows = await session.execute(store.PENDING_BY_ORG, {"model": self.embedder.model})
            return {str(org): int(n) for org, n in rows.all()}

    async def catch_up(self, progress: Callable[[str, int, int], None] | None = None) -> int:
        """Embed every org's pending chunks (after a model change, or writes whose vectors
        were lost); ``progress(org_id, done, total)`` after each batch. Returns how many."""
        done_all = 0
        for org_id, total in (await self.pending_by_org()).items():
            log.info("memory: embedding %d chunks of org %s with %s", total, org_id, self.embedder.model)

            def step(done: int, org_id: str = org_id, total: int = total) -> None:
                if progress is not None:
                    progress(org_id, done, total)

            done_all += await self.embed_pending(org_id, progress=step)
        return done_all

    def start_catch_up(self) -> None:
        """`catch_up` in the background, logging progress every 10 %; failures are logged."""
        reported: dict[str, int] = {}

        def log_progress(org_id: str, done: int, total: int) -> None:
            decile = min(done, total) * 10 // max(total, 1)
            if total >= 1_000 and decile > reported.get(org_id, 0):
                reported[org_id] = decile
                log.info("memory: org %s %d/%d chunks embedded", org_id, min(done, total), total)

        async def run() -> None:
            try:
                if n := await self.catch_up(log_progress):
                    log.info("memory: embedding caught up (%d chunks)", n)
            except Exception:
                log.exception("memory: background embedding catch-up failed; it runs again on the next start")

        self.spawn(run())

    async def wait(self) -> None:
        """Wait for the background tasks started so far (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Cancel the background tasks and wait for them to end."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
