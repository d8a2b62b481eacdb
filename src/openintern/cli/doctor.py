"""``openintern doctor``: check the install; each line ok / warn / fail, with the fix."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer

from openintern.cli.output import console, print_json

if TYPE_CHECKING:
    from openintern.db.server import SharedMemory

Status = Literal["ok", "warn", "fail"]
_STYLE = {"ok": "[green]  ok[/]", "warn": "[yellow]warn[/]", "fail": "[bold red]fail[/]"}


@dataclass
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""


def _python() -> Check:
    v = sys.version_info
    if v >= (3, 10):
        return Check("python", "ok", f"Python {v.major}.{v.minor}.{v.micro}")
    return Check("python", "fail", f"Python {v.major}.{v.minor}", "install Python 3.10 or newer")


def _config(config: Path | None) -> tuple[Check, object | None]:
    from openintern.cli.context import settings_from
    from openintern.errors import ConfigError

    try:
        settings = settings_from(config)
    except ConfigError as exc:
        return Check("config", "fail", exc.message, "fix the keys named above"), None
    source = str(settings.config_file) if settings.config_file else "defaults + environment (no config file)"
    return Check("config", "ok", source), settings


def _data_dir(settings: object) -> Check:
    from openintern.config import Settings

    assert isinstance(settings, Settings)
    path = settings.data_dir
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".doctor"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        return Check("data dir", "fail", f"{path}: {exc.strerror}", "set DATA_DIR to a writable directory")
    return Check("data dir", "ok", str(path))


def _database(settings: object) -> list[Check]:
    from openintern.config import Settings
    from openintern.db.migrate import is_current
    from openintern.db.server import check_server, inspect_server, resolve_database_url
    from openintern.errors import OpenInternError

    assert isinstance(settings, Settings)
    where = (
        "embedded PostgreSQL in " + str(settings.data_dir / "pg")
        if not settings.database.url
        else "DATABASE_URL"
    )
    try:
        url = resolve_database_url(settings)
        info = inspect_server(url)
    except OpenInternError as exc:
        fix = "check DATABASE_URL (host, port, credentials) and that the server is running"
        return [Check("database", "fail", f"{where}: {exc.message}", fix)]
    checks = [Check("database", "ok", f"{where}: PostgreSQL {info.version}")]
    if info.memory is not None:
        checks.append(huge_pages_check(info.memory))
    try:
        check_server(info)
        vector = info.pgvector_installed or info.pgvector_available
        checks.append(Check("pgvector", "ok", f"pgvector {vector}"))
    except OpenInternError as exc:
        checks.append(Check("pgvector", "fail", exc.message, "use PostgreSQL ≥ 15 with pgvector ≥ 0.7"))
    current, head = is_current(url)
    if current == head:
        checks.append(Check("migrations", "ok", f"at head ({head})"))
        checks.append(_memory(settings, url))
    else:
        checks.append(
            Check(
                "migrations",
                "warn",
                f"at {current or 'empty'}, head is {head}",
                "run `openintern migrate` (serve does it at start)",
            )
        )
    return checks


def huge_pages_check(memory: SharedMemory) -> Check:
    """Whether the server's shared memory is in huge pages, and how to reserve them."""
    size = f"shared_buffers {memory.shared_buffers_mb:,} MB"
    if memory.status == "on":
        return Check("huge pages", "ok", f"in use ({size})")
    if memory.huge_pages == "off":
        return Check("huge pages", "ok", f"not used: huge_pages = off on the server ({size})")
    if memory.pages_needed is None or memory.pages_needed <= 0:
        return Check("huge pages", "ok", f"not available on this platform ({size})")
    if memory.status is None:  # before PostgreSQL 17 the server does not say
        return Check("huge pages", "ok", f"unknown (PostgreSQL < 17 does not report it; {size})")
    detail = f"not in use ({size}; the server would take {memory.pages_needed:,} huge pages)"
    if not memory.worth_huge_pages():  # too little shared memory to matter
        return Check("huge pages", "ok", detail)
    fix = (
        f"reserve them on the database host: `sysctl -w vm.nr_hugepages={memory.pages_needed}` (and in"
        " /etc/sysctl.d/ to keep it), then restart PostgreSQL (the embedded one: stop every openintern"
        " process); memory search then spends 8 – 15 % less database CPU (docs/deploy.md, Huge pages)"
    )
    return Check("huge pages", "warn", detail, fix)


def _memory(settings: object, url: str) -> Check:
    """The embedder, and whether stored chunks have its vectors (a model change leaves
    chunks to re-embed; workers catch up at start)."""
    import psycopg

    from openintern.config import Settings
    from openintern.db.engine import libpq_conninfo
    from openintern.errors import OpenInternError
    from openintern.memory import MemoryService

    assert isinstance(settings, Settings)
    try:
        embedder = MemoryService.embedder_from_settings(settings)
    except OpenInternError as exc:
        return Check(
            "memory", "fail", exc.message, "fix memory.embedder / memory.embedding_* (docs/memory.md)"
        )
    with psycopg.connect(libpq_conninfo(url)) as conn:
        row = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE embedding IS NULL OR embedding_model IS DISTINCT FROM %s)"
            " FROM memory_chunks",
            (embedder.model,),
        ).fetchone()
    total, pending = (int(row[0]), int(row[1])) if row else (0, 0)
    what = f"embedder {settings.memory.embedder} ({embedder.model}, {embedder.dim}-d), {total:,} chunks"
    if pending:
        return Check(
            "memory",
            "warn",
            f"{what}, {pending:,} without a vector of this model (vector search skips them)",
            "start a worker (it catches up in the background) or run `openintern memory embed`",
        )
    return Check("memory", "ok", f"{what}, all embedded")


def _providers(settings: object) -> Check:
    from openintern.config import Settings
    from openintern.providers.choice import settings_kind

    assert isinstance(settings, Settings)
    llm = settings.llm
    kind, _key = settings_kind(llm)
    if kind is None:
        return Check(
            "llm provider",
            "warn",
            "none configured: runs will fail until one is",
            "set LLM_PROVIDER (openai|anthropic|gemini) + LLM_MODEL + LLM_API_KEY (or LLM_BASE_URL for"
            " Ollama/vLLM), or add one in Settings",
        )
    return Check(
        "llm provider",
        "ok",
        f"{kind} {llm.model or '(model per run)'} {llm.base_url or ''}".strip(),
    )


def _workers(settings: object) -> Check:
    """How `serve` will run the agents (one process is one core)."""
    from openintern.config import Settings
    from openintern.runtime.processes import default_count

    assert isinstance(settings, Settings)
    configured = settings.server.worker_processes
    count = default_count() if configured is None else configured
    how = "set" if configured is not None else f"default for {os.cpu_count() or 1} core(s)"
    each = f"{settings.runtime.worker_concurrency} runs at once each, {_event_loop()}"
    if count == 0:
        return Check("workers", "ok", f"serve: workers in the API process ({how}), {each}")
    return Check("workers", "ok", f"serve: {count} worker process(es) beside the API ({how}), {each}")


def _event_loop() -> str:
    """Which loop API and worker processes run on (cli/aio.py; uvicorn picks the same)."""
    from openintern.cli.aio import uvloop_installed

    if uvloop_installed():
        return "on uvloop"
    return "on asyncio's loop (uvloop is not installed: installing it saves CPU per streamed token)"


def _sandbox(settings: object) -> Check:
    """Whether exec tools (run_command; code nodes, skill scripts) can be confined here."""
    import asyncio

    from openintern.config import Settings
    from openintern.tools import sandbox_isolation

    assert isinstance(settings, Settings)
    isolation = asyncio.run(sandbox_isolation(settings.sandbox))
    if isolation.confined:
        return Check("sandbox", "ok", isolation.detail)
    if settings.sandbox.require_isolation:
        detail = f"exec tools (run_command) are blocked: {isolation.detail}"
        return Check("sandbox", "warn", detail, f"{isolation.fix}, or set sandbox.bwrap_path")
    detail = (
        "exec tools run UNCONFINED as the server's user (sandbox.require_isolation is false): "
        + isolation.detail
    )
    return Check("sandbox", "warn", detail, f"{isolation.fix}; unconfined is for a single-user machine only")


def _web_ui() -> Check:
    index = Path(__file__).parent.parent / "api" / "static" / "index.html"
    if index.exists():
        return Check("web ui", "ok", "built")
    return Check(
        "web ui", "warn", "not built: the API works, the UI at / does not", "run `make ui` (needs Node ≥ 20)"
    )


def run_checks(config: Path | None) -> list[Check]:
    checks = [_python()]
    cfg, settings = _config(config)
    checks.append(cfg)
    if settings is None:
        return checks
    steps: list[Callable[[object], Check | list[Check]]] = [
        _data_dir,
        _database,
        _providers,
        _workers,
        _sandbox,
    ]
    for step in steps:
        result = step(settings)
        checks.extend(result if isinstance(result, list) else [result])
    checks.append(_web_ui())
    return checks


def doctor(
    config: Path | None = typer.Option(None, "--config", help="Config file."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Check Python, config, the database (reachable, version, pgvector, migrations), providers, sandbox, UI."""
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    checks = run_checks(config)
    failed = any(c.status == "fail" for c in checks)
    if as_json:
        print_json({"ok": not failed, "checks": [asdict(c) for c in checks]})
    else:
        for c in checks:
            console.print(f"{_STYLE[c.status]}  [bold]{c.name:<13}[/] {c.detail}")
            if c.fix and c.status != "ok":
                console.print(f"       [dim]→ {c.fix}[/]")
        warns = sum(c.status == "warn" for c in checks)
        summary = (
            f"[green]ready[/] ({warns} warning{'s' * (warns != 1)})"
            if not failed
            else "[red]some checks failed[/]"
        )
        console.print(summary)
    raise typer.Exit(1 if failed else 0)
