"""The server checks refuse old PostgreSQL and missing/old pgvector with a clear message, and
say whether the server has the huge pages it could use."""

from __future__ import annotations

import logging
from pathlib import Path

import psycopg
import pytest

from openintern.cli.doctor import huge_pages_check
from openintern.config import load_settings
from openintern.db.engine import libpq_conninfo
from openintern.db.server import (
    HUGE_PAGES_MARKER,
    HUGE_PAGES_WORTH_MB,
    ServerInfo,
    SharedMemory,
    advise_huge_pages,
    check_server,
    inspect_server,
    prepare_database,
)
from openintern.errors import DatabaseError


def test_current_embedded_server_passes(database_url: str) -> None:
    info = inspect_server(database_url)
    assert info.version_num >= 180000 and info.pgvector_installed
    check_server(info)


def test_the_servers_shared_memory_is_read_as_it_is(database_url: str) -> None:
    memory = inspect_server(database_url).memory
    assert memory is not None
    with psycopg.connect(libpq_conninfo(database_url)) as conn:
        buffers = conn.execute("SELECT pg_size_bytes(current_setting('shared_buffers'))").fetchone()
        status = conn.execute("SHOW huge_pages_status").fetchone()
        needed = conn.execute("SHOW shared_memory_size_in_huge_pages").fetchone()
    assert buffers and status and needed
    assert memory.shared_buffers_mb == buffers[0] // 2**20
    assert memory.status == status[0] and memory.pages_needed == int(needed[0])
    assert memory.huge_pages in {"try", "on", "off"}


@pytest.mark.parametrize(
    ("memory", "status", "says"),
    [
        (SharedMemory(3013, "try", "on", 1579), "ok", "in use (shared_buffers 3,013 MB)"),
        (SharedMemory(3013, "off", "off", 1579), "ok", "huge_pages = off"),
        (SharedMemory(3013, "try", "off", -1), "ok", "not available on this platform"),
        (SharedMemory(3013, "try", None, 1579), "ok", "PostgreSQL < 17 does not report it"),
        (SharedMemory(128, "try", "off", 70), "ok", "not in use (shared_buffers 128 MB"),
        (SharedMemory(3013, "try", "off", 1579), "warn", "the server would take 1,579 huge pages"),
    ],
)
def test_doctor_says_whether_huge_pages_are_in_use(memory: SharedMemory, status: str, says: str) -> None:
    check = huge_pages_check(memory)
    assert check.status == status and says in check.detail
    assert ("vm.nr_hugepages=1579" in check.fix) == (status == "warn")


@pytest.mark.parametrize(
    ("info", "message"),
    [
        (ServerInfo(140011, "14.11", "0.8.0", None), "PostgreSQL 14.11 is too old"),
        (ServerInfo(160002, "16.2", None, None), "pgvector extension is not available"),
        (ServerInfo(160002, "16.2", "0.6.2", None), "pgvector 0.6.2 is too old"),
    ],
)
def test_unsuitable_servers_are_refused(info: ServerInfo, message: str) -> None:
    with pytest.raises(DatabaseError, match=message):
        check_server(info)


def test_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(DatabaseError, match="cannot connect to PostgreSQL"):
        inspect_server("postgresql://u:p@127.0.0.1:9/x")


def test_a_start_gives_the_huge_pages_advice_once_per_data_directory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Not at every start of every process (issue 23): once, in a marker file's lifetime."""
    marker = tmp_path / "data" / HUGE_PAGES_MARKER
    big = SharedMemory(3013, "try", "off", 1579)
    with caplog.at_level(logging.INFO, logger="openintern.db.server"):
        assert advise_huge_pages(big, marker) and marker.exists()
        assert not advise_huge_pages(big, marker)
    said = [r.getMessage() for r in caplog.records if "huge pages" in r.getMessage()]
    assert said == [
        "PostgreSQL's shared memory (3013 MB) is not in huge pages: reserving the 1579 it needs"
        " (vm.nr_hugepages) saves memory search 8 - 15 % of its database CPU; see `openintern doctor`"
        " and docs/deploy.md (said once per data directory)"
    ]


@pytest.mark.parametrize(
    "memory",
    [
        SharedMemory(HUGE_PAGES_WORTH_MB - 1, "try", "off", 600),  # too small to matter (a laptop)
        SharedMemory(3013, "try", "on", 1579),  # has them
        SharedMemory(3013, "off", "off", 1579),  # told not to
        SharedMemory(3013, "try", "off", -1),  # the platform has none
    ],
)
def test_no_huge_pages_advice_where_it_would_not_pay(memory: SharedMemory, tmp_path: Path) -> None:
    assert not advise_huge_pages(memory, tmp_path / HUGE_PAGES_MARKER)
    assert not (tmp_path / HUGE_PAGES_MARKER).exists()


def test_a_start_on_a_small_server_says_nothing_of_huge_pages(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The test server holds little, so it is sized small (db/embedded.py): no advice."""
    settings = load_settings(environ={"DATABASE_URL": database_url, "DATA_DIR": str(tmp_path)})
    with caplog.at_level(logging.INFO, logger="openintern.db.server"):
        prepare_database(settings)
    memory = inspect_server(database_url).memory
    assert memory is not None and memory.shared_buffers_mb < HUGE_PAGES_WORTH_MB
    assert not [r for r in caplog.records if "huge pages" in r.getMessage()]
    assert not (tmp_path / HUGE_PAGES_MARKER).exists()
