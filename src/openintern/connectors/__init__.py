"""Connectors that bring outside content into archival memory (MinerU, Feishu)."""

from openintern.connectors.mineru import ExtractedDocument, MinerUClient, MinerUConfig

__all__ = ["ExtractedDocument", "MinerUClient", "MinerUConfig"]
