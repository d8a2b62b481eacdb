"""The server checks refuse old PostgreSQL and missing/old pgvector with a clear message."""

from __future__ import annotations

import pytest

from openintern.db.server import ServerInfo, check_server, inspect_server
from openintern.errors import DatabaseError


def test_current_embedded_server_passes(database_url: str) -> None:
    info = inspect_server(database_url)
    assert info.version_num >= 180000 and info.pgvector_installed
    check_server(info)


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
