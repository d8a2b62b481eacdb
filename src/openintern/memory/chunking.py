"""Structure-aware chunking of Markdown and plain text for archival memory.

A document is cut along its own structure, coarsest first: Markdown headings (each
section is chunked on its own and remembers its heading path), then paragraphs and fenced
code blocks, then sentences (Latin `.!?` followed by a space, CJK `。！？；` with or
without one, and line breaks), and only as a last resort at token boundaries. Pieces are
packed greedily up to `max_tokens`; consecutive chunks of a section share up to
`overlap_tokens` of whole trailing pieces so that a fact cut at a boundary is still found
whole. A fenced code block that fits is never split.

Each chunk's text starts with its heading breadcrumb (`Guide > Install`), so an embedding
of a chunk deep inside a section still knows what it is about; the breadcrumb counts
towards `max_tokens`. `start_char`/`end_char` locate the chunk's body in the source.

Setext headings (`Title` over `=====`) are treated as text; only ATX (`#`) headings
split sections.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Literal

from openintern.errors import ValidationFailed
from openintern.memory.cjk import CJK_CHARS

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "DEFAULT_OVERLAP_TOKENS",
    "Chunk",
    "ChunkFormat",
    "chunk_text",
    "count_tokens",
]

ChunkFormat = Literal["markdown", "text"]

DEFAULT_MAX_TOKENS = 350
"""Approximate tokens per chunk. English runs ~1.3 model tokens per word, so 350 stays
under the 512-token window of small local embedding models, breadcrumb included."""

DEFAULT_OVERLAP_TOKENS = 40
"""About two sentences shared between neighbouring chunks of a section."""

MIN_MAX_TOKENS = 16
"""Below this a chunk could not hold a breadcrumb and a sentence."""

LONG_WORD_CHARS = 16
"""A run of non-space characters counts as one token per this many characters, so URLs,
hashes and minified code are not undercounted as a single "word"."""

# Token approximation, as one C-speed regex: each CJK character is a token (model
# tokenisers give them ~1–1.5 each) and so is each whitespace-delimited run of other
# characters, counted per LONG_WORD_CHARS. Measured on the seed README (mixed Chinese/
# English Markdown, 2.9 MB): counting ~50 MB/s, the whole of chunk_text ~16 MB/s.
_TOKEN_RE = re.compile(f"[{CJK_CHARS}]|[^\\s{CJK_CHARS}]{{1,{LONG_WORD_CHARS}}}")
# Latin ends need a following space (`3.14`, `e.g.x` stay whole); CJK ends do not, and
# ASCII `!?` directly followed by CJK (common in mixed text) end a sentence too.
_SENTENCE_END_RE = re.compile(
    f"[.!?…]+[\"'”’)\\]]*\\s+|[。！？；]+[」』”’）)]*\\s*|[!?]+(?=[{CJK_CHARS}])|\n"
)
_HEADING_RE = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*\r?")
_FENCE_RE = re.compile(r" {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True, slots=True)
class Chunk:
    """One piece of a document, ready to embed and index."""

    text: str
    position: int
    heading_path: list[str]
    token_count: int
    start_char: int
    end_char: int


def count_tokens(text: str) -> int:
    """Approximate model tokens: CJK characters plus words (long words count per 16 chars)."""
    return len(_TOKEN_RE.findall(text))


def chunk_text(
    text: str,
    *,
    fmt: ChunkFormat = "markdown",
    max_tokens: int = DEFAULT_MAX_TOKENS,
    overlap_tokens: int | None = None,
) -> list[Chunk]:
    """Split `text` into token-bounded chunks that follow its structure (deterministic).

    Every chunk has `token_count <= max_tokens`. `overlap_tokens` defaults to
    `DEFAULT_OVERLAP_TOKENS`, capped at a quarter of `max_tokens`; it may be at most half.
    `fmt="text"` ignores Markdown syntax.
    """
    if overlap_tokens is None:
        overlap_tokens = min(DEFAULT_OVERLAP_TOKENS, max_tokens // 4)
    _check_args(fmt, max_tokens, overlap_tokens)
    sections = _parse(text, markdown=fmt == "markdown")
    chunks: list[Chunk] = []
    for index, section in enumerate(sections):
        crumb = _breadcrumb(section.path, max_tokens)
        if not section.blocks:
            if section.path and not _has_child(sections, index):
                chunks.append(_make_chunk(crumb, "", section, section.heading_span, len(chunks)))
            continue
        budget = max_tokens - count_tokens(crumb)
        units = [u for b in section.blocks for u in _units(text, b, budget, overlap_tokens)]
        for first, last in _pack(units, budget, overlap_tokens):
            span = (units[first][0], units[last - 1][1])
            chunks.append(_make_chunk(crumb, text, section, span, len(chunks)))
    return chunks


def _check_args(fmt: str, max_tokens: int, overlap_tokens: int) -> None:
    if fmt not in ("markdown", "text"):
        raise ValidationFailed(f"unknown chunk format {fmt!r}; use 'markdown' or 'text'")
    if max_tokens < MIN_MAX_TOKENS:
        raise ValidationFailed(f"max_tokens must be at least {MIN_MAX_TOKENS}, got {max_tokens}")
    if not 0 <= overlap_tokens <= max_tokens // 2:
        raise ValidationFailed(f"overlap_tokens must be between 0 and max_tokens/2, got {overlap_tokens}")


# --- parsing: sections of blocks ------------------------------------------------------


@dataclass(slots=True)
class _Block:
    start: int
    end: int
    code: bool = False


@dataclass(slots=True)
class _Section:
    path: tuple[str, ...]
    heading_span: tuple[int, int] = (0, 0)
    blocks: list[_Block] = field(default_factory=list)


class _Parser:
    """One pass over the lines: headings open sections, blank lines end paragraphs."""

    def __init__(self, markdown: bool) -> None:
        self.markdown = markdown
        self.sections = [_Section(())]
        self.headings: list[tuple[int, str]] = []
        self.para: _Block | None = None
        self.fence: tuple[str, int] | None = None  # (marker, start offset)

    def feed(self, line: str, start: int, end: int) -> None:
        if self.fence is not None:
            self._in_fence(line, end)
            return
        first = line.lstrip(" ")[:1]
        if self.markdown and first in ("`", "~") and (m := _FENCE_RE.match(line)):
            self._end_paragraph()
            self.fence = (m.group(1), start)
        elif self.markdown and first == "#" and (h := _HEADING_RE.fullmatch(line)):
            self._end_paragraph()
            self._open_section(len(h.group(1)), (h.group(2) or "").strip(), (start, end))
        elif not line.strip():
            self._end_paragraph()
        elif self.para is None:
            self.para = _Block(start, end)
        else:
            self.para.end = end

    def finish(self, text_end: int) -> list[_Section]:
        if self.fence is not None:  # an unclosed fence runs to the end, as in CommonMark
            self.sections[-1].blocks.append(_Block(self.fence[1], text_end, code=True))
        self._end_paragraph()
        return self.sections

    def _in_fence(self, line: str, end: int) -> None:
        marker, start = self.fence or ("", 0)
        stripped = line.strip()
        if stripped.startswith(marker) and not stripped.strip(marker[0]):
            self.sections[-1].blocks.append(_Block(start, end, code=True))
            self.fence = None

    def _open_section(self, level: int, title: str, span: tuple[int, int]) -> None:
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, title))
        self.sections.append(_Section(tuple(t for _, t in self.headings), span))

    def _end_paragraph(self) -> None:
        if self.para is not None:
            self.sections[-1].blocks.append(self.para)
            self.para = None


def _parse(text: str, *, markdown: bool) -> list[_Section]:
    parser = _Parser(markdown)
    pos = 0
    for line in text.split("\n"):
        parser.feed(line, pos, pos + len(line))
        pos += len(line) + 1
    return parser.finish(len(text))


def _has_child(sections: list[_Section], index: int) -> bool:
    path = sections[index].path
    following = sections[index + 1] if index + 1 < len(sections) else None
    return following is not None and following.path[: len(path)] == path and len(following.path) > len(path)


# --- units: pieces that each fit the budget --------------------------------------------

_Unit = tuple[int, int, int]  # (start, end, tokens)


def _units(text: str, block: _Block, budget: int, overlap: int) -> list[_Unit]:
    """Cut a block into pieces of at most `budget` tokens, coarsest cut first."""
    tokens = count_tokens(text[block.start : block.end])
    if tokens <= budget:
        return [(block.start, block.end, tokens)]
    units: list[_Unit] = []
    for start, end in _sentences(text, block):
        n = count_tokens(text[start:end])
        if n <= budget:
            units.append((start, end, n))
        else:
            # Pieces of `overlap` tokens let the packer overlap even inside one
            # enormous sentence; without overlap, whole budgets.
            units.extend(_hard_split(text, start, end, overlap or budget))
    return units


def _sentences(text: str, block: _Block) -> list[tuple[int, int]]:
    # Code is cut only at line ends; prose also at sentence ends.
    pattern = _NEWLINE_RE if block.code else _SENTENCE_END_RE
    spans, cursor = [], block.start
    for m in pattern.finditer(text, block.start, block.end):
        if m.end() > cursor:
            spans.append((cursor, m.end()))
            cursor = m.end()
    if cursor < block.end:
        spans.append((cursor, block.end))
    return spans


_NEWLINE_RE = re.compile(r"\n")


def _hard_split(text: str, start: int, end: int, size: int) -> list[_Unit]:
    starts = [m.start() for m in _TOKEN_RE.finditer(text, start, end)]
    bounds = [*starts[::size], end]
    bounds[0] = start
    return [(a, b, count_tokens(text[a:b])) for a, b in itertools.pairwise(bounds) if a < b]


# --- packing and output ------------------------------------------------------------------


def _pack(units: list[_Unit], budget: int, overlap: int) -> list[tuple[int, int]]:
    """Greedy packing into `[first, last)` ranges; each next range re-uses trailing units."""
    ranges: list[tuple[int, int]] = []
    first = 0
    while first < len(units):
        last, total = first, 0
        while last < len(units) and total + units[last][2] <= budget:
            total += units[last][2]
            last += 1
        last = max(last, first + 1)
        ranges.append((first, last))
        if last >= len(units):
            break
        first = _overlap_start(units, first, last, budget, overlap)
    return ranges


def _overlap_start(units: list[_Unit], first: int, last: int, budget: int, overlap: int) -> int:
    # Step back over whole trailing units while they fit the overlap and still leave room
    # for the next new unit; always move forward by at least one unit.
    start, shared, room = last, 0, budget - units[last][2]
    while start - 1 > first and shared + units[start - 1][2] <= min(overlap, room):
        start -= 1
        shared += units[start][2]
    return start


def _breadcrumb(path: tuple[str, ...], max_tokens: int) -> str:
    crumb = " > ".join(p for p in path if p)
    if count_tokens(crumb) > max_tokens // 2:
        crumb = path[-1] if path else ""
        if count_tokens(crumb) > max_tokens // 2:
            return ""
    return crumb


def _make_chunk(crumb: str, text: str, section: _Section, span: tuple[int, int], position: int) -> Chunk:
    start, end = span
    body = text[start:end]
    stripped = body.strip()
    if stripped:
        start += len(body) - len(body.lstrip())
        end = start + len(stripped)
    full = f"{crumb}\n\n{stripped}" if crumb and stripped else crumb or stripped
    return Chunk(full, position, list(section.path), count_tokens(full), start, end)
