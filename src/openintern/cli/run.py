"""``openintern login | run | tail | export``: talk to a running platform over its HTTP API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from openintern.cli.output import console, handle_errors, print_json

_URL = typer.Option(None, "--url", help="Platform URL (OPENINTERN_URL, default http://127.0.0.1:$PORT).")
_TOKEN = typer.Option(None, "--token", help="Access token or API key (OPENINTERN_TOKEN).")


@handle_errors
def login(
    username: str = typer.Option("admin", "--username", "-u", help="Who logs in."),
    password: str | None = typer.Option(
        None, "--password", help="Asked for (hidden) when missing and stdin is a terminal."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin (scripts, CI)."
    ),
    url: str | None = _URL,
) -> None:
    """Log in and keep the token for the other commands (DATA_DIR/cli-token, mode 600)."""
    from openintern.cli import prompts
    from openintern.cli.client import LOGIN_PATH, Client, save_token

    password = prompts.secret(password, "--password", "Password", from_stdin=password_stdin)
    client = Client(url)
    token = client.request("POST", LOGIN_PATH, json={"username": username, "password": password})
    path = save_token(token["access_token"])
    console.print(f"[green]logged in[/] to {client.url} as {username}; token saved in {path}")


@handle_errors
def run(
    text: str = typer.Argument(..., help="What the agent should do."),
    session: str | None = typer.Option(None, "--session", "-s", help="Continue this conversation."),
    stream: bool = typer.Option(False, "--stream", help="Show tokens and tool calls live."),
    model: str | None = typer.Option(None, "--model", help="Model (default: the org's or LLM_MODEL)."),
    tools: str | None = typer.Option(None, "--tools", help="Comma-separated tool names."),
    max_steps: int | None = typer.Option(None, "--max-steps"),
    group: str | None = typer.Option(None, "--group", "-g", help="Give the task to this team (id or name)."),
    role: str | None = typer.Option(None, "--role", help="Run as this role (id)."),
    url: str | None = _URL,
    token: str | None = _TOKEN,
    as_json: bool = typer.Option(False, "--json", help="Print the finished run as JSON."),
) -> None:
    """Start a run and wait for its answer (with --stream, watch it think; with --group, a team)."""
    from openintern.cli.client import Client
    from openintern.cli.teams import group_id

    client = Client(url, token)
    if group:
        team = {"input": text, "session_key": session}
        path = f"/api/groups/{group_id(client, group)}/runs"
        created = client.request("POST", path, json={k: v for k, v in team.items() if v is not None})
    else:
        body: dict[str, Any] = {"input": text, "session_key": session, "model": model, "max_steps": max_steps}
        body["role_id"] = role
        if tools:
            body["tools"] = [t.strip() for t in tools.split(",") if t.strip()]
        created = client.request("POST", "/api/runs", json={k: v for k, v in body.items() if v is not None})
    run_id = created["run_id"]
    if stream and not as_json:
        from openintern.cli.transcript import Transcript

        console.print(f"[dim]run {run_id}[/]")
        show = Transcript(console)
        for event in client.events(run_id):
            show(event)
    else:
        with console.status(f"running {run_id}…", spinner="dots"):
            for _ in client.events(run_id):
                pass
    final = client.request("GET", f"/api/runs/{run_id}")
    if as_json:
        print_json(final)
    elif not stream:
        _summary(final)
    if final["status"] != "completed":
        raise typer.Exit(1)


@handle_errors
def tail(
    run_id: str = typer.Argument(..., help="The run to follow."),
    after: int = typer.Option(0, "--after", help="Start after this event seq."),
    url: str | None = _URL,
    token: str | None = _TOKEN,
    as_json: bool = typer.Option(False, "--json", help="One JSON event per line."),
) -> None:
    """Follow a run's events until it ends; reconnects (no gap, no duplicate) if the stream drops."""
    from openintern.cli.client import Client
    from openintern.cli.transcript import Transcript

    show = Transcript(console, verbose=True)
    for event in Client(url, token).events(run_id, after):
        if as_json:
            import json

            print(json.dumps(event), flush=True)
        else:
            show(event)


@handle_errors
def export(
    run_id: str = typer.Argument(...),
    format: str = typer.Option("json", "--format", "-f", help="json | jsonl"),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to a file instead of stdout."),
    url: str | None = _URL,
    token: str | None = _TOKEN,
) -> None:
    """Export a run and its whole event log."""
    from openintern.cli.client import Client

    if format not in ("json", "jsonl"):
        raise typer.BadParameter("use json or jsonl", param_hint="--format")
    text = Client(url, token).http.get(f"/api/runs/{run_id}/export", params={"format": format})
    if text.status_code >= 400:
        raise typer.BadParameter(f"HTTP {text.status_code}: {text.text[:200]}", param_hint="RUN_ID")
    if output:
        output.write_text(text.text)
        console.print(f"[green]wrote[/] {output}")
    else:
        print(text.text, end="" if text.text.endswith("\n") else "\n")


def _summary(run: dict[str, Any]) -> None:
    if run["status"] == "completed":
        console.print(run["output"] or "", highlight=False, markup=False)
        u = run["usage"]
        console.print(
            f"[dim]{run['run_id']} · {run['steps']} steps · {u['total_tokens']} tokens · "
            f"${u['cost_usd']:.4f}[/]"
        )
    else:
        console.print(f"[red]{run['status']}:[/] {run.get('error')}")
