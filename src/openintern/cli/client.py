"""The CLI's HTTP client for commands aimed at a running platform (login, run, tail, export),
and for those that go through one when it runs (memory search and ingest: `platform_client`).

URL: ``--url`` or ``OPENINTERN_URL`` (default ``http://127.0.0.1:$PORT``). Credentials:
``--token`` or ``OPENINTERN_TOKEN`` (an access token or an API key), else the token that
``openintern login`` saved in ``DATA_DIR/cli-token``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from openintern.errors import OpenInternError, Unauthenticated

DEFAULT_TIMEOUT_S = 30.0
RECONNECT_DELAYS_S = (0.5, 1, 2, 4, 8)  # backoff between SSE reconnects; then give up
LOGIN_PATH = "/api/auth/login"


def token_file() -> Path:
    data_dir = Path(os.environ.get("DATA_DIR") or Path("~/.openintern").expanduser())
    return data_dir / "cli-token"


class ApiError(OpenInternError):
    """The platform answered with an error."""


class Client:
    def __init__(self, url: str | None = None, token: str | None = None) -> None:
        port = os.environ.get("PORT", "3000")
        self.url = (url or os.environ.get("OPENINTERN_URL") or f"http://127.0.0.1:{port}").rstrip("/")
        self.token = token or os.environ.get("OPENINTERN_TOKEN") or _saved_token()
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self.http = httpx.Client(base_url=self.url, headers=headers, timeout=DEFAULT_TIMEOUT_S)

    def request(self, method: str, path: str, **kw: Any) -> Any:
        try:
            resp = self.http.request(method, path, **kw)
        except httpx.ConnectError as exc:
            raise ApiError(f"cannot reach OpenIntern at {self.url}: is `openintern serve` running?") from exc
        if resp.status_code == 401 and path == LOGIN_PATH:  # the credentials, not a missing token
            raise Unauthenticated(f"login refused: {_problem(resp)}")
        if resp.status_code == 401:
            raise Unauthenticated(
                "not logged in: run `openintern login` or set OPENINTERN_TOKEN (an API key)"
            )
        if resp.status_code >= 400:
            raise ApiError(f"HTTP {resp.status_code} {_problem(resp)}")
        if "json" in resp.headers.get("content-type", ""):
            return resp.json()
        return resp.text

    def events(self, run_id: str, after: int = 0) -> Iterator[dict[str, Any]]:
        """Follow a run's SSE stream to its end, reconnecting with Last-Event-ID."""
        last, failures = after, 0
        while True:
            try:
                for event in self._stream_once(run_id, last):
                    last, failures = event["seq"], 0
                    yield event
                return
            except (httpx.TransportError, httpx.RemoteProtocolError):
                if failures >= len(RECONNECT_DELAYS_S):
                    raise ApiError(f"lost the stream of {run_id} and could not reconnect") from None
                time.sleep(RECONNECT_DELAYS_S[failures])
                failures += 1

    def _stream_once(self, run_id: str, after: int) -> Iterator[dict[str, Any]]:
        headers = {"Accept": "text/event-stream", "Last-Event-ID": str(after)}
        with self.http.stream("GET", f"/api/runs/{run_id}/stream", headers=headers, timeout=None) as resp:
            if resp.status_code >= 400:
                resp.read()
                raise ApiError(f"HTTP {resp.status_code}: {resp.text[:300]}")
            for line in resp.iter_lines():
                if line.startswith("data:"):
                    yield json.loads(line[5:])


PROBE_TIMEOUT_S = 0.5
"""How long a command that can work either way waits for `/health` before it opens the
database instead: a platform on this machine answers in milliseconds."""


def platform_client(url: str | None, token: str | None, *, direct: bool = False) -> Client | None:
    """The running platform a command that can also open the database should go through,
    or None to open the database (``direct``: the command's ``--direct``). A URL that was
    asked for (``--url``, ``OPENINTERN_URL``) is used, reachable or not. Otherwise the
    default URL is used when there are credentials (``--token``, ``OPENINTERN_TOKEN``, a
    saved login) and a platform answers there at once."""
    if direct:
        return None
    client = Client(url, token)
    if url or os.environ.get("OPENINTERN_URL"):
        return client
    if client.token:
        try:
            if client.http.get("/health", timeout=PROBE_TIMEOUT_S).status_code == 200:
                return client
        except httpx.HTTPError:
            pass
    client.http.close()
    return None


def _problem(resp: httpx.Response) -> str:
    """The problem details' title and detail (RFC 9457), else the start of the body."""
    try:
        body = resp.json()
        return f"{body.get('title')}: {body.get('detail')}"
    except ValueError:
        return resp.text[:300]


def _saved_token() -> str | None:
    path = token_file()
    return path.read_text().strip() if path.exists() else None


def save_token(token: str) -> Path:
    path = token_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(token)
    return path
