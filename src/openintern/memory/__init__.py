"""Memory: core / episodic / archival tiers, hybrid (vector + full-text) search, ingestion."""

from openintern.db.orm.memory import TIERS
from openintern.memory.core import (
    CORE_BLOCK_MAX_CHARS,
    CORE_TOTAL_MAX_CHARS,
    CoreRow,
    core_blocks,
    core_rows,
    render_core,
)
from openintern.memory.ingestion import IngestResult
from openintern.memory.records import MemoryPatch, MemoryWrite, content_hash
from openintern.memory.scope import PlainScope, ScopeLike
from openintern.memory.search import MemoryRef, SearchResult
from openintern.memory.service import MemoryService

__all__ = [
    "CORE_BLOCK_MAX_CHARS",
    "CORE_TOTAL_MAX_CHARS",
    "TIERS",
    "CoreRow",
    "IngestResult",
    "MemoryPatch",
    "MemoryRef",
    "MemoryService",
    "MemoryWrite",
    "PlainScope",
    "ScopeLike",
    "SearchResult",
    "content_hash",
    "core_blocks",
    "core_rows",
    "render_core",
]
