"""``openintern memory ingest|search|embed``: documents into memory, hybrid search and
re-embedding.

``ingest`` and ``search`` go through the running platform's API when one answers and you
are logged in (`client.platform_client`; `memory_api.py`), so that they do not open the
embedded database a second time beside it; otherwise, and always with ``--direct``, they
open the database themselves (no server needed, as ``keys`` does). ``embed`` always opens
the database: it is maintenance, and a platform's workers catch up by themselves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from openintern.cli.output import console, err_console, handle_errors, print_json, table

if TYPE_CHECKING:
    from openintern.db.session import Database
    from openintern.memory import MemoryService

app = typer.Typer(help="Ingest documents into memory and search it.", no_args_is_help=True)

DEFAULT_ORG = "org_default"
_ORG = typer.Option(
    None, "--org", help=f"Org the memories belong to (default: {DEFAULT_ORG}, or your token's)."
)
_PROJECT = typer.Option(None, "--project", help="Project (default: org-wide).")
_CONFIG = typer.Option(None, "--config", help="Config file.")
_JSON = typer.Option(False, "--json", help="Machine-readable output.")
_URL = typer.Option(
    None, "--url", help="The platform to go through (OPENINTERN_URL; default http://127.0.0.1:$PORT)."
)
_TOKEN = typer.Option(
    None, "--token", help="Access token or API key (OPENINTERN_TOKEN; default: your login)."
)
_DIRECT = typer.Option(False, "--direct", help="Open the database even when a platform is running.")
NO_GOOD_MATCH = "no good match (no memory matches its words or is close enough in meaning)"
INGEST_CONCURRENCY = 4
"""Files in flight: the database works on one file's rows while the embedder works on the next."""


@asynccontextmanager
async def open_memory(
    config: Path | None, *, pool_size: int = 2
) -> AsyncIterator[tuple[Database, MemoryService]]:
    """The database and its memory service, both closed on the way out. Closing the service
    closes its search connections: left open, a connection attempt still in flight when
    ``asyncio.run`` ends could hold the command forever (`memory.search_pool`)."""
    from openintern.cli.admin import open_database
    from openintern.cli.context import settings_from
    from openintern.memory import MemoryService

    async with open_database(config, pool_size=pool_size) as db:
        memory = MemoryService.from_settings(db, settings_from(config))
        try:
            yield db, memory
        finally:
            await memory.close()


@app.command("ingest")
@handle_errors
def ingest(
    paths: list[str] = typer.Argument(..., help="Files, folders or globs (.md .markdown .txt .rst .pdf)."),
    tier: str = typer.Option("archival", "--tier", help="core|episodic|archival"),
    org: str | None = _ORG,
    project: str | None = _PROJECT,
    config: Path | None = _CONFIG,
    url: str | None = _URL,
    token: str | None = _TOKEN,
    direct: bool = _DIRECT,
    as_json: bool = _JSON,
) -> None:
    """Ingest documents; unchanged files are skipped, changed ones re-indexed. Through the
    running platform when there is one (and you are logged in), else into the database."""
    from openintern.cli.client import platform_client
    from openintern.memory.ingest import expand_paths

    files = expand_paths(paths)
    if not files:
        raise typer.BadParameter("no supported files found", param_hint="PATHS")
    sources = {path: str(path.resolve()) for path in files}
    progress = _progress("ingest", disable=as_json)
    task = progress.add_task("", total=len(files))

    def done(path: Path) -> None:
        progress.update(task, description=path.name, advance=1)

    client = platform_client(url, token, direct=direct)
    with progress:
        if client is not None:
            from openintern.cli import memory_api

            headers = memory_api.scope_headers(org, project)
            items = memory_api.ingest(client, files, sources, tier=tier, headers=headers, done=done)
        else:
            items = asyncio.run(_ingest_db(files, sources, tier, org, project, config, done))
    if as_json:
        print_json({"items": items})
        return
    table(
        "Ingested",
        ["status", "chunks", "memory", "file"],
        [(i["status"], i["chunks"], i["memory_id"], i["filename"]) for i in items],
    )
    counts = {s: sum(1 for i in items if i["status"] == s) for s in ("created", "replaced", "unchanged")}
    console.print(", ".join(f"{n} {s}" for s, n in counts.items()))


def _progress(verb: str, *, disable: bool) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn(f"[bold]{verb}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=err_console,
        disable=disable,
    )


async def _ingest_db(
    files: list[Path],
    sources: dict[Path, str],
    tier: str,
    org: str | None,
    project: str | None,
    config: Path | None,
    done: Callable[[Path], None],
) -> list[dict[str, Any]]:
    """Ingest straight into the database, `INGEST_CONCURRENCY` files at once."""
    from openintern.memory import PlainScope
    from openintern.memory.ingest import aload_document

    org_id = org or DEFAULT_ORG
    items: dict[Path, dict[str, Any]] = {}
    async with open_memory(config, pool_size=INGEST_CONCURRENCY) as (db, memory):
        memory.embed_wait_s = 600.0  # a batch job: embed inline rather than in the background
        scope = PlainScope(org_id, project)
        gate = asyncio.Semaphore(INGEST_CONCURRENCY)

        async def one(path: Path) -> None:
            async with gate:
                doc = await aload_document(path)
                async with db.tenant(org_id) as session:
                    result = await memory.ingest_document(
                        session, scope, doc, tier=tier, source=sources[path]
                    )
                items[path] = {
                    "memory_id": result.memory_id,
                    "filename": str(path),
                    "chunks": result.chunks,
                    "status": result.status,
                }
                done(path)

        await asyncio.gather(*(one(path) for path in files))
        await memory.wait_background()
    return [items[path] for path in files]


@app.command("search")
@handle_errors
def search(
    query: str = typer.Argument(..., help="Keywords or a question (any language)."),
    top_k: int = typer.Option(5, "--top-k", min=1, max=100, help="How many results."),
    tier: list[str] | None = typer.Option(None, "--tier", help="Only this tier (repeatable)."),
    org: str | None = _ORG,
    project: str | None = _PROJECT,
    config: Path | None = _CONFIG,
    url: str | None = _URL,
    token: str | None = _TOKEN,
    direct: bool = _DIRECT,
    as_json: bool = _JSON,
) -> None:
    """Hybrid (vector + full-text) search of memory. Through the running platform when
    there is one (and you are logged in), else in the database."""
    from openintern.cli.client import platform_client

    client = platform_client(url, token, direct=direct)
    if client is not None:
        from openintern.cli import memory_api

        headers = memory_api.scope_headers(org, project)
        results = memory_api.search(client, query, top_k=top_k, tiers=tier, headers=headers)
    else:
        results = asyncio.run(_search_db(query, top_k, tier, org or DEFAULT_ORG, project, config))
    if as_json:
        print_json({"results": results})
        return
    _print_results(results)


async def _search_db(
    query: str, top_k: int, tiers: list[str] | None, org: str, project: str | None, config: Path | None
) -> list[dict[str, Any]]:
    from openintern.memory import PlainScope

    async with open_memory(config) as (db, memory), db.tenant(org) as session:
        results = await memory.search(session, PlainScope(org, project), query, tiers=tiers, top_k=top_k)
    return [
        {
            "memory_id": r.memory.id,
            "title": r.memory.title,
            "tier": r.memory.tier,
            "snippet": r.snippet,
            "score": r.scores["rrf"],
            "scores": r.scores,
        }
        for r in results
    ]


def _print_results(results: list[dict[str, Any]]) -> None:
    import html

    from rich.markup import escape

    if not results:  # not even a weak one: those below memory.min_relevance are left out
        console.print(NO_GOOD_MATCH, highlight=False)
        return
    for i, r in enumerate(results, 1):
        snippet = escape(html.unescape(r["snippet"])).replace("<b>", "[bold yellow]").replace("</b>", "[/]")
        console.print(
            f"[bold]{i}. {r['title']}[/]  [dim]{r['tier']} · {r['memory_id']} · score {r['score']:.4f}[/]"
        )
        console.print(f"   {snippet}")


@app.command("embed")
@handle_errors
def embed(config: Path | None = _CONFIG, as_json: bool = _JSON) -> None:
    """Embed every chunk that has no vector or another model's (after changing
    `memory.embedder` / `memory.embedding_model`). Workers also do this in the background on start."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    async def go() -> dict[str, int]:
        async with open_memory(config) as (_, memory):
            pending = await memory.pending_by_org()
            progress = Progress(
                TextColumn("[bold]embed[/] {task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err_console,
                disable=as_json,
            )
            tasks: dict[str, Any] = {}
            with progress:
                for org_id, total in pending.items():
                    tasks[org_id] = progress.add_task(org_id, total=total)

                def step(org_id: str, done: int, total: int) -> None:
                    progress.update(tasks[org_id], completed=min(done, total))

                await memory.catch_up(step)
            return pending

    pending = asyncio.run(go())
    if as_json:
        print_json({"embedded": pending})
        return
    console.print(f"embedded {sum(pending.values())} chunks in {len(pending)} org(s)")
