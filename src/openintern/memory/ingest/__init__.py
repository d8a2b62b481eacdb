"""Reading documents (Markdown, text, reStructuredText, PDF) for archival memory."""

from openintern.memory.ingest.documents import (
    SUPPORTED_EXTENSIONS,
    Document,
    aload_document,
    expand_paths,
    load_document,
    markdown_document,
)
from openintern.memory.ingest.pdf import PdfText, clean_pdf_text, read_pdf

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "Document",
    "PdfText",
    "aload_document",
    "clean_pdf_text",
    "expand_paths",
    "load_document",
    "markdown_document",
    "read_pdf",
]
