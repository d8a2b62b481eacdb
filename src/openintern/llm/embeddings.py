"""Embedders: an OpenAI-compatible endpoint, sentence-transformers, or the local default.

`create_embedder()` is the one entry point the memory service uses. Every embedder
checks that the vectors it returns have the configured width, because a wrong width
only shows up later as an opaque pgvector error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from openintern.errors import ConfigError, LLMError
from openintern.llm.base import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_S, Embedder
from openintern.llm.hash_embedding import DEFAULT_HASH_DIM, LocalHashEmbedder
from openintern.llm.retry import RetryCallback, RetryPolicy, call_with_retries

if TYPE_CHECKING:
    import openai

EmbedderKind = Literal["local", "openai", "sentence-transformers"]

EMBED_BATCH_SIZE = 128
"""Texts per /v1/embeddings request: OpenAI accepts 2,048, but self-hosted servers (TEI,
Ollama) cap batches far lower, and 128 short chunks stay well under any body limit."""

KNOWN_DIMS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}
"""Native widths of OpenAI's models, so `dim` need not be configured for them."""

DEFAULT_SENTENCE_TRANSFORMER = "sentence-transformers/all-MiniLM-L6-v2"


def _check_width(model: str, dim: int, vectors: list[list[float]]) -> list[list[float]]:
    for vector in vectors:
        if len(vector) != dim:
            raise LLMError(
                f"embedding model {model!r} returned {len(vector)}-dim vectors; configured dim={dim}"
            )
    return vectors


class OpenAIEmbedder(Embedder):
    """Any OpenAI-compatible `/v1/embeddings`: OpenAI, Ollama, vLLM, TEI, the fake server."""

    def __init__(
        self,
        model: str,
        dim: int,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        send_dimensions: bool = False,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        retry: RetryPolicy | None = None,
        on_retry: RetryCallback | None = None,
    ) -> None:
        """`send_dimensions` asks the server to shorten vectors to `dim` (text-embedding-3 only)."""
        self._model, self._dim = model, dim
        self.base_url, self._api_key = base_url, api_key
        self.send_dimensions, self.timeout_s = send_dimensions, timeout_s
        self.retry = retry or RetryPolicy(max_attempts=DEFAULT_MAX_RETRIES + 1)
        self.on_retry = on_retry

    @property
    def model(self) -> str:
        """Model name sent to the endpoint."""
        return self._model

    @property
    def dim(self) -> int:
        """Configured vector width."""
        return self._dim

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed in batches of `EMBED_BATCH_SIZE`, each retried on transient errors."""
        vectors: list[list[float]] = []
        for start in range(0, len(texts), EMBED_BATCH_SIZE):
            batch = list(texts[start : start + EMBED_BATCH_SIZE])
            vectors += await call_with_retries(partial(self._embed_batch, batch), self.retry, self.on_retry)
        return _check_width(self._model, self._dim, vectors)

    async def _embed_batch(self, batch: list[str]) -> list[list[float]]:
        from openintern.llm.openai import map_openai_errors, openai_client

        client: openai.AsyncOpenAI = openai_client(self.base_url, self._api_key, self.timeout_s)
        extra: dict[str, Any] = {"dimensions": self._dim} if self.send_dimensions else {}
        with map_openai_errors(model=self._model, base_url=self.base_url, timeout_s=self.timeout_s):
            response = await client.embeddings.create(
                model=self._model, input=batch, encoding_format="float", timeout=self.timeout_s, **extra
            )
        return [list(item.embedding) for item in sorted(response.data, key=lambda d: d.index)]


class SentenceTransformerEmbedder(Embedder):
    """A local sentence-transformers model (the optional `embeddings` extra).

    Loading a model takes seconds: build this off the event loop.
    """

    def __init__(self, model: str = DEFAULT_SENTENCE_TRANSFORMER, *, device: str | None = None) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            hint = "pip install 'openintern[embeddings]'"
            raise ConfigError(f"the sentence-transformers embedder needs the optional extra: {hint}") from exc
        self._model = model
        self._encoder: Any = SentenceTransformer(model, device=device)
        self._dim = int(self._encoder.get_sentence_embedding_dimension())

    @property
    def model(self) -> str:
        """Model name or path."""
        return self._model

    @property
    def dim(self) -> int:
        """The model's native vector width."""
        return self._dim

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Encode in a worker thread, L2-normalised like the other embedders."""
        if not texts:
            return []
        array = await asyncio.to_thread(self._encoder.encode, list(texts), normalize_embeddings=True)
        return [[float(x) for x in row] for row in array]


def create_embedder(
    kind: EmbedderKind = "local",
    model: str | None = None,
    dim: int | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
) -> Embedder:
    """The embedder for a configuration; `kind="local"` needs nothing and works offline."""
    if kind == "local":
        return LocalHashEmbedder(dim or DEFAULT_HASH_DIM)
    if kind == "openai":
        if not model:
            raise ConfigError("the openai embedder needs a model name")
        width = dim or KNOWN_DIMS.get(model)
        if width is None:
            raise ConfigError(f"set the embedding dim for model {model!r} (its width is not known)")
        return OpenAIEmbedder(model, width, base_url=base_url, api_key=api_key)
    if kind == "sentence-transformers":
        embedder = SentenceTransformerEmbedder(model or DEFAULT_SENTENCE_TRANSFORMER)
        if dim is not None and dim != embedder.dim:
            raise ConfigError(f"model {embedder.model!r} makes {embedder.dim}-dim vectors, not dim={dim}")
        return embedder
    raise ConfigError(f"unknown embedder kind {kind!r}; use local, openai or sentence-transformers")
