"""The tools every agent may be offered (subject to its ToolPolicy)."""

from __future__ import annotations

from openintern.tools.builtin.files import list_files, read_file, write_file
from openintern.tools.builtin.misc import current_time, echo, run_command
from openintern.tools.builtin.trace import EVENTS_READER, EventsReader, export_trace
from openintern.tools.registry import Tool, ToolRegistry

BUILTIN_TOOLS: tuple[Tool, ...] = (
    read_file,
    list_files,
    write_file,
    run_command,
    export_trace,
    echo,
    current_time,
)


def default_registry() -> ToolRegistry:
    """A new registry holding the built-ins; callers may register more without affecting others."""
    return ToolRegistry(BUILTIN_TOOLS)


__all__ = [
    "BUILTIN_TOOLS",
    "EVENTS_READER",
    "EventsReader",
    "current_time",
    "default_registry",
    "echo",
    "export_trace",
    "list_files",
    "read_file",
    "run_command",
    "write_file",
]
