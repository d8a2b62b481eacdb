"""The embedded server sizes shared_buffers for what it holds (issue 23): an empty platform
takes PostgreSQL's 128 MB, not an eighth of the machine; a new size is applied at once only
when no other process uses the server, else at its next start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from openintern.db.embedded import _shared_buffers, shared_buffers_for

GB = 1024


@pytest.mark.parametrize(
    ("data_mb", "ram_mb", "size"),
    [
        (0, 24 * GB, 128),  # an empty platform on a laptop: PostgreSQL's default, not 3 GB
        (80, 24 * GB, 128),  # 120 MB with headroom still fits
        (100, 24 * GB, 256),  # 150 MB: the next power of two
        (1_500, 24 * GB, 3_072),  # RAM/8 caps it (the old size, now only for a big database)
        (1_500, 64 * GB, 4_096),  # and 4 GB at most
        (20_000, 256 * GB, 4_096),
        (500, 2 * GB, 256),  # a small machine: RAM/8
        (0, 512, 128),  # never under the floor
    ],
)
def test_shared_buffers_follow_the_data_between_a_floor_and_a_ceiling(
    data_mb: int, ram_mb: int, size: int
) -> None:
    assert shared_buffers_for(data_mb, ram_mb) == size


def test_a_resize_waits_for_the_data_to_double_or_fall_to_a_quarter() -> None:
    """Powers of two and a dead band, so that data hovering at a boundary never restarts the
    server at every start; a configured size is applied exactly."""
    assert _shared_buffers(128, 100, None) == 256  # grew past 128 MB with headroom
    assert _shared_buffers(256, 100, None) is None  # already that
    assert _shared_buffers(256, 80, None) is None  # shrank a little: keep it
    assert _shared_buffers(3_013, 10, None) == 128  # an old install's RAM/8 on an empty platform
    assert _shared_buffers(128, 0, 512) == 512 and _shared_buffers(512, 0, 512) is None


SCRIPT = """
import json, sys
from pathlib import Path
import psycopg
from openintern.db.embedded import start_embedded
data, size, action = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
url = start_embedded(data, database="postgres", shared_buffers_mb=None if size == "-" else int(size))
with psycopg.connect(host=url.split("host=")[1], user="postgres", dbname="postgres", autocommit=True) as conn:
    if action == "load":  # ~90 MB that does not compress (TOAST would shrink repeated text)
        conn.execute(
            "CREATE TABLE filler AS SELECT s.n, (SELECT string_agg(md5(random()::text || s.n || i.i), '')"
            " FROM generate_series(1, 30) AS i(i)) AS pad FROM generate_series(1, 75000) AS s(n)"
        )
    row = conn.execute("SELECT setting, pending_restart FROM pg_settings WHERE name = 'shared_buffers'").fetchone()
    print(json.dumps({"mb": int(row[0]) * 8 // 1024, "pending": row[1]}), flush=True)
    if action == "hold":  # keep a connection until the test closes stdin
        sys.stdin.read()
"""


def _embedded(data: Path, size: str = "-", action: str = "") -> dict[str, Any]:
    """A process that starts or joins the server in ``data`` (the last one out stops it)."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(data), size, action], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def test_the_embedded_server_is_sized_for_its_data_and_resized_only_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert _embedded(data, action="load") == {"mb": 128, "pending": False}  # empty at start
    assert _embedded(data)["mb"] == 256  # ~110 MB of databases now: alone, so restarted
    holder = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(data), "-", "hold"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and json.loads(holder.stdout.readline())["mb"] == 256
        # Configured bigger while another process uses the server: no restart under it.
        assert _embedded(data, "512") == {"mb": 256, "pending": True}
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        assert holder.wait(timeout=60) == 0
    assert _embedded(data, "512") == {"mb": 512, "pending": False}  # the next start has it
