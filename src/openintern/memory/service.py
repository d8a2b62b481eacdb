"""`MemoryService`: the memory store of one database, with the embedder its vectors come
from, behind one object that the platform builds once (`MemoryService.from_settings`).

It composes the modules that do the work, each of one job:

* `records` — write, read, change, delete memories (`MemoryWrite`, `MemoryPatch`);
* `embedding` — chunks and their vectors, the background finisher and the catch-up;
* `search` (on `search_pool`'s connections) — hybrid search;
* `ingestion` — a document into memory, idempotent per source;
* `core` — the core tier's blocks and limits.

Like the runtime's services, every method that takes ``session`` (a tenant transaction:
RLS on) and ``scope`` (anything with ``org_id`` and ``project_id``) flushes and never
commits. Tools and the CLI open the transaction themselves
(``async with memory.db.tenant(org_id) as session``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields, replace
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from openintern.config import MemorySettings, MinerUSettings, Settings
from openintern.db.engine import libpq_conninfo
from openintern.db.orm import Memory
from openintern.db.orm.memory import EMBEDDING_DIM
from openintern.db.session import Database
from openintern.errors import ConfigError
from openintern.llm import Embedder, create_embedder
from openintern.memory import records
from openintern.memory.embedding import EMBED_WAIT_S, EmbeddingPipeline
from openintern.memory.ingest import Document
from openintern.memory.ingestion import IngestResult, ingest_document
from openintern.memory.records import MemoryPatch, MemoryWrite
from openintern.memory.scope import ScopeLike
from openintern.memory.search import (
    MIN_RELEVANCE,
    RRF_K,
    VECTOR_WEIGHT,
    SearchOptions,
    SearchResult,
    search,
)
from openintern.memory.search_pool import (
    SEARCH_CLOSE_TIMEOUT_S,
    SearchPool,
    default_search_concurrency,
    search_pool,
)
from openintern.schemas.text import storable


class MemoryService:
    """The memory store of one database, with the embedder its vectors come from."""

    ef_search: int = MemorySettings.model_fields["ef_search"].default
    """The HNSW candidate list of a search (`memory.ef_search`)."""

    def __init__(
        self,
        db: Database,
        embedder: Embedder,
        *,
        mineru: MinerUSettings | None = None,
        embed_wait_s: float = EMBED_WAIT_S,
        ef_search: int | None = None,
        rrf_k: int = RRF_K,
        vector_weight: float = VECTOR_WEIGHT,
        min_relevance: float = MIN_RELEVANCE,
        search_concurrency: int | None = None,
        statement_timeout_ms: int = 30_000,
    ) -> None:
        if embedder.dim != EMBEDDING_DIM:
            raise ConfigError(
                f"the embedder {embedder.model!r} makes {embedder.dim}-dim vectors but "
                f"memory_chunks.embedding is vector({EMBEDDING_DIM}); use a {EMBEDDING_DIM}-dim model "
                "(memory.embedding_dim) or migrate the column (docs/memory.md)",
                key="memory.embedding_dim",
            )
        self.db = db
        self.embedding = EmbeddingPipeline(db, embedder, embed_wait_s)
        self.mineru = mineru or MinerUSettings()
        self.ef_search = self.ef_search if ef_search is None else ef_search
        self.rrf_k = rrf_k
        self.vector_weight = vector_weight
        self.min_relevance = min_relevance
        self.search_concurrency = search_concurrency or default_search_concurrency()
        self.statement_timeout_ms = statement_timeout_ms
        self._search_pool: SearchPool | None = None

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
            min_relevance=conf.min_relevance,
            ef_search=conf.ef_search,
            search_concurrency=conf.search_concurrency,
            statement_timeout_ms=settings.database.statement_timeout_ms,
        )

    @property
    def embedder(self) -> Embedder:
        return self.embedding.embedder

    @property
    def embed_wait_s(self) -> float:
        """How long a write waits for its vectors before it finishes them in the background."""
        return self.embedding.wait_s

    @embed_wait_s.setter
    def embed_wait_s(self, value: float) -> None:
        self.embedding.wait_s = value

    @property
    def search_pool(self) -> SearchPool:
        """The connections searches run on (`search_pool.search_pool`), opened on first use."""
        if self._search_pool is None:
            self._search_pool = search_pool(
                libpq_conninfo(self.db.url), self.search_concurrency, self.statement_timeout_ms
            )
        return self._search_pool

    # --- records ---------------------------------------------------------------------

    async def write(self, session: AsyncSession, scope: ScopeLike, data: MemoryWrite) -> Memory:
        """Create a memory and its chunks. Text PostgreSQL cannot store (NUL, lone
        surrogates) is stored as U+FFFD (`schemas.text.storable`)."""
        return await records.write(session, scope, _storable(data), self.embedding)

    async def update(
        self, session: AsyncSession, scope: ScopeLike, memory_id: str, patch: MemoryPatch
    ) -> Memory:
        """Change fields; a new title or content re-chunks (and re-embeds) the memory."""
        return await records.update(session, scope, memory_id, _storable(patch), self.embedding)

    async def delete(self, session: AsyncSession, scope: ScopeLike, memory_id: str) -> None:
        await records.delete(session, scope, memory_id)

    async def get(self, session: AsyncSession, scope: ScopeLike, memory_id: str) -> Memory:
        return await records.get(session, scope, memory_id)

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
        group_id: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> list[Memory]:
        """Newest first (ids are time-ordered); ``cursor`` is the last id of the previous page."""
        return await records.list_memories(
            session, scope, tier=tier, q=q, tags=tags, agent_id=agent_id, session_key=session_key,
            group_id=group_id, limit=limit, cursor=cursor,
        )  # fmt: skip

    async def chunk_counts(
        self, session: AsyncSession, scope: ScopeLike, ids: Sequence[str]
    ) -> dict[str, int]:
        return await records.chunk_counts(session, scope, ids)

    # --- search and ingestion --------------------------------------------------------

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
        """Hybrid search (`search.search`) with this service's embedder and settings (a
        memory only the vector half found is left out below ``min_relevance``): at most
        ``search_concurrency`` at once per process on its own connections, as the tenant
        ``scope.org_id``, unless ``session`` is a transaction in which memories were written
        (then in it, so that it finds them). ``session`` None: the caller has no transaction."""
        options = SearchOptions(
            self.ef_search, self.rrf_k, self.vector_weight, self.embed_wait_s, self.min_relevance
        )
        return await search(
            session,
            scope,
            query,
            embedder=self.embedder,
            pool=self.search_pool,
            options=options,
            tiers=tiers,
            filters=filters,
            top_k=top_k,
            mode=mode,
        )

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
        return await ingest_document(session, scope, doc, self.embedding, tier=tier, source=source, tags=tags)

    # --- background embedding and lifecycle ------------------------------------------

    async def pending_by_org(self) -> dict[str, int]:
        """Chunks to (re-)embed per org: no vector yet, or another model's."""
        return await self.embedding.pending_by_org()

    async def catch_up(self, progress: Callable[[str, int, int], None] | None = None) -> int:
        """Embed every org's pending chunks; ``progress(org_id, done, total)`` after each batch."""
        return await self.embedding.catch_up(progress)

    def start_catch_up(self) -> None:
        """`catch_up` in the background, logging progress every 10 %; failures are logged."""
        self.embedding.start_catch_up()

    async def wait_background(self) -> None:
        """Wait for the background embedding tasks started so far (tests, shutdown)."""
        await self.embedding.wait()

    async def close(self) -> None:
        """Cancel the background tasks and close the search connections (a later search
        opens new ones)."""
        await self.embedding.close()
        pool, self._search_pool = self._search_pool, None
        if pool is not None:
            await pool.close(timeout=SEARCH_CLOSE_TIMEOUT_S)


_Input = TypeVar("_Input", MemoryWrite, MemoryPatch)


def _storable(data: _Input) -> _Input:
    """``data`` with every string field made storable (the same object when none changed)."""
    changes = {
        f.name: new for f in fields(data) if (new := storable(old := getattr(data, f.name))) is not old
    }
    return replace(data, **changes) if changes else data
