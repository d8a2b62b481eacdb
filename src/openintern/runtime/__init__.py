"""The run engine: queue, workers, the event log, checkpoints, streams, the agent loop.

Knows no HTTP and no group/workflow/external details: other run kinds register an
executor in :mod:`openintern.runtime.kinds`.
"""

from openintern.runtime import kinds
from openintern.runtime.assembly import build_services
from openintern.runtime.events import EventWriter, LeaseLost, read_events
from openintern.runtime.executor import run_agent
from openintern.runtime.processes import WorkerProcesses
from openintern.runtime.startup import prefetch_agent_starts
from openintern.runtime.streams import EventHub, follow
from openintern.runtime.worker import Worker

kinds.register("agent", run_agent, prefetch_agent_starts)

__all__ = [
    "EventHub",
    "EventWriter",
    "LeaseLost",
    "Worker",
    "WorkerProcesses",
    "build_services",
    "follow",
    "kinds",
    "read_events",
    "run_agent",
]
