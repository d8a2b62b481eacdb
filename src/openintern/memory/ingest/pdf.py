"""Text out of PDFs with pypdf, page by page, cleaned of layout noise.

pypdf reads the text layer only: a scanned PDF has none and is refused with a message
pointing at MinerU (OCR). Parsing is CPU-bound and blocking; async callers go through
`documents.aload_document`, which runs it in a thread.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from pypdf import PasswordType, PdfReader

from openintern.errors import ValidationFailed
from openintern.memory.cjk import CJK_CHARS

__all__ = ["MAX_PDF_PAGES", "PdfText", "clean_pdf_text", "read_pdf"]

MAX_PDF_PAGES = 5000
"""Refuse longer PDFs: extraction is ~10 ms a page, so this bounds one file at about a
minute of CPU, and nothing that long belongs in one memory."""

_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\u00ad]")  # incl. soft hyphens
_SPACES_RE = re.compile(r"[ \t\u00a0\u3000]+")
_LINE_EDGE_RE = re.compile(r" ?\r?\n ?")
# "exam-\nple" → "example", but only before a lower-case letter: "Foo-\nBar" keeps it.
_HYPHEN_BREAK_RE = re.compile(r"(?<=\w)-\n(?=[a-z])")
# A line wrapped inside CJK text is not a word boundary; keeping the "\n" would break
# the bigrams that span it.
_CJK_BREAK_RE = re.compile(f"(?<=[{CJK_CHARS}，、])\n(?=[{CJK_CHARS}])")
_BLANK_LINES_RE = re.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True)
class PdfText:
    """The cleaned text of each page and the title from the PDF's metadata, if any."""

    pages: list[str]
    title: str | None


def read_pdf(data: bytes, *, name: str) -> PdfText:
    """Extract and clean the text of every page of the PDF `data` (`name` is for errors).

    Raises `ValidationFailed` naming the file when it is encrypted with a password,
    broken, too long, or has no text layer at all.
    """
    try:
        reader = PdfReader(io.BytesIO(data))
        _unlock(reader, name)
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ValidationFailed(f"{name}: {len(reader.pages)} pages, more than {MAX_PDF_PAGES}", file=name)
        pages = [clean_pdf_text(page.extract_text() or "") for page in reader.pages]
        title = _metadata_title(reader)
    except ValidationFailed:
        raise
    except Exception as exc:
        # pypdf raises its own errors but also KeyError/ValueError/… on malformed input;
        # all of them mean the same thing to the caller: this file cannot be read.
        raise ValidationFailed(f"{name}: not a readable PDF ({exc})", file=name) from exc
    if not any(pages):
        raise ValidationFailed(
            f"{name}: the PDF has no text layer (scanned?); ingest it with MinerU for OCR", file=name
        )
    return PdfText(pages, title)


def clean_pdf_text(text: str) -> str:
    """Undo layout noise: ligatures, hyphenated line breaks, runs of spaces, blank lines."""
    text = _CONTROL_RE.sub("", text.translate(_LIGATURES))
    text = _SPACES_RE.sub(" ", text)
    text = _LINE_EDGE_RE.sub("\n", text)
    text = _HYPHEN_BREAK_RE.sub("", text)
    text = _CJK_BREAK_RE.sub("", text)
    return _BLANK_LINES_RE.sub("\n\n", text).strip()


def _unlock(reader: PdfReader, name: str) -> None:
    # Many "encrypted" PDFs only restrict printing/copying and open with an empty user
    # password; only a real password is an error.
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise ValidationFailed(f"{name}: the PDF is encrypted with a password", file=name)


def _metadata_title(reader: PdfReader) -> str | None:
    metadata = reader.metadata
    title = str(metadata.title).strip() if metadata is not None and metadata.title else ""
    return title or None
