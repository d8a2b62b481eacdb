"""Memory: CRUD, hybrid search, ingestion (file upload; PDFs by URL through MinerU)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status

from openintern.api.deps import PlatformDep, ScopeDep, SessionDep, StreamScopeDep
from openintern.db.orm import Memory as MemoryRow
from openintern.errors import ValidationFailed
from openintern.memory import MemoryPatch, MemoryService, MemoryWrite, SearchResult
from openintern.memory.ingest import SUPPORTED_EXTENSIONS, aload_document
from openintern.schemas import memory as m
from openintern.schemas.base import Cursor, Limit
from openintern.schemas.responses import Page

router = APIRouter(prefix="/api/memory", tags=["memory"])

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
"""Per uploaded file; bigger documents go through the CLI (`openintern memory ingest`)."""

MAX_UPLOAD_FILES = 50
_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")


def _memory(platform: Any) -> MemoryService:
    service: MemoryService = platform.services.memory
    return service


def memory_view(row: MemoryRow, chunks: int) -> m.Memory:
    return m.Memory(
        id=row.id,
        tier=row.tier,  # type: ignore[arg-type]
        title=row.title,
        content=row.content,
        tags=list(row.tags or []),
        metadata=dict(row.meta or {}),
        importance=row.importance,
        source=row.source,
        group_id=row.group_id,
        agent_id=row.agent_id,
        session_key=row.session_key,
        project_id=row.project_id,
        run_id=row.run_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        chunks=chunks,
    )


def result_view(r: SearchResult) -> m.MemorySearchResult:
    scores = r.scores
    return m.MemorySearchResult(
        memory_id=r.memory.id,
        title=r.memory.title,
        tier=r.memory.tier,  # type: ignore[arg-type]
        snippet=r.snippet,
        score=scores["rrf"] or 0.0,
        scores=m.MemoryScores(**scores),
        tags=list(r.memory.tags or []),
        created_at=r.memory.created_at,
    )


async def _view(memory: MemoryService, session: Any, scope: Any, row: MemoryRow) -> m.Memory:
    counts = await memory.chunk_counts(session, scope, [row.id])
    return memory_view(row, counts.get(row.id, 0))


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_memory(
    body: m.MemoryCreate, scope: ScopeDep, session: SessionDep, platform: PlatformDep
) -> m.Memory:
    scope.require("member", "write memories")
    memory = _memory(platform)
    data = MemoryWrite(
        tier=body.tier, title=body.title, content=body.content, tags=body.tags or (),
        metadata=body.metadata or {}, importance=body.importance, group_id=body.group_id,
        agent_id=body.agent_id, session_key=body.session_key,
    )  # fmt: skip
    row = await memory.write(session, scope, data)
    return await _view(memory, session, scope, row)


@router.get("")
async def list_memories(
    scope: ScopeDep,
    session: SessionDep,
    platform: PlatformDep,
    tier: m.Tier | None = None,
    q: Annotated[
        str | None, Query(max_length=500, pattern=m.NO_NUL, description="Title or content contains.")
    ] = None,
    tag: Annotated[list[str] | None, Query(max_length=50, description="Carries any of these tags.")] = None,
    agent_id: Annotated[str | None, Query(max_length=100, pattern=m.NO_NUL)] = None,
    session_key: Annotated[str | None, Query(max_length=200, pattern=m.NO_NUL)] = None,
    limit: Limit = 50,
    cursor: Cursor | None = None,
) -> Page[m.Memory]:
    if tag and any("\x00" in t or len(t) > 100 for t in tag):
        raise ValidationFailed("a tag is at most 100 characters, without NUL")
    memory = _memory(platform)
    rows = await memory.list_memories(
        session, scope, tier=tier, q=q, tags=tag, agent_id=agent_id, session_key=session_key,
        limit=limit, cursor=cursor,
    )  # fmt: skip
    counts = await memory.chunk_counts(session, scope, [r.id for r in rows])
    return Page(
        items=[memory_view(r, counts.get(r.id, 0)) for r in rows],
        next_cursor=rows[-1].id if len(rows) == limit else None,
    )


@router.post("/search")
async def search_memory(
    body: m.MemorySearch, scope: StreamScopeDep, platform: PlatformDep
) -> m.MemorySearchResponse:
    """Hybrid search: vector and full-text (CJK-aware) top-N, fused by reciprocal rank."""
    filters: dict[str, Any] = body.filters.model_dump(exclude_none=True) if body.filters else {}
    filters["after"] = filters.pop("created_after", None)
    filters["before"] = filters.pop("created_before", None)
    # No unit of work: the search runs on memory's own connections, as the tenant
    # scope.org_id (docs/memory.md, "Where it runs"); a tenant transaction around it cost
    # a round trip and held a pooled connection idle for the whole search.
    results = await _memory(platform).search(
        None, scope, body.query, tiers=body.tiers, filters=filters, top_k=body.top_k, mode=body.mode
    )
    return m.MemorySearchResponse(results=[result_view(r) for r in results])


@router.post("/ingest")
async def ingest_files(
    scope: ScopeDep,
    session: SessionDep,
    platform: PlatformDep,
    files: Annotated[list[UploadFile], File(description="Markdown, text, reStructuredText or PDF files.")],
    tier: Annotated[m.Tier, Form()] = "archival",
    source: Annotated[
        list[str] | None,
        Form(
            description="One per file, in order: what the file is idempotent by (its path, as "
            "`openintern memory ingest` sends it). Default `upload:<file name>`."
        ),
    ] = None,
) -> m.IngestResponse:
    """Upload documents into memory. Idempotent per source (the file name unless `source`
    says otherwise): an unchanged file is ``unchanged``, a changed one ``replaced`` (new
    chunks), a new one ``created``. PDFs use the local extractor (for MinerU, see
    ``POST /api/memory/mineru``)."""
    scope.require("member", "ingest documents")
    if len(files) > MAX_UPLOAD_FILES:
        raise ValidationFailed(f"at most {MAX_UPLOAD_FILES} files per request, got {len(files)}")
    sources = _sources(source, len(files))
    memory = _memory(platform)
    items: list[m.IngestItem] = []
    for upload, given in zip(files, sources, strict=True):
        name = _safe_name(upload.filename)
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise ValidationFailed(f"{name}: larger than {MAX_UPLOAD_BYTES // 2**20} MiB", file=name)
        with tempfile.TemporaryDirectory(prefix="oi-ingest-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            try:
                doc = await aload_document(path)
            except ValidationFailed as exc:
                raise ValidationFailed(exc.message.replace(str(path), name), file=name) from None
        result = await memory.ingest_document(
            session, scope, doc, tier=tier, source=given or f"upload:{name}"
        )
        items.append(
            m.IngestItem(
                memory_id=result.memory_id, filename=name, chunks=result.chunks, status=result.status
            )  # type: ignore[arg-type]
        )
    return m.IngestResponse(items=items)


MAX_SOURCE_CHARS = 2_000


def _sources(given: list[str] | None, files: int) -> list[str | None]:
    """The ``source`` form fields, one per file (none: every file by its name)."""
    if not given:
        return [None] * files
    if len(given) != files:
        raise ValidationFailed(f"send one source per file: {len(given)} sources for {files} files")
    for value in given:
        if not value or len(value) > MAX_SOURCE_CHARS or "\x00" in value:
            raise ValidationFailed(f"a source is 1 to {MAX_SOURCE_CHARS} characters, without NUL")
    return list(given)


def _safe_name(filename: str | None) -> str:
    name = _UNSAFE_NAME.sub("_", Path(filename or "").name).strip(" .")[:200]
    if not name or Path(name).suffix.lower() not in SUPPORTED_EXTENSIONS:
        raise ValidationFailed(
            f"{filename or '(no name)'}: unsupported file type (supported: {', '.join(SUPPORTED_EXTENSIONS)})",
            file=filename,
        )
    return name


@router.post("/mineru")
async def ingest_mineru(
    body: m.MinerUIngest, scope: StreamScopeDep, platform: PlatformDep
) -> m.IngestResponse:
    """Extract a PDF by URL with MinerU's cloud API into memory (idempotent per URL).

    Needs ``mineru.enabled`` and ``mineru.apiKey`` (``MINERU_ENABLED=true``,
    ``MINERU_API_KEY``); otherwise 422. The extraction runs outside any transaction."""
    from openintern.connectors.ingest import extract_url

    scope.require("member", "ingest documents")
    memory = _memory(platform)
    doc = await extract_url(platform.settings.mineru, body.url, title=body.title)
    async with platform.db.tenant(scope.org_id) as session:
        result = await memory.ingest_document(
            session, scope, doc, tier=body.tier, source=body.url, tags=body.tags
        )
    item = m.IngestItem(
        memory_id=result.memory_id, filename=body.url, chunks=result.chunks, status=result.status
    )  # type: ignore[arg-type]
    return m.IngestResponse(items=[item])


@router.get("/{memory_id}")
async def get_memory(memory_id: str, scope: ScopeDep, session: SessionDep, platform: PlatformDep) -> m.Memory:
    memory = _memory(platform)
    return await _view(memory, session, scope, await memory.get(session, scope, memory_id))


@router.patch("/{memory_id}")
async def update_memory(
    memory_id: str, body: m.MemoryUpdate, scope: ScopeDep, session: SessionDep, platform: PlatformDep
) -> m.Memory:
    scope.require("member", "change memories")
    memory = _memory(platform)
    row = await memory.update(session, scope, memory_id, MemoryPatch(**body.model_dump(exclude_unset=True)))
    return await _view(memory, session, scope, row)


@router.delete("/{memory_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_memory(
    memory_id: str, scope: ScopeDep, session: SessionDep, platform: PlatformDep
) -> Response:
    scope.require("member", "delete memories")
    await _memory(platform).delete(session, scope, memory_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
