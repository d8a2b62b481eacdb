"""The run engine: the queue, workers, the event log, checkpoints, streams, child runs.

It runs runs and nothing else: it knows no HTTP and no kind. Kinds (`agents`,
`orchestration`, `workflows`, external agents, plug-ins) implement `RunKind` and are
handed to the worker in a `KindRegistry` by the composition root (`openintern.container`).
"""

from openintern.runtime.context import ClaimedRun, RunContext
from openintern.runtime.events import EventWriter, LeaseLost, RunHandle, read_events
from openintern.runtime.kinds import KindRegistry, RunKind
from openintern.runtime.processes import WorkerProcesses
from openintern.runtime.streams import EventHub, follow
from openintern.runtime.worker import Worker

__all__ = [
    "ClaimedRun",
    "EventHub",
    "EventWriter",
    "KindRegistry",
    "LeaseLost",
    "RunContext",
    "RunHandle",
    "RunKind",
    "Worker",
    "WorkerProcesses",
    "follow",
    "read_events",
]
