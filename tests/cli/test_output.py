"""The CLI's error decorator, in-process: it needs no database, it is handed the errors."""

from __future__ import annotations

import pytest
import typer
from psycopg_pool import PoolTimeout
from sqlalchemy.exc import OperationalError

from openintern.cli.output import handle_errors


def test_a_database_that_cannot_be_used_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    @handle_errors
    def search() -> None:
        cause = PoolTimeout(
            "memory search got no database connection: couldn't get a connection after 10.00 sec"
        )
        raise OperationalError(None, None, cause)

    with pytest.raises(typer.Exit) as exited:
        search()
    assert exited.value.exit_code == 1
    err = " ".join(capsys.readouterr().err.split())
    assert err == (
        "error: the database could not be used: memory search got no database connection: "
        "couldn't get a connection after 10.00 sec"
    )


def test_other_errors_keep_their_traceback() -> None:
    @handle_errors
    def broken() -> None:
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        broken()
