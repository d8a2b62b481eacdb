"""``openintern roles …``, ``groups …``, ``blackboard GROUP``: teams over the platform's API.

Groups and roles are named by id or by name (the CLI looks the name up).
"""

from __future__ import annotations

from typing import Any

import typer

from openintern.cli.output import console, handle_errors, print_json, table

roles_app = typer.Typer(help="Roles: an agent's prompt, model and tools with a name.", no_args_is_help=True)
groups_app = typer.Typer(help="Groups of roles that work on a task together.", no_args_is_help=True)

_URL = typer.Option(None, "--url", help="Platform URL (OPENINTERN_URL, default http://127.0.0.1:$PORT).")
_TOKEN = typer.Option(None, "--token", help="Access token or API key (OPENINTERN_TOKEN).")
_JSON = typer.Option(False, "--json", help="Machine-readable output.")


def _client(url: str | None, token: str | None) -> Any:
    from openintern.cli.client import Client

    return Client(url, token)


def _find(client: Any, kind: str, ref: str) -> dict[str, Any]:
    """A role or group by id or name; a clear error when neither matches."""
    for item in client.request("GET", f"/api/{kind}")["items"]:
        if ref in (item["id"], item["name"]):
            return dict(item)
    raise typer.BadParameter(f"no {kind[:-1]} {ref!r} (openintern {kind} list shows them)")


def group_id(client: Any, ref: str) -> str:
    return str(_find(client, "groups", ref)["id"])


# --- roles -----------------------------------------------------------------------------


@roles_app.command("list")
@handle_errors
def roles_list(url: str | None = _URL, token: str | None = _TOKEN, as_json: bool = _JSON) -> None:
    """The org's roles."""
    items = _client(url, token).request("GET", "/api/roles")["items"]
    if as_json:
        print_json(items)
        return
    rows = [
        (r["id"], r["name"], r["model"] or "(default)", ",".join(r["tools"] or ["(defaults)"])) for r in items
    ]
    table("Roles", ["id", "name", "model", "tools"], rows)


@roles_app.command("create")
@handle_errors
def roles_create(
    name: str = typer.Argument(..., help="The role's name (a member's name in a team)."),
    prompt: str = typer.Option(..., "--prompt", "-p", help="Its system prompt."),
    description: str | None = typer.Option(None, "--description", "-d"),
    model: str | None = typer.Option(None, "--model", help="Its model (default: the org's)."),
    tools: str | None = typer.Option(None, "--tools", help="Comma-separated tool names."),
    url: str | None = _URL,
    token: str | None = _TOKEN,
    as_json: bool = _JSON,
) -> None:
    """Create a role."""
    body: dict[str, Any] = {"name": name, "system_prompt": prompt, "description": description, "model": model}
    if tools:
        body["tools"] = [t.strip() for t in tools.split(",") if t.strip()]
    made = _client(url, token).request(
        "POST", "/api/roles", json={k: v for k, v in body.items() if v is not None}
    )
    if as_json:
        print_json(made)
    else:
        console.print(f"[green]created[/] role {made['id']} ({made['name']})")


@roles_app.command("show")
@handle_errors
def roles_show(
    role: str = typer.Argument(..., help="Role id or name."),
    url: str | None = _URL,
    token: str | None = _TOKEN,
) -> None:
    """A role and its stats."""
    client = _client(url, token)
    found = _find(client, "roles", role)
    stats = client.request("GET", f"/api/roles/{found['id']}/stats")
    print_json({**found, "stats": stats})


@roles_app.command("delete")
@handle_errors
def roles_delete(
    role: str = typer.Argument(..., help="Role id or name."),
    url: str | None = _URL,
    token: str | None = _TOKEN,
) -> None:
    """Delete a role (refused while a group seats it)."""
    client = _client(url, token)
    found = _find(client, "roles", role)
    client.request("DELETE", f"/api/roles/{found['id']}")
    console.print(f"[green]deleted[/] role {found['id']} ({found['name']})")


# --- groups ----------------------------------------------------------------------------


@groups_app.command("list")
@handle_errors
def groups_list(url: str | None = _URL, token: str | None = _TOKEN, as_json: bool = _JSON) -> None:
    """The org's groups and their members (★ the lead)."""
    items = _client(url, token).request("GET", "/api/groups")["items"]
    if as_json:
        print_json(items)
        return
    rows = [(g["id"], g["name"], g["orchestrator"], _members(g["members"])) for g in items]
    table("Groups", ["id", "name", "orchestrator", "members"], rows)


def _members(members: list[dict[str, Any]]) -> str:
    return ", ".join(("★ " if m["is_lead"] else "") + m["agent_id"] for m in members) or "(none)"


@groups_app.command("create")
@handle_errors
def groups_create(
    name: str = typer.Argument(...),
    orchestrator: str = typer.Option(
        "serial", "--orchestrator", "-o", help="serial | parallel | lead_directed"
    ),
    members: str | None = typer.Option(
        None, "--members", "-m", help="Comma-separated roles (ids or names), in order; the last leads."
    ),
    description: str = typer.Option("", "--description", "-d"),
    url: str | None = _URL,
    token: str | None = _TOKEN,
    as_json: bool = _JSON,
) -> None:
    """Create a group, optionally with its members."""
    client = _client(url, token)
    group = client.request(
        "POST", "/api/groups", json={"name": name, "orchestrator": orchestrator, "description": description}
    )
    refs = [m.strip() for m in (members or "").split(",") if m.strip()]
    for i, ref in enumerate(refs):
        role = _find(client, "roles", ref)
        body = {"role_id": role["id"], "is_lead": i == len(refs) - 1}
        client.request("POST", f"/api/groups/{group['id']}/members", json=body)
    group = client.request("GET", f"/api/groups/{group['id']}")
    if as_json:
        print_json(group)
    else:
        console.print(
            f"[green]created[/] group {group['id']} ({group['name']}): {_members(group['members'])}",
            soft_wrap=True,
        )


@groups_app.command("members")
@handle_errors
def groups_members(
    group: str = typer.Argument(..., help="Group id or name."),
    add: str | None = typer.Option(None, "--add", help="Add this role (id or name)."),
    lead: bool = typer.Option(False, "--lead", help="With --add: it leads."),
    remove: str | None = typer.Option(None, "--remove", help="Remove this member (agent id or role name)."),
    url: str | None = _URL,
    token: str | None = _TOKEN,
    as_json: bool = _JSON,
) -> None:
    """List a group's members, or add / remove one."""
    client = _client(url, token)
    gid = group_id(client, group)
    if add:
        role = _find(client, "roles", add)
        client.request("POST", f"/api/groups/{gid}/members", json={"role_id": role["id"], "is_lead": lead})
    seated = client.request("GET", f"/api/groups/{gid}/members")["items"]
    if remove:
        member = next((m for m in seated if remove in (m["agent_id"], m["role_name"], m["id"])), None)
        if member is None:
            raise typer.BadParameter(f"no member {remove!r} in the group", param_hint="--remove")
        client.request("DELETE", f"/api/groups/{gid}/members/{member['id']}")
        seated = [m for m in seated if m["id"] != member["id"]]
    if as_json:
        print_json(seated)
        return
    rows = [(m["position"], m["agent_id"], m["role_id"], "★" if m["is_lead"] else "") for m in seated]
    table("Members", ["#", "member", "role", "lead"], rows)


@groups_app.command("delete")
@handle_errors
def groups_delete(
    group: str = typer.Argument(..., help="Group id or name."),
    url: str | None = _URL,
    token: str | None = _TOKEN,
) -> None:
    """Delete a group (its runs and blackboard stay)."""
    client = _client(url, token)
    gid = group_id(client, group)
    client.request("DELETE", f"/api/groups/{gid}")
    console.print(f"[green]deleted[/] group {gid}")


# --- blackboard ------------------------------------------------------------------------


@handle_errors
def blackboard(
    group: str = typer.Argument(..., help="Group id or name."),
    query: str | None = typer.Option(None, "--query", "-q", help="Search the entries."),
    limit: int = typer.Option(20, "--limit", "-n"),
    url: str | None = _URL,
    token: str | None = _TOKEN,
    as_json: bool = _JSON,
) -> None:
    """A group's blackboard, newest first (or the best matches for --query)."""
    client = _client(url, token)
    gid = group_id(client, group)
    params: dict[str, Any] = {"limit": limit, **({"q": query} if query else {})}
    items = client.request("GET", f"/api/groups/{gid}/blackboard", params=params)["items"]
    if as_json:
        print_json(items)
        return
    if not items:
        console.print("[dim]no entries[/]" if not query else "[dim]no entry matches that[/]")
    for e in items:
        who = e["agent_id"] or "someone"
        console.print(
            f"[bold]{e['title']}[/]  [dim]{e['kind']} · {who} · {e['created_at'][:19]} · {e['id']}[/]"
        )
        if e["run_id"]:
            console.print(f"  [dim]run {e['run_id']}[/]")
        console.print(
            "  " + e["content"].strip().replace("\n", "\n  ")[:1200],
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


def render_message(event: dict[str, Any]) -> bool:
    """A team event in a streamed group run, one line each; False if it is not one."""
    kind, p = event["type"], event["payload"]
    if not kind.startswith("message."):
        return False
    who = p.get("agent_id", "?")
    text = " ".join(str(p.get("content") or p.get("detail") or "").split())
    if kind == "message.task":
        console.print(f"[cyan]▶ {who}[/] [dim]{text[:160]}[/]", highlight=False, soft_wrap=True)
    elif kind == "message.proposal":
        console.print(f"[green]● {who}[/] {text[:400]}", highlight=False, soft_wrap=True)
    elif kind == "message.decision":
        console.print(f"[bold green]★ {who} decides:[/] {text}", highlight=False, soft_wrap=True)
    elif kind == "message.evidence":
        console.print(f"[dim]  {who} · {p.get('tool')}: {text[:160]}[/]", highlight=False, soft_wrap=True)
    elif kind == "message.status" and p.get("status") in ("failed", "cancelled"):
        console.print(f"[red]✗ {who} {p['status']}[/] {text[:300]}", highlight=False, soft_wrap=True)
    return True
