"""Typed, vendor-neutral messages exchanged with a chat model.

These models are stored in run checkpoints, so they are plain JSON-serialisable Pydantic
models: `Message.model_dump(mode="json")` round-trips through `MessagesAdapter`. The
adapters in `llm/openai.py` and `llm/anthropic.py` translate them to and from the wire.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

Role = Literal["system", "user", "assistant", "tool"]


class _Model(BaseModel):
    # Checkpoints written by one version must be read by the next: reject unknown keys
    # loudly rather than silently drop them.
    model_config = ConfigDict(extra="forbid", frozen=True)


class ToolCall(_Model):
    """A tool call requested by the model."""

    id: str = Field(description="Provider-assigned call id; the tool result must quote it.")
    name: str = Field(description="Name of the tool to call.")
    arguments: str = Field(
        default="{}", description="Arguments exactly as the model produced them (raw JSON)."
    )


class ToolSpec(_Model):
    """A tool offered to the model."""

    name: str = Field(description="Tool name the model will use in its calls.")
    description: str = Field(default="", description="What the tool does, shown to the model.")
    parameters: dict[str, object] = Field(
        default_factory=lambda: dict[str, object](type="object", properties={}),
        description="JSON schema of the arguments object.",
    )


class Message(_Model):
    """One message of a conversation."""

    role: Role = Field(description="system | user | assistant | tool.")
    content: str = Field(default="", description="Text of the message (may be empty for tool calls).")
    tool_calls: list[ToolCall] = Field(default_factory=list, description="Calls requested (assistant only).")
    tool_call_id: str | None = Field(default=None, description="The call this answers (tool only).")
    name: str | None = Field(default=None, description="Tool name (tool) or participant name.")

    @classmethod
    def system(cls, content: str) -> Message:
        """A system prompt."""
        return cls(role="system", content=content)

    @classmethod
    def user(cls, content: str) -> Message:
        """A user turn."""
        return cls(role="user", content=content)

    @classmethod
    def assistant(cls, content: str = "", tool_calls: list[ToolCall] | None = None) -> Message:
        """An assistant turn, optionally with tool calls."""
        return cls(role="assistant", content=content, tool_calls=tool_calls or [])

    @classmethod
    def tool(cls, tool_call_id: str, content: str, name: str | None = None) -> Message:
        """The result of one tool call."""
        return cls(role="tool", content=content, tool_call_id=tool_call_id, name=name)


class Usage(_Model):
    """Token counts of one or more calls."""

    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    total_tokens: int = Field(default=0, ge=0)

    @classmethod
    def of(cls, prompt_tokens: int, completion_tokens: int) -> Usage:
        """Usage with the total filled in."""
        return cls(
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            total_tokens=prompt_tokens + completion_tokens,
        )

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
        )


class TextDelta(_Model):
    """A piece of streamed text, in arrival order."""

    kind: Literal["text_delta"] = "text_delta"
    text: str


class ModelResponse(_Model):
    """The complete answer of one model call (also the last item of a stream)."""

    kind: Literal["response"] = "response"
    text: str = Field(default="", description="Assistant text (may be empty when only tools are called).")
    tool_calls: list[ToolCall] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    model: str = Field(description="Model id as reported by the provider.")
    finish_reason: str | None = Field(
        default=None,
        description="Normalised: stop | length | tool_calls | content_filter | other provider value.",
    )
    cost_usd: float | None = Field(
        default=None, description="Cost from list prices; None when the model is unpriced."
    )
    provider: str = Field(description="openai | anthropic | scripted.")

    def to_message(self) -> Message:
        """The assistant message to append to the conversation."""
        return Message.assistant(self.text, list(self.tool_calls))


StreamEvent = Annotated[TextDelta | ModelResponse, Field(discriminator="kind")]
"""What `ChatModel.stream()` yields: text deltas, then exactly one `ModelResponse`."""

MessagesAdapter: TypeAdapter[list[Message]] = TypeAdapter(list[Message])
"""Reads a stored conversation back into `Message` objects."""

StreamEventAdapter: TypeAdapter[TextDelta | ModelResponse] = TypeAdapter(StreamEvent)
"""Reads a stored stream event back into its class."""
