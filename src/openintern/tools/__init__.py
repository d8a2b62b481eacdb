"""Tools the agents call: typed functions, their registry, the ToolPolicy and the sandbox.

A tool is a plain (async or sync) function whose JSON schema comes from its signature
and whose description comes from its docstring; `ToolRegistry.call` validates the
model's arguments, runs the tool within a time limit and turns every failure into an
error `ToolOutcome` the model can read (only `ApprovalRequired` propagates). The policy
(`decide`) and the sandbox (`run_sandboxed`) are separate steps the runtime composes.
"""

from openintern.tools._confine import SandboxIsolation
from openintern.tools.builtin import BUILTIN_TOOLS, default_registry
from openintern.tools.context import EventsReader, Risk, ToolContext, ToolOutcome, ToolServices
from openintern.tools.policy import Action, Decision, PolicyRule, decide, enforce
from openintern.tools.registry import DEFAULT_TOOL_TIMEOUT_S, Tool, ToolRegistry, tool
from openintern.tools.sandbox import (
    NetworkIsolation,
    SandboxLimits,
    SandboxResult,
    network_isolation,
    run_sandboxed,
    sandbox_isolation,
)
from openintern.tools.validation import MAX_OUTPUT_CHARS

__all__ = [
    "BUILTIN_TOOLS",
    "DEFAULT_TOOL_TIMEOUT_S",
    "MAX_OUTPUT_CHARS",
    "Action",
    "Decision",
    "EventsReader",
    "NetworkIsolation",
    "PolicyRule",
    "Risk",
    "SandboxIsolation",
    "SandboxLimits",
    "SandboxResult",
    "Tool",
    "ToolContext",
    "ToolOutcome",
    "ToolRegistry",
    "ToolServices",
    "decide",
    "default_registry",
    "enforce",
    "network_isolation",
    "run_sandboxed",
    "sandbox_isolation",
    "tool",
]
