"""The ``agent`` run kind: the agent loop, its state, its tools and its memory hooks.

Registered with the engine by the composition root (`openintern.container`); it imports
the engine (`openintern.runtime`) and never another kind.
"""

from openintern.agents.delegate import DELEGATE, delegate_tool
from openintern.agents.kind import AgentKind
from openintern.agents.loop import DEFAULT_SYSTEM_PROMPT, run_agent
from openintern.agents.spawn import SPAWN_AGENT, spawn_agent_tool
from openintern.agents.toolbox import DEFAULT_TOOLS, Toolbox, load_toolbox

__all__ = [
    "DEFAULT_SYSTEM_PROMPT",
    "DEFAULT_TOOLS",
    "DELEGATE",
    "SPAWN_AGENT",
    "AgentKind",
    "Toolbox",
    "delegate_tool",
    "load_toolbox",
    "run_agent",
    "spawn_agent_tool",
]
