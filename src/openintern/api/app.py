"""The FastAPI application factory and its lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import APIRoute

from openintern import __version__
from openintern.api import problems
from openintern.api.middleware import (
    BodyLimitMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from openintern.api.platform import Platform
from openintern.api.routes import (
    approvals,
    audit,
    auth,
    health,
    keys,
    me,
    members,
    memory,
    orgs,
    projects,
    providers,
    runs,
    teams,
    tools,
)
from openintern.api.static import mount_ui
from openintern.auth import AuditWriter, SecretBox, ensure_bootstrap, install_redaction, load_or_create_key
from openintern.config import Settings
from openintern.container import build_services
from openintern.db.embedded import stop_embedded
from openintern.db.server import prepare_database
from openintern.db.session import Database
from openintern.runtime import EventHub, Worker, WorkerProcesses

log = logging.getLogger(__name__)

ROUTERS = [
    health.router,
    auth.router,
    me.router,
    orgs.router,
    projects.router,
    members.router,
    keys.router,
    audit.router,
    runs.router,
    approvals.router,
    providers.router,
    tools.router,
    memory.router,
    teams.router,
]


def _operation_id(route: APIRoute) -> str:
    """Stable ids (`{tag}-{name}`) so the generated UI client does not churn."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


def create_app(settings: Settings, *, database_url: str | None = None, migrate: bool = True) -> FastAPI:
    """Build the app. ``database_url`` skips resolution (tests pass a cloned database)."""
    install_redaction()  # whoever runs the app (the CLI, another ASGI server, the tests)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = database_url
        if url is None or migrate:
            url = await asyncio.to_thread(_prepare, settings, url)
        db = Database.from_url(
            url,
            pool_size=settings.database.pool_size,
            max_overflow=settings.database.max_overflow,
            statement_timeout_ms=settings.database.statement_timeout_ms,
        )
        boot = await ensure_bootstrap(db, settings)
        if boot.admin_password:
            _announce_admin(boot.admin_username, boot.admin_password)
        writer = AuditWriter(db)
        writer.start()
        box = SecretBox(load_or_create_key(_secret(settings), settings.secrets_dir))
        hub = EventHub(db)
        hub.start()
        await hub.ready()
        services = build_services(db, settings, box)
        platform = Platform(settings, db, boot.jwt_secret, box, writer, services, hub)
        app.state.platform = platform
        runtime = await _start_runtime(platform, url)
        try:
            yield
        finally:
            await _stop_runtime(platform, runtime)
            await writer.stop()
            await db.dispose()
            if url != database_url:  # this process resolved (maybe started) the database
                await asyncio.to_thread(stop_embedded)

    app = FastAPI(
        title="OpenIntern",
        version=__version__,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        docs_url="/docs",
        redoc_url=None,
    )
    problems.install(app)
    problems.document(app)
    for router in ROUTERS:
        app.include_router(router)
    # The last added runs first: headers on every answer (a 413 too), then the request id
    # (in every problem body), then the body limit.
    server = settings.server
    app.add_middleware(
        BodyLimitMiddleware, max_body_bytes=server.max_body_bytes, max_upload_bytes=server.max_upload_bytes
    )
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, behind_tls=server.behind_tls)
    mount_ui(app, settings.server.static_dir or Path(__file__).parent / "static")
    return app


async def _start_runtime(platform: Platform, url: str) -> Worker | WorkerProcesses | None:
    """The workers: as child processes when ``server.worker_processes`` is set (``serve``
    sets it from the cores), else inside this process (which then also embeds the chunks
    that memory left without a vector)."""
    settings = platform.settings
    if not settings.server.workers_in_process:
        return None
    if settings.server.worker_processes:
        processes = WorkerProcesses(settings, url, settings.server.worker_processes)
        await processes.start()
        return processes
    worker = Worker(platform.db, settings, platform.services.kinds)
    await worker.start()
    platform.services.memory.start_catch_up()  # chunks left without a vector, or of an older model
    platform.worker = worker
    return worker


async def _stop_runtime(platform: Platform, workers: Worker | WorkerProcesses | None) -> None:
    from openintern.llm import aclose_clients

    if workers is not None:
        await workers.stop()
    await platform.hub.stop()
    await platform.services.close()
    await aclose_clients()


def _prepare(settings: Settings, url: str | None) -> str:
    if url is None:
        return prepare_database(settings)
    from openintern.db.migrate import upgrade

    upgrade(url)
    return url


def _secret(settings: Settings) -> str | None:
    return settings.secret_key.get_secret_value() if settings.secret_key else None


def _announce_admin(username: str, password: str) -> None:
    banner = (
        "\n" + "=" * 64 + "\n"
        f"  First start: created admin user '{username}'\n"
        f"  One-time password: {password}\n"
        "  Store it now; it is not shown again. (Set OPENINTERN_ADMIN_PASSWORD to choose it.)\n" + "=" * 64
    )
    print(banner, flush=True)
    log.warning("created admin user %r (password printed to stdout once)", username)
