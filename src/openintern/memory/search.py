"""Hybrid search: vector top-N ∪ full-text top-N, fused by reciprocal rank per memory;
its results, and their highlighted snippets.

The statement (`store.search_sql`) runs on one of memory's own connections
(`search_pool.search_on`), or in the caller's transaction when that transaction wrote
memories, so that the search sees them before they commit (docs/memory.md, "Where it runs").
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from openintern.db.orm.memory import TIERS
from openintern.errors import Forbidden
from openintern.llm import Embedder, LocalHashEmbedder
from openintern.memory import store
from openintern.memory.cjk import CJK_CHARS, STOPWORDS, text_queries
from openintern.memory.embedding import EMBED_WAIT_S
from openintern.memory.records import wrote_in
from openintern.memory.scope import ScopeLike
from openintern.memory.search_pool import SearchPool, search_on

log = logging.getLogger(__name__)

RRF_K = 10
"""Reciprocal-rank constant. The textbook 60 flattens ranks so much that a memory found by
both halves at middling ranks beats one that a half ranks first; with 10, a strong
single-half match survives. On bench M1, hybrid search lost to full text alone at 60 and
beats both halves at 10 (chosen by split-half validation, see bench/RESULTS.md)."""

VECTOR_WEIGHT = 0.7
"""Weight of the vector half's reciprocal ranks (the text half's is 1): set it to 1 with a
strong semantic embedder; the offline default embedder is a hashing one."""

CANDIDATES = 25
"""Rows taken from the full-text half of hybrid search before fusion (at least top_k)."""

VECTOR_CANDIDATES = 15
"""Rows taken from the vector half (at least top_k). Fewer than the text half's: past the
15th, a chunk's vector rank adds at most 0.7 / 26 to its memory's fused score, and each row
costs the walk a heap fetch of it and of the other orgs' candidates around it; at bench M2
25 -> 15 rows was ~0.2 ms of ~1.1 per walk, with M1 (hybrid recall@10 0.997) unchanged."""

MIN_RELEVANCE = 0.1
"""A memory that only the vector half found is returned if its cosine similarity to the
query is at least this (one the full-text half found always is). Below it is noise: with
the local hash embedder, unrelated texts score -0.1 - +0.1 and texts sharing the query's
words 0.15 - 0.4; with OpenAI's text-embedding-3 models unrelated texts score ~0.1 - 0.2,
so a semantic embedder may want it higher (`memory.min_relevance`). On bench M1, hybrid
recall@10 is unchanged at 0.1 (bench/RESULTS.md, issue 23)."""

INLINE_EMBED_MAX_CHARS = 500
"""A query up to this long is embedded on the event loop when the embedder is local."""

SNIPPET_CHARS = 240


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
class Hit:
    memory_id: str
    rrf: float = 0.0
    vector: float | None = None
    text: float | None = None
    chunk_id: int | None = None
    text_chunk_id: int | None = None
    matched: list[str] = field(default_factory=list)


@dataclass
class SearchResult:
    memory: MemoryRef
    snippet: str
    hit: Hit

    @property
    def scores(self) -> dict[str, float | None]:
        return {"vector": self.hit.vector, "text": self.hit.text, "rrf": round(self.hit.rrf, 6)}


@dataclass(frozen=True)
class SearchOptions:
    """A service's search settings (`MemoryService` passes its own to each search)."""

    ef_search: int
    rrf_k: int = RRF_K
    vector_weight: float = VECTOR_WEIGHT
    embed_wait_s: float = EMBED_WAIT_S
    """The query's embedding waits at least 5 s, or this if longer."""
    min_relevance: float = MIN_RELEVANCE
    """The relevance floor of a hit without a text match (`MIN_RELEVANCE`)."""


async def search(
    session: AsyncSession | None,
    scope: ScopeLike,
    query: str,
    *,
    embedder: Embedder,
    pool: SearchPool,
    options: SearchOptions,
    tiers: Sequence[str] | None = None,
    filters: dict[str, Any] | None = None,
    top_k: int = 10,
    mode: str = "hybrid",
) -> list[SearchResult]:
    """The ``top_k`` memories of ``scope`` best matching ``query``; ``mode`` ``vector`` or
    ``text`` runs one half only. On ``pool``, as the tenant ``scope.org_id``, unless
    ``session`` is a transaction that wrote memories: then in it. ``session`` None: the
    caller has no transaction (the agent's recall)."""
    filters = dict(filters or {})
    only = filters.get("project_id")
    if only and scope.project_id and only != scope.project_id:
        raise Forbidden(f"project {only!r} is not the project you act in")
    wanted = set(tiers or TIERS)
    known = tuple(t for t in TIERS if t in wanted)
    if not known:  # only unknown tiers: nothing is in them
        return []
    qvec = await _query_vector(embedder, query, options.embed_wait_s) if mode != "text" else None
    tqueries = text_queries(query) if mode != "vector" else []
    if qvec is None and not tqueries:
        return []
    n, n_vector = max(CANDIDATES, top_k), max(VECTOR_CANDIDATES, top_k)  # rows per half
    args = store.SearchArgs(
        store.filter_params(scope.org_id, scope.project_id, list(known), filters),
        known,
        qvec,
        tqueries,
        n=n,
        top_k=top_k,
        rrf_k=options.rrf_k,
        vector_weight=options.vector_weight,
        ef_search=max(options.ef_search, n_vector),  # a candidate list shorter than the rows asked for
        model=embedder.model,
        n_vector=n_vector,
        min_relevance=options.min_relevance,
    )
    if session is not None and wrote_in(session):
        rows = await store.search(session, args)
    else:
        rows = await search_on(pool, args)
    cut = Snippets(query)
    return [_result(r, cut(r.text or "")) for r in rows]


async def _query_vector(embedder: Embedder, query: str, wait_s: float) -> list[float] | None:
    """The query's vector; None when there is none (the embedder failed, or an all-zero
    vector, which has no direction): the search is then full-text only."""
    try:
        if type(embedder) is LocalHashEmbedder and len(query) <= INLINE_EMBED_MAX_CHARS:
            # The local embedder (no I/O) hashes a short query in ~50 µs: less than the
            # hop to a worker thread that its `embed` takes for long batches.
            vectors = embedder.embed_sync([query])
        else:
            vectors = await asyncio.wait_for(embedder.embed([query]), timeout=max(wait_s, 5.0))
    except Exception as exc:  # the embedder is slow or down: search full-text only
        log.warning("query embedding failed (%s); searching full-text only", exc or "timeout")
        return None
    return vectors[0] if any(vectors[0]) else None


def _result(r: store.Row, snippet: str) -> SearchResult:
    memory = MemoryRef(
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
    )
    hit = Hit(
        r.memory_id,
        rrf=r.rrf,
        vector=None if r.vector_score is None else round(r.vector_score, 6),
        text=None if r.text_score is None else round(r.text_score, 6),
        chunk_id=r.vector_chunk,
        text_chunk_id=r.text_chunk,
        matched=[h for h, s in (("vector", r.vector_score), ("text", r.text_score)) if s is not None],
    )
    return SearchResult(memory, snippet, hit)


# --- snippets ---------------------------------------------------------------------------------

_CJK_RUN = re.compile(f"[{CJK_CHARS}]+")
_WORD = re.compile(r"\w{2,}")


def query_terms(query: str) -> list[str]:
    """The terms a snippet highlights: the query's words (stop words only when there is
    nothing else, as in the search itself) and its CJK runs with their bigrams."""
    words: list[str] = _WORD.findall(_CJK_RUN.sub(" ", query))
    terms = [w for w in words if w.lower() not in STOPWORDS] or words
    for run in _CJK_RUN.findall(query):
        terms.append(run)
        terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    return sorted({t.lower() for t in terms}, key=len, reverse=True)


class Snippets:
    """Snippets of one query: its terms are worked out once, then each hit's chunk (a search
    makes up to top_k of them) is cut and its terms marked with `str.find` in the lower-cased
    window (an alternation regex with IGNORECASE cost ~20 µs a chunk, ~5 % of a search's CPU
    at bench M2, plus compiling it for every new query)."""

    def __init__(self, query: str) -> None:
        self.terms = query_terms(query)  # longest first

    def __call__(self, text: str) -> str:
        """A window of the chunk around the first query term, HTML-escaped, terms in <b>…</b>."""
        lowered = text.lower()
        first = min((i for t in self.terms if (i := lowered.find(t)) >= 0), default=0)
        start = max(0, first - SNIPPET_CHARS // 3)
        window = text[start : start + SNIPPET_CHARS]
        prefix = "…" if start > 0 else ""
        suffix = "…" if start + SNIPPET_CHARS < len(text) else ""
        return prefix + self.mark(window) + suffix

    def mark(self, window: str) -> str:
        """``window`` HTML-escaped, each match of a term in <b>…</b>."""
        out: list[str] = []
        done = 0
        for at, end in self._matches(window):
            out.append(html.escape(window[done:at]))
            out.append(f"<b>{html.escape(window[at:end])}</b>")
            done = end
        out.append(html.escape(window[done:]))
        return "".join(out)

    def _matches(self, window: str) -> list[tuple[int, int]]:
        """Where the terms match, case-insensitively: from the left, the longest term that
        matches at a place, then on after it (as a regex alternation of the terms, longest
        first, would; that regex when lower-casing changes the window's length, as `İ` does,
        and offsets in the lower-cased window are not the window's)."""
        lowered = window.lower()
        if len(lowered) != len(window):
            return [match.span() for match in self._regex().finditer(window)]
        starts: list[tuple[int, int]] = []
        for term in self.terms:
            at = lowered.find(term)
            while at >= 0:
                starts.append((at, -len(term)))
                at = lowered.find(term, at + 1)
        matches: list[tuple[int, int]] = []
        for at, negative_length in sorted(starts):
            if not matches or at >= matches[-1][1]:
                matches.append((at, at - negative_length))
        return matches

    def _regex(self) -> re.Pattern[str]:
        """The terms as a regex alternation, longest first (matches nothing without terms)."""
        return re.compile("|".join(re.escape(t) for t in self.terms) or "(?!)", re.IGNORECASE)
