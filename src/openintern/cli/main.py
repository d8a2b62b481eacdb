"""``openintern``: the Typer app that gathers one sub-app or command per noun."""

from __future__ import annotations

import typer

from openintern import __version__
from openintern.cli import db as db_cmd
from openintern.cli import dev, doctor, init, keys, memory, serve, teams, users, worker
from openintern.cli import run as run_cmd

app = typer.Typer(
    name="openintern",
    help="OpenIntern: a self-hosted, multi-tenant runtime for LLM agents.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("init")(init.init)
app.command("serve")(serve.serve)
app.command("api")(serve.api)
app.command("worker")(worker.worker)
app.command("login")(run_cmd.login)
app.command("run")(run_cmd.run)
app.command("tail")(run_cmd.tail)
app.command("export")(run_cmd.export)
app.command("migrate")(db_cmd.migrate)
app.command("doctor")(doctor.doctor)
app.add_typer(keys.app, name="keys")
app.add_typer(users.app, name="users")
app.add_typer(dev.app, name="dev")
app.add_typer(memory.app, name="memory")
app.add_typer(teams.roles_app, name="roles")
app.add_typer(teams.groups_app, name="groups")
app.command("blackboard")(teams.blackboard)


def _version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
    verbose: bool = typer.Option(
        False,
        "--verbose",
        "-v",
        help="Debug logging on stderr (else one-shot commands log to DATA_DIR/logs/cli.log).",
    ),
) -> None:
    from openintern.auth.redact import install_redaction
    from openintern.cli import logs

    logs.configure(command=ctx.invoked_subcommand, verbose=verbose)
    install_redaction()  # tokens, keys and passwords never reach a log line (serve's access log too)


def main() -> None:
    app()
