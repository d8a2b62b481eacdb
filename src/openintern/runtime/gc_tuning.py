"""Garbage-collector settings for the long-lived processes (``serve``, ``api``, ``worker``).

A worker allocates fast and keeps little: events, messages, HTTP and SQL objects for
hundreds of runs at once, almost none of it in reference cycles. At CPython's default
young-generation threshold (700 allocations) a worker ran ~400 collections in bench W2
(1,000 runs started together), and every ~10th of those promoted into a full collection
that walked every live object — the imported SDKs, the ORM, FastAPI — for up to 200 ms
with the event loop stopped: ~0.5 s of a 2 s CPU budget, and runs waiting for their first
model call behind it. The collections found ~1,300 cyclic objects in all.

So: after start-up, move what start-up built into the permanent generation (`gc.freeze`:
never scanned again; it is not garbage) and collect the young generation every
`YOUNG_THRESHOLD` allocations instead of 700. Cycles are still collected, just in larger
batches; the extra memory held is at most that many small objects.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)

YOUNG_THRESHOLD = 20_000


def tune_gc() -> None:
    """Freeze the start-up heap and raise the young generation's threshold (call once,
    when the process has imported what it needs)."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
    log.debug("gc: %d start-up objects frozen, thresholds %s", gc.get_freeze_count(), gc.get_threshold())
