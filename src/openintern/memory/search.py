"""Fusing the two halves of hybrid search, and highlighted snippets."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from openintern.memory.cjk import CJK_CHARS, STOPWORDS

RRF_K = 10
"""Reciprocal-rank constant. The textbook 60 flattens ranks so much that a memory found by
both halves at middling ranks beats one that a half ranks first; with 10, a strong
single-half match survives. On bench M1, hybrid search lost to full text alone at 60 and
beats both halves at 10 (chosen by split-half validation, see bench/RESULTS.md)."""
VECTOR_WEIGHT = 0.7
"""Weight of the vector half's reciprocal ranks (the text half's is 1): set it to 1 with a
strong semantic embedder; the offline default embedder is a hashing one."""
SNIPPET_CHARS = 240


@dataclass
class Hit:
    memory_id: str
    rrf: float = 0.0
    vector: float | None = None
    text: float | None = None
    chunk_id: int | None = None
    text_chunk_id: int | None = None
    matched: list[str] = field(default_factory=list)


def fuse(
    vector_rows: list[Any], text_rows: list[Any], *, k: int = RRF_K, vector_weight: float = VECTOR_WEIGHT
) -> list[Hit]:
    """Weighted reciprocal-rank fusion per memory: each memory counts with its best chunk per
    list, ``weight / (k + rank)``. The specification of the fusion that search runs in SQL
    (`store.search_sql`); tests check that the two agree."""
    hits: dict[str, Hit] = {}
    for source, rows, weight in (("vector", vector_rows, vector_weight), ("text", text_rows, 1.0)):
        rank = 0
        for row in rows:
            hit = hits.setdefault(row.memory_id, Hit(row.memory_id))
            if source in hit.matched:
                continue  # a later chunk of a memory already counted in this list
            rank += 1
            hit.matched.append(source)
            hit.rrf += weight / (k + rank)
            if source == "vector":
                hit.vector, hit.chunk_id = round(float(row.score), 6), hit.chunk_id or row.id
            else:
                hit.text, hit.text_chunk_id = round(float(row.score), 6), row.id
    return sorted(hits.values(), key=lambda h: (-h.rrf, h.memory_id))


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
    """Snippets of one query: its terms and highlight pattern are worked out once, then
    cut from each hit's chunk (a search makes up to top_k of them)."""

    def __init__(self, query: str) -> None:
        self.terms = query_terms(query)
        self.pattern = (
            re.compile("|".join(re.escape(html.escape(t)) for t in self.terms), re.IGNORECASE)
            if self.terms
            else None
        )

    def __call__(self, text: str) -> str:
        """A window of the chunk around the first query term, HTML-escaped, terms in <b>…</b>."""
        lowered = text.lower()
        first = min((i for t in self.terms if (i := lowered.find(t)) >= 0), default=0)
        start = max(0, first - SNIPPET_CHARS // 3)
        window = text[start : start + SNIPPET_CHARS]
        escaped = html.escape(window)
        if self.pattern is not None:
            escaped = self.pattern.sub(_bold, escaped)
        prefix = "…" if start > 0 else ""
        suffix = "…" if start + SNIPPET_CHARS < len(text) else ""
        return prefix + escaped + suffix


def _bold(match: re.Match[str]) -> str:
    return f"<b>{match.group(0)}</b>"


def snippet(text: str, query: str) -> str:
    """A window of the chunk around the first query term, HTML-escaped, terms in <b>…</b>."""
    return Snippets(query)(text)
