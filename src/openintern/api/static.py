"""Serving the web UI (the Vite build) at `/`, with an SPA fallback to index.html."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.staticfiles import StaticFiles

_NOT_BUILT = """<!doctype html><title>OpenIntern</title><body>
<h1>OpenIntern API is running</h1><p>The web UI has not been built. Run <code>make ui</code>
(or <code>make run</code>, which builds it), or use the API: <a href="/docs">/docs</a>.</p>"""

_API_PREFIXES = ("/api/", "/health", "/ready", "/openapi.json", "/docs")


def mount_ui(app: FastAPI, static_dir: Path) -> None:
    assets = static_dir / "assets"
    if assets.is_dir():
        app.mount("/assets", StaticFiles(directory=assets), name="assets")
    # The build is fixed for the life of the process: list its files once, so a request
    # never touches the filesystem to decide, and no path can climb out of the directory.
    root = static_dir.resolve()
    files = (
        {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()} if root.is_dir() else {}
    )
    index = files.get("index.html")

    # Every method, so an unknown API path is a 404 problem rather than a 405 from this route.
    @app.api_route(
        "/{path:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
    )
    async def spa(path: str, request: Request) -> Response:
        if request.method not in ("GET", "HEAD") or request.url.path.startswith(_API_PREFIXES):
            from starlette.exceptions import HTTPException

            raise HTTPException(404, f"no route {request.url.path}")
        if path in files:
            return FileResponse(files[path])
        if index is not None:
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return HTMLResponse(_NOT_BUILT)
