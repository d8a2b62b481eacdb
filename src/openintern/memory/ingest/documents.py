"""Files on disk → `Document`: text with its format, title and content hash.

Markdown keeps its syntax (the chunker follows its headings); plain text, reStructuredText
and PDFs become `fmt="text"`. The content hash is the SHA-256 of the file's bytes, so
re-ingesting an unchanged file can be skipped whatever its path or modification time.
"""

from __future__ import annotations

import asyncio
import glob
import hashlib
import itertools
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from openintern.errors import ValidationFailed
from openintern.memory.chunking import ChunkFormat
from openintern.memory.cjk import CJK_CHARS
from openintern.memory.ingest.pdf import read_pdf

__all__ = [
    "MAX_PDF_BYTES",
    "MAX_TEXT_BYTES",
    "SUPPORTED_EXTENSIONS",
    "Document",
    "aload_document",
    "expand_paths",
    "load_document",
    "markdown_document",
]

SUPPORTED_EXTENSIONS: dict[str, ChunkFormat] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".rst": "text",
    ".pdf": "text",
}
"""File suffixes we can read (case-insensitive), with the chunking format of their text."""

MAX_TEXT_BYTES = 20 * 1024 * 1024
"""A text file larger than this is a log or a dump, not knowledge; refuse it."""

MAX_PDF_BYTES = 200 * 1024 * 1024
"""The same limit MinerU's cloud API sets per file."""

_GLOB_CHARS_RE = re.compile(r"[*?[]")
_CJK_RE = re.compile(f"[{CJK_CHARS}]")
_H1_RE = re.compile(r" {0,3}# +(.+?)(?: +#+)? *")
_FENCE_RE = re.compile(r" {0,3}(```|~~~)")


@dataclass(frozen=True, slots=True)
class Document:
    """A file's text, ready to chunk. `pages` is set for PDFs (cleaned text per page)."""

    text: str
    fmt: ChunkFormat
    title: str
    content_hash: str
    source_path: Path
    pages: list[str] | None = None


def load_document(path: str | Path) -> Document:
    """Read a `.md/.markdown/.txt/.rst/.pdf` file (blocking; see `aload_document`).

    Raises `ValidationFailed` naming the file if it is missing, unsupported, too large,
    or an unreadable PDF.
    """
    source = Path(path)
    fmt = _format_of(source)
    is_pdf = source.suffix.lower() == ".pdf"
    data = _read_bytes(source, MAX_PDF_BYTES if is_pdf else MAX_TEXT_BYTES)
    digest = hashlib.sha256(data).hexdigest()
    if is_pdf:
        pdf = read_pdf(data, name=str(source))
        text = "\n\n".join(page for page in pdf.pages if page)
        return Document(text, fmt, pdf.title or source.stem, digest, source, pdf.pages)
    text = _decode(data)
    title = _markdown_title(text) if fmt == "markdown" else _rst_title(text)
    return Document(text, fmt, title or source.stem, digest, source)


async def aload_document(path: str | Path) -> Document:
    """`load_document` in a worker thread, so PDF parsing never blocks the event loop."""
    return await asyncio.to_thread(load_document, path)


def markdown_document(markdown: str, source: str, *, title: str | None = None) -> Document:
    """A `Document` from Markdown that did not come from a local file (MinerU's output for a
    URL); `source` (the URL) names it, the hash is of the Markdown itself."""
    digest = hashlib.sha256(markdown.encode()).hexdigest()
    name = source.rstrip("/").rsplit("/", 1)[-1] or source
    return Document(markdown, "markdown", title or _markdown_title(markdown) or name, digest, Path(name))


def expand_paths(paths: str | Path | Iterable[str | Path], *, recursive: bool = True) -> list[Path]:
    """Resolve files, folders and globs (`docs/**/*.md`) to readable files, sorted, unique.

    Folders are walked (recursively by default); inside folders and globs, hidden files
    and folders (`.git`, `.env`) and unsupported suffixes are skipped. A file named
    explicitly must exist and be supported. A glob that matches nothing yields nothing.
    """
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    found = {p.resolve() for item in items for p in _expand_one(str(item), recursive)}
    return sorted(found)


def _expand_one(item: str, recursive: bool) -> Iterator[Path]:
    item = os.path.expanduser(item)
    if _GLOB_CHARS_RE.search(item):
        for match in sorted(glob.glob(item, recursive=True)):  # skips dot-files itself
            path = Path(match)
            if path.is_dir():
                yield from _walk(path, recursive)
            elif path.suffix.lower() in SUPPORTED_EXTENSIONS:
                yield path
        return
    path = Path(item)
    if path.is_dir():
        yield from _walk(path, recursive)
    elif path.is_file():
        _format_of(path)
        yield path
    else:
        raise ValidationFailed(f"{item}: no such file or directory", file=item)


def _walk(root: Path, recursive: bool) -> Iterator[Path]:
    for folder, dirnames, filenames in os.walk(root):
        # Pruning in place stops os.walk from descending into hidden folders at all.
        dirnames[:] = [d for d in dirnames if not d.startswith(".")] if recursive else []
        for name in filenames:
            if not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED_EXTENSIONS:
                yield Path(folder, name)


def _format_of(path: Path) -> ChunkFormat:
    fmt = SUPPORTED_EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        supported = ", ".join(SUPPORTED_EXTENSIONS)
        raise ValidationFailed(f"{path}: unsupported file type (supported: {supported})", file=str(path))
    return fmt


def _read_bytes(path: Path, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise ValidationFailed(f"{path}: {size} bytes, more than the {limit} allowed", file=str(path))
        return path.read_bytes()
    except OSError as exc:
        raise ValidationFailed(f"{path}: cannot be read ({exc.strerror})", file=str(path)) from exc


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM); else GB18030 if that yields Chinese; else cp1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        # GB18030 decodes almost any bytes; believe it only if the non-ASCII it produced
        # is overwhelmingly CJK, as legacy Chinese files are. Latin-1 text is not.
        non_ascii = [c for c in text if not c.isascii()]
        if non_ascii and sum(1 for c in non_ascii if _CJK_RE.match(c)) >= 0.9 * len(non_ascii):
            return text
    except UnicodeDecodeError:
        pass
    return data.decode("cp1252", errors="replace")


def _markdown_title(text: str) -> str | None:
    in_fence = False
    for line in text.splitlines():
        if _FENCE_RE.match(line):
            in_fence = not in_fence
        elif not in_fence and (m := _H1_RE.fullmatch(line.rstrip())):
            return m.group(1).strip()
    return None


def _rst_title(text: str) -> str | None:
    # reStructuredText: the first line underlined by a run of one punctuation character
    # at least as long as it (`Title` / `=====`).
    lines = [line.rstrip() for line in text.splitlines()[:50]]
    for line, under in itertools.pairwise(lines):
        text_line = line.strip()
        if (
            text_line
            and under
            and len(set(under)) == 1
            and not under[0].isalnum()
            and len(under) >= len(text_line)
        ):
            return text_line
    return None
