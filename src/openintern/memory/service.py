"""Memory: write, read, search and ingest, in the caller's transaction and scope.

Like the runtime's services, every method takes ``session`` (a tenant transaction: RLS on)
and ``scope`` (anything with ``org_id`` and ``project_id``: `memory` may not import
`auth`), flushes and never commits. Tools and the CLI open the transaction themselves
(``async with memory.db.tenant(org_id) as session``).

Embedding never holds a write longer than ``embed_wait_s``: past it, chunks are stored
without vectors (full-text search finds them at once) and a background task stores the
vectors once the embedder answers and the write has committed.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Protocol

import orjson
from sqlalchemy import Select, delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.config import MemorySettings, MinerUSettings, Settings
from openintern.db.engine import libpq_conninfo
from openintern.db.orm import Memory, MemoryChunk
from openintern.db.orm.memory import EMBEDDING_DIM
from openintern.db.session import Database
from openintern.errors import ConfigError, Forbidden, NotFound, ValidationFailed, field_error
from openintern.llm import Embedder, LocalHashEmbedder, create_embedder
from openintern.memory import store
from openintern.memory.chunking import chunk_text
from openintern.memory.cjk import text_queries, tokenize_for_index
from openintern.memory.ingest import Document
from openintern.memory.search import RRF_K, VECTOR_WEIGHT, Hit, Snippets
from openintern.schemas.ids import new_id
from openintern.schemas.text import storable

log = logging.getLogger(__name__)

EMBED_WAIT_S = 2.0
"""A write waits this long for its vectors, then finishes them in the background."""

FINISH_TIMEOUT_S = 120.0
"""How long the background finisher waits for the write to commit before giving up."""

CANDIDATES = 25
"""Rows taken from the full-text half of hybrid search before fusion (at least top_k)."""

VECTOR_CANDIDATES = 15
"""Rows taken from the vector half (at least top_k). Fewer than the text half's: past the
15th, a chunk's vector rank adds at most 0.7 / 26 to its memory's fused score, and each row
costs the walk a heap fetch of it and of the other orgs' candidates around it; at bench M2
25 -> 15 rows was ~0.2 ms of ~1.1 per walk, with M1 (hybrid recall@10 0.997) unchanged."""

INLINE_EMBED_MAX_CHARS = 500
"""A query up to this long is embedded on the event loop when the embedder is local."""

CORE_BLOCK_MAX_CHARS = 2_000
"""One core memory: it is in every prompt of the agent, so it must stay small."""

CORE_TOTAL_MAX_CHARS = 8_000
"""All core memories an agent sees, together."""

TIERS = ("core", "episodic", "archival")
WRITABLE_FIELDS = ("title", "content", "tags", "importance", "group_id", "agent_id", "session_key", "tier")

_WROTE = "openintern.memory.wrote"
"""session.info key: the transaction in which this service wrote memories (see `search`)."""


def default_search_concurrency() -> int:
    """Search statements a process runs at once when not configured: two per core and one
    more, so that the cores stay busy while the process handles finished searches and
    sends the next ones. On the 2-core bench machine, once a search cost ~3 ms of database
    CPU, 5 served 9 – 11 % more searches a second than 3, and 6 no more than 5
    (bench/RESULTS.md, M2 "Sixth session")."""
    return 2 * (os.cpu_count() or 1) + 1


class ScopeLike(Protocol):
    """What memory needs of a scope: the org and (maybe) the project it acts in."""

    @property
    def org_id(self) -> str: ...

    @property
    def project_id(self) -> str | None: ...


@dataclass(frozen=True)
class PlainScope:
    """A scope from plain ids (the agent loop, the CLI, tools)."""

    org_id: str
    project_id: str | None = None


@dataclass(frozen=True, slots=True)
class MemoryRef:
    """A memory as search returns it: its columns but the content (search returns a
    snippet; `MemoryService.get` reads the whole memory). Read-only, not in the session."""

    id: str
    org_id: str
    project_id: str | None
    tier: str
    title: str
    tags: list[str]
    meta: dict[str, Any]
    importance: float
    source: str | None
    content_hash: str | None
    group_id: str | None
    agent_id: str | None
    session_key: str | None
    run_id: str | None
    created_at: datetime
    updated_at: datetime


@dataclass
class SearchResult:
    memory: MemoryRef
    snippet: str
    hit: Hit

    @property
    def scores(self) -> dict[str, float | None]:
        return {"vector": self.hit.vector, "text": self.hit.text, "rrf": round(self.hit.rrf, 6)}


@dataclass
class IngestResult:
    memory_id: str
    status: str  # created | unchanged | replaced
    chunks: int


@dataclass
class MemoryService:
    """The memory store of one database, with the embedder its vectors come from."""

    db: Database
    embedder: Embedder
    mineru: MinerUSettings = field(default_factory=MinerUSettings)
    embed_wait_s: float = EMBED_WAIT_S
    ef_search: int = MemorySettings.model_fields["ef_search"].default
    rrf_k: int = RRF_K
    vector_weight: float = VECTOR_WEIGHT
    search_concurrency: int = field(default_factory=default_search_concurrency)
    statement_timeout_ms: int = 30_000
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set, repr=False)
    _search_connections: store.SearchConnections | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.embedder.dim != EMBEDDING_DIM:
            raise ConfigError(
                f"the embedder {self.embedder.model!r} makes {self.embedder.dim}-dim vectors but "
                f"memory_chunks.embedding is vector({EMBEDDING_DIM}); use a {EMBEDDING_DIM}-dim model "
                "(memory.embedding_dim) or migrate the column (docs/memory.md)",
                key="memory.embedding_dim",
            )

    @staticmethod
    def embedder_from_settings(settings: Settings) -> Embedder:
        conf = settings.memory
        return create_embedder(
            conf.embedder,
            model=None if conf.embedder == "local" else conf.embedding_model,
            dim=conf.embedding_dim,
            base_url=conf.embedding_base_url,
            api_key=conf.embedding_api_key.get_secret_value() if conf.embedding_api_key else None,
        )

    @classmethod
    def from_settings(cls, db: Database, settings: Settings) -> MemoryService:
        conf = settings.memory
        return cls(
            db,
            cls.embedder_from_settings(settings),
            mineru=settings.mineru,
            rrf_k=conf.rrf_k,
            vector_weight=conf.vector_weight,
            ef_search=conf.ef_search,
            search_concurrency=conf.search_concurrency or default_search_concurrency(),
            statement_timeout_ms=settings.database.statement_timeout_ms,
        )

    @property
    def search_connections(self) -> store.SearchConnections:
        """The connections searches run on (`store.SearchConnections`), made on first use."""
        if self._search_connections is None:
            self._search_connections = store.SearchConnections(
                libpq_conninfo(self.db.url), self.search_concurrency, self.statement_timeout_ms
            )
        return self._search_connections

    # --- writing ---------------------------------------------------------------------

    async def write(self, session: AsyncSession, scope: ScopeLike, data: dict[str, Any]) -> Memory:
        """Create a memory and its chunks. ``data`` holds MemoryCreate's fields (plus
        ``source``, ``content_hash``, ``run_id``, ``fmt`` for ingestion and the agent loop).
        Text PostgreSQL cannot store (NUL, lone surrogates) is stored as U+FFFD."""
        data = storable(data)
        tier = data.get("tier") or "archival"
        _check_tier(tier)
        _check_core(tier, data["content"])
        _wrote(session)
        row = Memory(
            id=new_id("mem"),
            org_id=scope.org_id,
            project_id=data.get("project_id") or scope.project_id,
            tier=tier,
            title=data["title"],
            content=data["content"],
            tags=list(data.get("tags") or []),
            meta=dict(data.get("metadata") or {}),
            importance=data.get("importance") if data.get("importance") is not None else 0.5,
            source=data.get("source"),
            content_hash=data.get("content_hash") or content_hash(data["content"]),
            group_id=data.get("group_id"),
            agent_id=data.get("agent_id"),
            session_key=data.get("session_key"),
            run_id=data.get("run_id"),
        )
        if tier == "core":
            await self._check_core_total(session, scope, row.agent_id, extra=len(row.content))
        session.add(row)
        await session.flush()
        await self._write_chunks(session, row, data.get("fmt", "markdown"))
        await session.refresh(row)
        return row

    async def update(
        self, session: AsyncSession, scope: ScopeLike, memory_id: str, patch: dict[str, Any]
    ) -> Memory:
        """Change fields; a new title or content re-chunks (and re-embeds) the memory."""
        patch = storable(patch)
        row = await self.get(session, scope, memory_id)
        _wrote(session)
        old_tier, old_text = row.tier, (row.title, row.content)
        for key in WRITABLE_FIELDS:
            if patch.get(key) is not None:
                setattr(row, key, patch[key])
        if patch.get("metadata") is not None:
            row.meta = dict(patch["metadata"])
        _check_tier(row.tier)
        _check_core(row.tier, row.content)
        if row.tier == "core" and (old_tier != "core" or old_text[1] != row.content):
            extra = len(row.content) - (len(old_text[1]) if old_tier == "core" else 0)
            await self._check_core_total(session, scope, row.agent_id, extra=extra)
        row.updated_at = datetime.now(timezone.utc)
        if (row.title, row.content) != old_text:
            row.content_hash = content_hash(row.content)
            await session.execute(delete(MemoryChunk).where(MemoryChunk.memory_id == row.id))
            await session.flush()
            await self._write_chunks(session, row, "markdown")
        elif row.tier != old_tier:
            await session.execute(
                store.RETIER_CHUNKS, {"tier": row.tier, "org_id": row.org_id, "memory_id": row.id}
            )
        await session.flush()
        await session.refresh(row)
        return row

    async def delete(self, session: AsyncSession, scope: ScopeLike, memory_id: str) -> None:
        """Delete a memory; its chunks go with it (ON DELETE CASCADE)."""
        row = await self.get(session, scope, memory_id)
        _wrote(session)
        await session.delete(row)
        await session.flush()

    async def _write_chunks(self, session: AsyncSession, row: Memory, fmt: str) -> int:
        chunks = chunk_text(row.content, fmt="text" if fmt == "text" else "markdown")
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
                # The title is searchable through the first chunk.
                "tokens": tokenize_for_index(f"{row.title}\n{t}" if i == 0 else t),
                "embedding": store.vector_literal(vectors[i]) if vectors else None,
                "embedding_model": self.embedder.model if vectors else None,
                "embedding_dim": self.embedder.dim if vectors else None,
            }
            for i, t in enumerate(texts)
        ]
        await session.execute(store.INSERT_CHUNKS, {"chunks": orjson.dumps(payload).decode()})
        if vectors is None:
            self._spawn(self._finish_embeddings(row.org_id, row.id, texts, pending))
        return len(texts)

    async def _embed_bounded(
        self, texts: list[str]
    ) -> tuple[list[list[float]] | None, asyncio.Future[list[list[float]]] | None]:
        """Vectors if the embedder answers within ``embed_wait_s``; else ``(None, the running call)``."""
        call = asyncio.ensure_future(self.embedder.embed(texts))
        try:
            return await asyncio.wait_for(asyncio.shield(call), timeout=self.embed_wait_s), None
        except TimeoutError:
            log.info(
                "embedding %d chunks takes over %.1fs: stored for full-text search, vectors follow",
                len(texts),
                self.embed_wait_s,
            )
            return None, call
        except Exception as exc:  # the embedder is down: full-text still works, retry later
            log.warning("embedding %d chunks failed (%s); retrying in the background", len(texts), exc)
            return None, None

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _finish_embeddings(
        self,
        org_id: str,
        memory_id: str,
        texts: list[str],
        pending: asyncio.Future[list[list[float]]] | None,
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
            loop = asyncio.get_running_loop()
            deadline = loop.time() + FINISH_TIMEOUT_S
            while loop.time() < deadline:
                async with self.db.tenant(org_id) as session:
                    result = await session.execute(store.SET_CHUNK_EMBEDDINGS, params)
                if getattr(result, "rowcount", 0):
                    return
                await asyncio.sleep(0.2)  # the write has not committed yet (or was rolled back)
            log.info(
                "memory %s: no chunks to embed after %.0fs (deleted or rolled back)",
                memory_id,
                FINISH_TIMEOUT_S,
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("memory %s: background embedding failed; `embed_pending` repairs it", memory_id)

    async def _embed_with_retries(self, texts: list[str], attempts: int = 3) -> list[list[float]]:
        for attempt in range(attempts):
            try:
                return await self.embedder.embed(texts)
            except Exception:
                if attempt == attempts - 1:
                    raise
                await asyncio.sleep(2.0 * (attempt + 1))
        raise AssertionError("unreachable")

    async def embed_pending(
        self, org_id: str, batch: int = 256, progress: Callable[[int], None] | None = None
    ) -> int:
        """Embed an org's chunks that have no vector, or another model's; returns how many."""
        done = 0
        while True:
            async with self.db.tenant(org_id) as session:
                rows = (
                    await session.execute(
                        store.PENDING_EMBEDDINGS, {"org_id": org_id, "model": self.embedder.model, "n": batch}
                    )
                ).all()
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

        self._spawn(run())

    async def wait_background(self) -> None:
        """Wait for the background embedding tasks started so far (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._search_connections is not None:
            await self._search_connections.close()

    # --- reading ---------------------------------------------------------------------

    def _scoped(self, query: Select[Any], scope: ScopeLike) -> Select[Any]:
        query = query.where(Memory.org_id == scope.org_id)
        if scope.project_id is not None:
            query = query.where((Memory.project_id == scope.project_id) | Memory.project_id.is_(None))
        return query

    async def get(self, session: AsyncSession, scope: ScopeLike, memory_id: str) -> Memory:
        query = self._scoped(select(Memory).where(Memory.id == memory_id), scope)
        row: Memory | None = (await session.execute(query)).scalar_one_or_none()
        if row is None:
            raise NotFound("memory", memory_id)
        return row

    async def list_memories(
        self,
        session: AsyncSession,
        scope: ScopeLike,
        *,
        tier: str | None = None,
        q: str | None = None,
        tags: Sequence[str] | None = None,
        agent_id: str | None = None,
        session_key: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> list[Memory]:
        """Newest first (ids are time-ordered); ``cursor`` is the last id of the previous page."""
        query = self._scoped(select(Memory), scope)
        if tier:
            query = query.where(Memory.tier == tier)
        if q:
            like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(Memory.title.ilike(like) | Memory.content.ilike(like))
        if tags:
            query = query.where(Memory.tags.overlap(list(tags)))
        if agent_id:
            query = query.where(Memory.agent_id == agent_id)
        if session_key:
            query = query.where(Memory.session_key == session_key)
        if cursor:
            query = query.where(Memory.id < cursor)
        return list((await session.execute(query.order_by(Memory.id.desc()).limit(limit))).scalars())

    async def chunk_counts(
        self, session: AsyncSession, scope: ScopeLike, ids: Sequence[str]
    ) -> dict[str, int]:
        if not ids:
            return {}
        rows = await session.execute(store.CHUNK_COUNTS, {"org_id": scope.org_id, "ids": list(ids)})
        return {m: int(n) for m, n in rows.all()}

    async def search(
        self,
        session: AsyncSession | None,
        scope: ScopeLike,
        query: str,
        *,
        tiers: Sequence[str] | None = None,
        filters: dict[str, Any] | None = None,
        top_k: int = 10,
        mode: str = "hybrid",
    ) -> list[SearchResult]:
        """Hybrid search: vector top-N ∪ full-text top-N, fused by reciprocal rank per memory.

        ``mode`` ``vector`` or ``text`` runs one half only (for evaluation).

        The statement runs on one of the service's search connections (at most
        ``search_concurrency`` at once per process; more searches wait in Python), as the
        tenant ``scope.org_id``, unless ``session`` is a transaction in which this service
        wrote memories: then in that transaction, so that it finds them before they are
        committed. ``session`` None: the caller has no transaction (the agent's recall)."""
        filters = dict(filters or {})
        only = filters.get("project_id")
        if only and scope.project_id and only != scope.project_id:
            raise Forbidden(f"project {only!r} is not the project you act in")
        wanted = set(tiers or TIERS)
        known = tuple(t for t in TIERS if t in wanted)
        if not known:  # only unknown tiers: nothing is in them
            return []
        params = store.filter_params(scope.org_id, scope.project_id, list(known), filters)
        qvec = await self._query_vector(query) if mode != "text" else None
        tqueries = text_queries(query) if mode != "vector" else []
        if qvec is None and not tqueries:
            return []
        n, n_vector = max(CANDIDATES, top_k), max(VECTOR_CANDIDATES, top_k)  # rows per half
        args = store.SearchArgs(
            params,
            known,
            qvec,
            tqueries,
            n=n,
            top_k=top_k,
            rrf_k=self.rrf_k,
            vector_weight=self.vector_weight,
            ef_search=max(self.ef_search, n_vector),  # a candidate list shorter than the rows asked for
            model=self.embedder.model,
            n_vector=n_vector,
        )
        if session is not None and _wrote_in(session):
            rows = await store.search(session, args)
        else:
            rows = await store.search_on(self.search_connections, args)
        cut = Snippets(query)
        return [
            SearchResult(
                MemoryRef(
                    id=r.memory_id,
                    org_id=r.org_id,
                    project_id=r.project_id,
                    tier=r.tier,
                    title=r.title,
                    tags=r.tags,
                    meta=r.metadata,
                    importance=r.importance,
                    source=r.source,
                    content_hash=r.content_hash,
                    group_id=r.group_id,
                    agent_id=r.agent_id,
                    session_key=r.session_key,
                    run_id=r.run_id,
                    created_at=r.created_at,
                    updated_at=r.updated_at,
                ),
                cut(r.text or ""),
                Hit(
                    r.memory_id,
                    rrf=r.rrf,
                    vector=None if r.vector_score is None else round(r.vector_score, 6),
                    text=None if r.text_score is None else round(r.text_score, 6),
                    chunk_id=r.vector_chunk,
                    text_chunk_id=r.text_chunk,
                    matched=[
                        h for h, s in (("vector", r.vector_score), ("text", r.text_score)) if s is not None
                    ],
                ),
            )
            for r in rows
        ]

    async def _query_vector(self, query: str) -> list[float] | None:
        """The query's vector; None when there is none (the embedder failed, or an all-zero
        vector, which has no direction): the search is then full-text only."""
        try:
            if type(self.embedder) is LocalHashEmbedder and len(query) <= INLINE_EMBED_MAX_CHARS:
                # The local embedder (no I/O) hashes a short query in ~50 µs: less than the
                # hop to a worker thread that its `embed` takes for long batches.
                vectors = self.embedder.embed_sync([query])
            else:
                vectors = await asyncio.wait_for(
                    self.embedder.embed([query]), timeout=max(self.embed_wait_s, 5.0)
                )
        except Exception as exc:  # the embedder is slow or down: search full-text only
            log.warning("query embedding failed (%s); searching full-text only", exc or "timeout")
            return None
        return vectors[0] if any(vectors[0]) else None

    # --- ingestion -------------------------------------------------------------------

    async def ingest_document(
        self,
        session: AsyncSession,
        scope: ScopeLike,
        doc: Document,
        *,
        tier: str = "archival",
        source: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> IngestResult:
        """Idempotent by source and content hash: unchanged → nothing; changed → new chunks."""
        source = source or str(doc.source_path)
        query = select(Memory).where(Memory.org_id == scope.org_id, Memory.source == source)
        query = query.where(
            Memory.project_id == scope.project_id if scope.project_id else Memory.project_id.is_(None)
        )
        existing = (await session.execute(query.with_for_update())).scalar_one_or_none()
        if existing is not None and existing.content_hash == doc.content_hash:
            count = (await self.chunk_counts(session, scope, [existing.id])).get(existing.id, 0)
            return IngestResult(existing.id, "unchanged", count)
        if existing is not None:
            _wrote(session)
            existing.content, existing.title, existing.content_hash = doc.text, doc.title, doc.content_hash
            existing.updated_at = datetime.now(timezone.utc)
            await session.execute(delete(MemoryChunk).where(MemoryChunk.memory_id == existing.id))
            await session.flush()
            count = await self._write_chunks(session, existing, doc.fmt)
            return IngestResult(existing.id, "replaced", count)
        data = {
            "tier": tier,
            "title": doc.title[:500],
            "content": doc.text,
            "source": source,
            "content_hash": doc.content_hash,
            "fmt": doc.fmt,
            "tags": list(tags or []),
            "metadata": {"pages": len(doc.pages)} if doc.pages else {},
        }
        row = await self.write(session, scope, data)
        count = (await self.chunk_counts(session, scope, [row.id])).get(row.id, 0)
        return IngestResult(row.id, "created", count)

    # --- core memory -----------------------------------------------------------------

    async def _check_core_total(
        self, session: AsyncSession, scope: ScopeLike, agent_id: str | None, *, extra: int
    ) -> None:
        query = self._scoped(select(func.coalesce(func.sum(func.length(Memory.content)), 0)), scope)
        query = query.where(Memory.tier == "core")
        if agent_id is not None:
            query = query.where((Memory.agent_id == agent_id) | Memory.agent_id.is_(None))
        total = int(await session.scalar(query) or 0) + extra
        if total > CORE_TOTAL_MAX_CHARS:
            raise ValidationFailed(
                f"core memory holds at most {CORE_TOTAL_MAX_CHARS} characters in all (it is in every "
                f"prompt); this would make {total}: shorten or delete a core block, or use archival",
                errors=[field_error(["body", "content"], "core memory is full", "core_memory_full")],
            )


# Core blocks of whole orgs in one statement: a worker reads them for every org of a claim
# batch at once (runtime/startup.py), and each run picks its own with `render_core`.
_CORE_ROWS = text(
    """
    SELECT org_id, project_id, agent_id, title, content FROM memories
     WHERE org_id = ANY(:org_ids) AND tier = 'core'
     ORDER BY id
    """
)


@dataclass(frozen=True)
class CoreRow:
    org_id: str
    project_id: str | None
    agent_id: str | None
    title: str
    content: str


async def core_rows(session: AsyncSession, org_ids: Sequence[str]) -> list[CoreRow]:
    """Every core memory of these orgs, oldest first (the tier is small: every block is in
    a prompt, so writes keep each agent's blocks under CORE_TOTAL_MAX_CHARS)."""
    rows = await session.execute(_CORE_ROWS, {"org_ids": list(org_ids)})
    return [CoreRow(*r) for r in rows.all()]


def render_core(rows: Sequence[CoreRow], scope: ScopeLike, agent_id: str | None = None) -> str:
    """The core tier of ``scope`` rendered for a system prompt: ``## Core memory`` then one
    block per memory (oldest first). The scope's project's blocks and org-wide ones (all
    projects' when the scope has none); the agent's and agent-less ones (all agents' when
    ``agent_id`` is None). Empty string when there are none. Bounded by the write-time
    limits (CORE_BLOCK_MAX_CHARS each, CORE_TOTAL_MAX_CHARS in all); cut defensively."""
    project = scope.project_id
    mine = [
        r
        for r in rows
        if r.org_id == scope.org_id
        and (project is None or r.project_id in (None, project))
        and (agent_id is None or r.agent_id in (None, agent_id))
    ][:200]
    if not mine:
        return ""
    blocks = [f"### {r.title}\n{r.content[:CORE_BLOCK_MAX_CHARS]}" for r in mine]
    return ("## Core memory\n\n" + "\n\n".join(blocks))[: CORE_TOTAL_MAX_CHARS + 1_000]


async def core_blocks(session: AsyncSession, scope: ScopeLike, agent_id: str | None = None) -> str:
    """`render_core` of the scope's org, read now."""
    return render_core(await core_rows(session, [scope.org_id]), scope, agent_id)


def _wrote(session: AsyncSession) -> None:
    """Note that this transaction writes memories (a search in it must see them)."""
    session.info[_WROTE] = session.sync_session.get_transaction()


def _wrote_in(session: AsyncSession) -> bool:
    transaction = session.sync_session.get_transaction()
    return transaction is not None and session.info.get(_WROTE) is transaction


def _check_tier(tier: str) -> None:
    if tier not in TIERS:
        raise ValidationFailed(
            f"unknown memory tier {tier!r}; use one of {', '.join(TIERS)}",
            errors=[field_error(["body", "tier"], "unknown tier", "memory_tier")],
        )


def _check_core(tier: str, content: str) -> None:
    if tier == "core" and len(content) > CORE_BLOCK_MAX_CHARS:
        raise ValidationFailed(
            f"a core memory block holds at most {CORE_BLOCK_MAX_CHARS} characters (it is in every "
            f"prompt); this one has {len(content)}: shorten it or store it as archival",
            errors=[field_error(["body", "content"], "too long for a core block", "core_block_too_long")],
        )


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
