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


def snippet(text: str, query: str) -> str:
    """A window of the chunk around the first query term, HTML-escaped, terms in <b>…</b>."""
    return Snippets(query)(text)
