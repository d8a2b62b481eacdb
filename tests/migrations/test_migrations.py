"""Migrations are history, and they converge on the ORM's schema."""

from __future__ import annotations

import threading

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, pool, text

from openintern.db.migrate import downgrade, head_revision, is_current, upgrade
from openintern.db.orm import TENANT_TABLES, Base


def _diff(url: str) -> list[object]:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": _skip_version_table}
            )
            return list(compare_metadata(ctx, Base.metadata))
    finally:
        engine.dispose()


def _skip_version_table(obj: object, name: str | None, type_: str, *_: object) -> bool:
    return not (type_ == "table" and name == "alembic_version")


def test_upgrade_from_empty_matches_the_orm(empty_database_url: str) -> None:
    assert upgrade(empty_database_url) == head_revision()
    assert _diff(empty_database_url) == []


def test_upgrade_is_idempotent(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    assert upgrade(empty_database_url) == head_revision()
    assert is_current(empty_database_url) == (head_revision(), head_revision())


def test_two_processes_migrating_at_once_both_succeed(empty_database_url: str) -> None:
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(upgrade(empty_database_url))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [head_revision(), head_revision()]


def test_downgrade_and_upgrade_round_trip(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    downgrade(empty_database_url, "base")
    assert is_current(empty_database_url)[0] is None
    upgrade(empty_database_url)
    assert _diff(empty_database_url) == []


def test_every_tenant_table_has_row_level_security(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    engine = create_engine(empty_database_url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT relname FROM pg_class WHERE relrowsecurity AND relkind = 'r'")).all()
    engine.dispose()
    assert {r[0] for r in rows} == set(TENANT_TABLES)
