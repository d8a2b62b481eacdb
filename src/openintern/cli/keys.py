"""``openintern keys create|list|revoke``: manage API keys directly in the database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from openintern.cli.output import console, handle_errors, print_json, table

app = typer.Typer(help="Manage API keys.", no_args_is_help=True)

_ORG = typer.Option("org_default", "--org", help="Org the key belongs to.")
_USER = typer.Option(None, "--user", help="Username the key acts for (default: the admin).")
_CONFIG = typer.Option(None, "--config", help="Config file.")
_JSON = typer.Option(False, "--json", help="Machine-readable output.")


@app.command("create")
@handle_errors
def create(
    name: str = typer.Argument(..., help="A name to recognise the key by."),
    project: str | None = typer.Option(None, "--project", help="Bind the key to one project."),
    role: str = typer.Option("member", "--role", help="owner|admin|member|viewer"),
    org: str = _ORG,
    user: str | None = _USER,
    config: Path | None = _CONFIG,
    as_json: bool = _JSON,
) -> None:
    """Create an API key and print it once."""
    from openintern.auth import create_key
    from openintern.cli.admin import admin_scope, open_database
    from openintern.schemas.actions import ApiKeyCreate

    async def go() -> tuple[object, str]:
        async with open_database(config) as db, admin_scope(db, org, user) as (session, scope):
            return await create_key(session, scope, ApiKeyCreate(name=name, project_id=project, role=role))  # type: ignore[arg-type]

    row, key = asyncio.run(go())
    if as_json:
        print_json({"id": row.id, "name": name, "key": key, "project_id": project})  # type: ignore[attr-defined]
        return
    console.print(f"[green]created[/] {row.id}  [bold]{key}[/]")  # type: ignore[attr-defined]
    console.print("[yellow]Store the key now: it is not shown again.[/]")


@app.command("list")
@handle_errors
def list_(
    org: str = _ORG, user: str | None = _USER, config: Path | None = _CONFIG, as_json: bool = _JSON
) -> None:
    """List API keys of an org."""
    from openintern.auth import list_keys
    from openintern.cli.admin import admin_scope, open_database
    from openintern.schemas.core import ApiKey

    async def go() -> list[ApiKey]:
        async with open_database(config) as db, admin_scope(db, org, user) as (session, scope):
            return [ApiKey.model_validate(k) for k in await list_keys(session, scope, 500, None)]

    rows = asyncio.run(go())
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    table(
        "API keys",
        ["id", "name", "prefix", "status", "role", "project", "last used"],
        [(r.id, r.name, r.prefix, r.status, r.role, r.project_id, r.last_used_at) for r in rows],
    )


@app.command("revoke")
@handle_errors
def revoke(key_id: str, org: str = _ORG, user: str | None = _USER, config: Path | None = _CONFIG) -> None:
    """Revoke an API key (final)."""
    from openintern.auth import set_key_status
    from openintern.cli.admin import admin_scope, open_database

    async def go() -> None:
        async with open_database(config) as db, admin_scope(db, org, user) as (session, scope):
            await set_key_status(session, scope, key_id, "revoked")

    asyncio.run(go())
    console.print(f"[green]revoked[/] {key_id}")
