"""Memory: core / episodic / archival tiers, hybrid (vector + full-text) search, ingestion."""

from openintern.memory.service import (
    CORE_BLOCK_MAX_CHARS,
    CORE_TOTAL_MAX_CHARS,
    TIERS,
    CoreRow,
    IngestResult,
    MemoryRef,
    MemoryService,
    PlainScope,
    ScopeLike,
    SearchResult,
    content_hash,
    core_blocks,
    core_rows,
    render_core,
)

__all__ = [
    "CORE_BLOCK_MAX_CHARS",
    "CORE_TOTAL_MAX_CHARS",
    "TIERS",
    "CoreRow",
    "IngestResult",
    "MemoryRef",
    "MemoryService",
    "PlainScope",
    "ScopeLike",
    "SearchResult",
    "content_hash",
    "core_blocks",
    "core_rows",
    "render_core",
]
