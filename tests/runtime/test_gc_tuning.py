"""The long-lived processes tune the garbage collector (runtime/gc_tuning.py)."""

from __future__ import annotations

import json
import subprocess
import sys

from openintern.runtime.gc_tuning import YOUNG_THRESHOLD


def test_tune_gc_freezes_start_up_and_raises_the_young_threshold() -> None:
    # A process of its own: the setting is process-wide and the test process keeps its own.
    script = (
        "import gc, json; import openintern.runtime;"
        " from openintern.runtime.gc_tuning import tune_gc; before = gc.get_threshold(); tune_gc();"
        " a = []; a.append(a); del a; collected = gc.collect();"
        " print(json.dumps([before, gc.get_threshold(), gc.get_freeze_count(), collected]))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    before, after, frozen, collected = json.loads(out.stdout)
    assert after == [YOUNG_THRESHOLD, before[1], before[2]]
    assert frozen > 10_000  # the imported modules' objects
    assert collected >= 1  # cycles made afterwards are still collected
