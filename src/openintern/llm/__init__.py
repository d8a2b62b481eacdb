"""Talking to language models: the `ChatModel` interface, typed messages, providers,
retries, pricing and embeddings.

The rest of OpenIntern imports only this package, never a vendor SDK. Vendor adapters
(`openintern.llm.openai`, `openintern.llm.anthropic`) load on demand from
`create_chat_model`, so importing this package does not import either SDK.
"""

from openintern.llm.base import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT_S,
    ChatModel,
    Embedder,
    ModelSettings,
    ProviderConfig,
)
from openintern.llm.embeddings import (
    EmbedderKind,
    OpenAIEmbedder,
    SentenceTransformerEmbedder,
    create_embedder,
)
from openintern.llm.factory import aclose_clients, create_chat_model
from openintern.llm.hash_embedding import DEFAULT_HASH_DIM, LocalHashEmbedder
from openintern.llm.messages import (
    Message,
    MessagesAdapter,
    ModelResponse,
    Role,
    StreamEvent,
    StreamEventAdapter,
    TextDelta,
    ToolCall,
    ToolSpec,
    Usage,
)
from openintern.llm.pricing import PRICES, Price, cost_usd, price_of
from openintern.llm.retry import RetryCallback, RetryEvent, RetryPolicy, call_with_retries, is_retryable

__all__ = [
    "DEFAULT_HASH_DIM",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT_S",
    "PRICES",
    "ChatModel",
    "Embedder",
    "EmbedderKind",
    "LocalHashEmbedder",
    "Message",
    "MessagesAdapter",
    "ModelResponse",
    "ModelSettings",
    "OpenAIEmbedder",
    "Price",
    "ProviderConfig",
    "RetryCallback",
    "RetryEvent",
    "RetryPolicy",
    "Role",
    "SentenceTransformerEmbedder",
    "StreamEvent",
    "StreamEventAdapter",
    "TextDelta",
    "ToolCall",
    "ToolSpec",
    "Usage",
    "aclose_clients",
    "call_with_retries",
    "cost_usd",
    "create_chat_model",
    "create_embedder",
    "is_retryable",
    "price_of",
]
