"""PDFs by URL through MinerU into a `Document` memory can ingest (the API and the
`mineru_ingest_pdf` tool share it). Local files use the local extractor instead
(`memory.ingest.load_document`)."""

from __future__ import annotations

from openintern.config import MinerUSettings
from openintern.errors import ValidationFailed, field_error
from openintern.memory.ingest import Document, markdown_document

MINERU_DISABLED = (
    "MinerU is not enabled: set MINERU_ENABLED=true and MINERU_API_KEY=<token> (or `mineru.enabled` "
    "and `mineru.apiKey` in agent.config.json) and restart; local PDFs can be uploaded to "
    "POST /api/memory/ingest or ingested with `openintern memory ingest` instead"
)


async def extract_url(config: MinerUSettings, url: str, *, title: str | None = None) -> Document:
    """MinerU's Markdown for the PDF at ``url`` as a Document (``ValidationFailed`` when disabled)."""
    if not config.enabled:
        raise ValidationFailed(
            MINERU_DISABLED,
            errors=[field_error(["body", "url"], "MinerU is not enabled", "mineru_disabled")],
        )
    from openintern.connectors.mineru import MinerUClient

    async with MinerUClient(config) as client:
        extracted = await client.extract_pdf(url)
    return markdown_document(extracted.markdown, url, title=title)
