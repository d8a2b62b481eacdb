"""Assembling an Anthropic Messages stream into text, tool calls and usage.

The stream is `message_start`, then per content block `content_block_start` →
`content_block_delta`* → `content_block_stop`, then `message_delta` (stop reason, output
usage) and `message_stop`. Any event, block or delta type not listed here raises.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from openintern.llm._errors import unsupported
from openintern.llm.messages import ToolCall, Usage


@dataclass
class _Block:
    kind: str
    parts: list[str] = field(default_factory=list)
    id: str = ""
    name: str = ""
    initial_input: Any = None


@dataclass
class StreamState:
    """Folds raw stream events; `apply()` returns the text delta to emit, if any."""

    model: str | None = None
    usage: Usage = field(default_factory=Usage)
    stop_reason: str | None = None
    stopped: bool = False
    blocks: dict[int, _Block] = field(default_factory=dict)

    def apply(self, event: Any) -> str:
        """Fold one event in; return new text ("" when the event carries none)."""
        handler = getattr(self, "_on_" + str(event.type), None)
        if handler is None:
            raise unsupported("anthropic", "stream event", event.type)
        result: str = handler(event) or ""
        return result

    def _on_message_start(self, event: Any) -> None:
        self.model = event.message.model
        self.usage = _usage(event.message.usage, self.usage)

    def _on_content_block_start(self, event: Any) -> str:
        block = event.content_block
        if block.type == "text":
            self.blocks[event.index] = _Block("text", [block.text] if block.text else [])
            return str(block.text or "")
        if block.type == "tool_use":
            self.blocks[event.index] = _Block(
                "tool_use", id=block.id, name=block.name, initial_input=block.input
            )
            return ""
        raise unsupported("anthropic", "content block", block.type)

    def _on_content_block_delta(self, event: Any) -> str:
        delta, block = event.delta, self.blocks[event.index]
        if delta.type == "text_delta":
            block.parts.append(delta.text)
            return str(delta.text)
        if delta.type == "input_json_delta":
            block.parts.append(delta.partial_json)
            return ""
        raise unsupported("anthropic", "content delta", delta.type)

    def _on_content_block_stop(self, event: Any) -> None:
        return None

    def _on_message_delta(self, event: Any) -> None:
        self.stop_reason = event.delta.stop_reason or self.stop_reason
        self.usage = _usage(event.usage, self.usage)

    def _on_message_stop(self, event: Any) -> None:
        self.stopped = True

    def _on_ping(self, event: Any) -> None:
        return None

    def text(self) -> str:
        """All text blocks, in order."""
        return "".join("".join(b.parts) for _, b in sorted(self.blocks.items()) if b.kind == "text")

    def tool_calls(self) -> list[ToolCall]:
        """All tool_use blocks, in order, with their input as raw JSON."""
        calls = []
        for _, block in sorted(self.blocks.items()):
            if block.kind != "tool_use":
                continue
            arguments = "".join(block.parts) or json.dumps(block.initial_input or {})
            calls.append(ToolCall(id=block.id, name=block.name, arguments=arguments))
        return calls


def _usage(raw: Any, previous: Usage) -> Usage:
    """Merge a usage report: `message_delta` counts are cumulative and may omit input tokens."""
    if raw is None:
        return previous
    reported_input = getattr(raw, "input_tokens", None)
    prompt = previous.prompt_tokens
    if reported_input is not None:
        prompt = (
            reported_input
            + (getattr(raw, "cache_read_input_tokens", None) or 0)
            + (getattr(raw, "cache_creation_input_tokens", None) or 0)
        )
    completion = getattr(raw, "output_tokens", None)
    return Usage.of(prompt, previous.completion_tokens if completion is None else completion)
