"""Alembic environment: runs on the connection that ``db.migrate`` hands over (it holds the
advisory lock), or on ``sqlalchemy.url`` when alembic is used directly."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from openintern.db.orm import Base

config = context.config
target_metadata = Base.metadata


def _include(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # alembic's own version table is not part of the ORM.
    return not (type_ == "table" and name == "alembic_version")


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
        with engine.connect() as conn:
            _run_on(conn)
        return
    _run_on(connection)


def _run_on(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        include_object=_include,
        compare_type=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
