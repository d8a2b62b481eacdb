"""``openintern users create|list``: manage users of an org directly in the database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from openintern.cli.output import console, handle_errors, print_json, table

app = typer.Typer(help="Manage users.", no_args_is_help=True)


@app.command("create")
@handle_errors
def create(
    username: str,
    password: str | None = typer.Option(
        None, "--password", help="Asked for (hidden, twice) when missing and stdin is a terminal."
    ),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
    role: str = typer.Option("member", help="owner|admin|member|viewer"),
    display_name: str = typer.Option("", help="Full name."),
    org: str = typer.Option("org_default", "--org"),
    config: Path | None = typer.Option(None, "--config"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Create a user and add them to an org."""
    from openintern.auth import add_user_to_org
    from openintern.cli import prompts
    from openintern.cli.admin import admin_scope, open_database
    from openintern.schemas.actions import UserCreate

    password = prompts.secret(password, "--password", "Password", confirm=True, from_stdin=password_stdin)

    async def go() -> object:
        async with open_database(config) as db, admin_scope(db, org, None) as (session, scope):
            body = UserCreate(username=username, password=password, role=role, display_name=display_name)  # type: ignore[arg-type]
            return await add_user_to_org(session, scope, body)

    member = asyncio.run(go())
    if as_json:
        print_json(member.model_dump(mode="json"))  # type: ignore[attr-defined]
    else:
        console.print(f"[green]created[/] {username} ({role}) in {org}")


@app.command("list")
@handle_errors
def list_(
    org: str = typer.Option("org_default", "--org"),
    config: Path | None = typer.Option(None, "--config"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List the members of an org."""
    from openintern.auth import list_members
    from openintern.cli.admin import admin_scope, open_database
    from openintern.schemas.core import Member

    async def go() -> list[Member]:
        async with open_database(config) as db, admin_scope(db, org, None) as (session, scope):
            return await list_members(session, scope, 500, None)

    rows = asyncio.run(go())
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])  # type: ignore[attr-defined]
        return
    table(
        "Members of " + org,
        ["user id", "username", "name", "role"],
        [(r.user_id, r.username, r.display_name, r.role) for r in rows],
    )  # type: ignore[attr-defined]


@app.command("unlock")
@handle_errors
def unlock(
    username: str | None = typer.Argument(None, help="The user whose login lockout to lift."),
    address: str | None = typer.Option(None, "--address", help="Lift a client address's lockout instead."),
    org: str = typer.Option("org_default", "--org"),
    config: Path | None = typer.Option(None, "--config"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Lift a login lockout (after too many failed logins) and forget the failures."""
    from openintern.auth import throttle
    from openintern.cli.admin import admin_scope, open_database

    if (username is None) == (address is None):
        raise typer.BadParameter("give a username or --address, not both")

    async def go() -> bool:
        async with open_database(config) as db, admin_scope(db, org, None) as (session, scope):
            if username is not None:
                return await throttle.unlock_user(session, scope, username)
            assert address is not None
            return await throttle.unlock_address(session, scope, address)

    lifted = asyncio.run(go())
    what = username if username is not None else f"address {address}"
    if as_json:
        print_json({"subject": what, "lifted": lifted})
    else:
        console.print(f"[green]unlocked[/] {what}" if lifted else f"{what} was not locked out")
