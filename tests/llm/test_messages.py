"""Messages are JSON-serialisable (checkpoints), strict, and map to each wire format."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from openintern.llm import (
    Message,
    MessagesAdapter,
    ModelResponse,
    StreamEventAdapter,
    TextDelta,
    ToolCall,
    Usage,
)
from openintern.llm.anthropic import to_wire
from openintern.llm.openai import to_wire_message

CALL = ToolCall(id="call_1", name="add", arguments='{"a": 1, "b": 2}')
CONVERSATION = [
    Message.system("Be brief."),
    Message.user("Add 1 and 2, and 3 and 4."),
    Message.assistant("Adding.", [CALL, ToolCall(id="call_2", name="add", arguments='{"a": 3, "b": 4}')]),
    Message.tool("call_1", "3", name="add"),
    Message.tool("call_2", "7", name="add"),
]


def test_a_conversation_round_trips_through_json() -> None:
    stored = MessagesAdapter.dump_json(CONVERSATION)

    assert MessagesAdapter.validate_json(stored) == CONVERSATION


def test_stream_events_read_back_into_their_classes() -> None:
    final = ModelResponse(text="hi", model="m", provider="openai", usage=Usage.of(3, 4), tool_calls=[CALL])

    for event in (TextDelta(text="h"), final):
        assert StreamEventAdapter.validate_json(event.model_dump_json()) == event


def test_unknown_fields_and_roles_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Message.model_validate({"role": "user", "content": "x", "attachments": []})
    with pytest.raises(ValidationError):
        Message.model_validate({"role": "developer", "content": "x"})


def test_usage_adds_up() -> None:
    assert Usage.of(1, 2) + Usage.of(10, 20) == Usage(prompt_tokens=11, completion_tokens=22, total_tokens=33)


def test_openai_wire_keeps_tool_calls_and_results() -> None:
    assistant, tool = to_wire_message(CONVERSATION[2]), to_wire_message(CONVERSATION[3])

    assert assistant["tool_calls"][0] == {
        "id": "call_1",
        "type": "function",
        "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'},
    }
    assert tool == {"role": "tool", "tool_call_id": "call_1", "content": "3"}


def test_anthropic_wire_lifts_the_system_prompt_and_groups_tool_results() -> None:
    system, turns = to_wire(CONVERSATION)

    assert system == "Be brief."
    assert [t["role"] for t in turns] == ["user", "assistant", "user"]
    assert [b["type"] for b in turns[1]["content"]] == ["text", "tool_use", "tool_use"]
    assert turns[1]["content"][1]["input"] == {"a": 1, "b": 2}
    assert [b["tool_use_id"] for b in turns[2]["content"]] == ["call_1", "call_2"]


def test_anthropic_wire_keeps_unparseable_arguments() -> None:
    broken = Message.assistant("", [ToolCall(id="c", name="t", arguments="{not json")])

    _, turns = to_wire([Message.user("x"), broken])

    assert turns[1]["content"] == [
        {"type": "tool_use", "id": "c", "name": "t", "input": {"_raw_arguments": "{not json"}}
    ]
