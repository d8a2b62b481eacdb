"""The tools every agent may be offered (subject to its ToolPolicy)."""

from __future__ import annotations

from openintern.tools.builtin.files import list_files, read_file, write_file
from openintern.tools.builtin.memory import (
    core_memory_append,
    core_memory_replace,
    memory_get,
    memory_search,
    memory_write,
    mineru_ingest_pdf,
)
from openintern.tools.builtin.misc import current_time, echo, run_command
from openintern.tools.builtin.trace import export_trace
from openintern.tools.registry import Tool, ToolRegistry

BUILTIN_TOOLS: tuple[Tool, ...] = (
    read_file,
    list_files,
    write_file,
    run_command,
    export_trace,
    echo,
    current_time,
    memory_search,
    memory_get,
    memory_write,
    core_memory_append,
    core_memory_replace,
    mineru_ingest_pdf,
)


def default_registry() -> ToolRegistry:
    """A new registry holding the built-ins; callers may register more without affecting others."""
    return ToolRegistry(BUILTIN_TOOLS)


__all__ = [
    "BUILTIN_TOOLS",
    "core_memory_append",
    "core_memory_replace",
    "current_time",
    "default_registry",
    "echo",
    "export_trace",
    "list_files",
    "memory_get",
    "memory_search",
    "memory_write",
    "mineru_ingest_pdf",
    "read_file",
    "run_command",
    "write_file",
]
