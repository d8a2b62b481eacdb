"""MinerU cloud API v4 client: a PDF (URL or local file) in, its Markdown out.

Two flows, as MinerU documents them (https://mineru.net/apiManage/docs):

* URL: `POST /extract/task {url, model_version, is_ocr?}` → `data.task_id`, then poll
  `GET /extract/task/{task_id}` until `data.state` is `done` (→ `data.full_zip_url`) or
  `failed` (→ `data.err_msg`).
* Local file: `POST /file-urls/batch {files: [{name}], model_version}` → `data.batch_id`
  and `data.file_urls[0]`; `PUT` the bytes there (a pre-signed URL: no auth header); the
  task starts by itself; poll `GET /extract-results/batch/{batch_id}` →
  `data.extract_result[].state` / `full_zip_url` / `err_msg`.

The result zip holds `full.md` (plus images and layout JSON, which we ignore). Every API
answer is an envelope `{code: 0, msg, data}`; a non-zero code is an error.

Errors (all from `openintern.errors`): a rejected key is `ConfigError`; a task MinerU
could not process, or a request it refused, is `ValidationFailed` quoting its message;
HTTP 429 that outlasts the retries is `QuotaExceeded`; an unreachable service, 5xx
that outlasts the retries, a poll timeout or a malformed answer is `ToolFailed`.
"""

from __future__ import annotations

import asyncio
import io
import random
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from openintern.config import MinerUSettings
from openintern.errors import ConfigError, QuotaExceeded, ToolFailed, ValidationFailed

__all__ = ["ExtractedDocument", "MinerUClient", "MinerUConfig"]

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
"""MinerU's own per-file limit; refusing earlier saves a pointless upload."""

MAX_ZIP_BYTES = 512 * 1024 * 1024
"""The result zip also carries page images; beyond this something is wrong."""

MAX_MARKDOWN_BYTES = 64 * 1024 * 1024
"""Uncompressed `full.md` limit, checked before inflating (zip-bomb guard)."""

BACKOFF_BASE_S = 0.5
BACKOFF_MAX_S = 30.0
"""Retry delays double from BACKOFF_BASE_S (with jitter) up to BACKOFF_MAX_S; a
`Retry-After` header, when present, wins (capped the same)."""

_TOKEN_ERROR_CODES = {"A0202", "A0211"}  # MinerU's "token error" / "token expired"


MinerUConfig = MinerUSettings
"""The `mineru` section of the settings tree (`agent.config.json`, `MINERU_*`): one model,
so the client and the config file cannot drift; camelCase keys as in the seed."""


@dataclass(frozen=True, slots=True)
class ExtractedDocument:
    """MinerU's Markdown for one source; `task_id` is the batch id for uploaded files."""

    markdown: str
    task_id: str
    source: str


@dataclass(frozen=True, slots=True)
class _Status:
    state: str
    zip_url: str | None
    err_msg: str


class MinerUClient:
    """Async client for MinerU v4; use as `async with MinerUClient(config) as mineru:`.

    The client does not look at `config.enabled`: whether to offer MinerU is the
    caller's decision.
    """

    def __init__(self, config: MinerUConfig, *, http: httpx.AsyncClient | None = None) -> None:
        if config.api_key is None or not config.api_key.get_secret_value():
            raise ConfigError("MinerU needs an API key (mineru.apiKey / MINERU_API_KEY)", key="mineru.apiKey")
        self._config = config
        self._base = config.base_url.rstrip("/")
        self._auth = {"Authorization": f"Bearer {config.api_key.get_secret_value()}"}
        self._http = http or httpx.AsyncClient(timeout=config.timeout_ms / 1000)
        self._owns_http = http is None

    async def __aenter__(self) -> MinerUClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_http:
            await self._http.aclose()

    async def extract_pdf(
        self, source: str | Path, *, is_ocr: bool | None = None, model_version: str | None = None
    ) -> ExtractedDocument:
        """Extract `source` (an http(s) URL or a local path) to Markdown via MinerU."""
        version = model_version or self._config.default_model_version
        if isinstance(source, str) and _is_url(source):
            task_id = await self._submit_url(source, is_ocr, version)
            zip_url = await self._poll(task_id, source, lambda: self._task_status(task_id))
            label = source
        else:
            path = Path(source)
            task_id = await self._upload(path, is_ocr, version)
            zip_url = await self._poll(task_id, str(path), lambda: self._batch_status(task_id, path.name))
            label = str(path)
        markdown = await self._download_markdown(zip_url, task_id)
        return ExtractedDocument(markdown, task_id, label)

    # --- the two flows -------------------------------------------------------------

    async def _submit_url(self, url: str, is_ocr: bool | None, version: str) -> str:
        body: dict[str, Any] = {"url": url, "model_version": version}
        if is_ocr is not None:
            body["is_ocr"] = is_ocr
        task_id = (await self._api("POST", "/extract/task", body)).get("task_id")
        if not task_id:
            raise ToolFailed(f"MinerU gave no task id for {url}", service="mineru")
        return str(task_id)

    async def _upload(self, path: Path, is_ocr: bool | None, version: str) -> str:
        data = await asyncio.to_thread(_read_upload, path)
        entry: dict[str, Any] = {"name": path.name}
        if is_ocr is not None:
            entry["is_ocr"] = is_ocr
        answer = await self._api("POST", "/file-urls/batch", {"files": [entry], "model_version": version})
        batch_id, urls = answer.get("batch_id"), answer.get("file_urls")
        if not batch_id or not isinstance(urls, list) or not urls:
            raise ToolFailed(f"MinerU gave no upload URL for {path.name}", service="mineru")
        await self._send("PUT", str(urls[0]), content=data)  # pre-signed: never send our key
        return str(batch_id)

    async def _task_status(self, task_id: str) -> _Status:
        return _status(await self._api("GET", f"/extract/task/{task_id}"))

    async def _batch_status(self, batch_id: str, name: str) -> _Status:
        results = (await self._api("GET", f"/extract-results/batch/{batch_id}")).get("extract_result")
        items = [r for r in results or [] if isinstance(r, dict)]
        mine = next((r for r in items if r.get("file_name") == name), items[0] if items else None)
        return _status(mine or {"state": "waiting-file"})

    async def _poll(self, task_id: str, source: str, fetch: Callable[[], Awaitable[_Status]]) -> str:
        interval = self._config.poll_interval_ms / 1000
        state = "unknown"
        for attempt in range(self._config.max_poll_attempts):
            if attempt:
                await asyncio.sleep(interval)
            status = await fetch()
            state = status.state
            if state == "done" and status.zip_url:
                return status.zip_url
            if state == "failed":
                raise ValidationFailed(
                    f"MinerU could not extract {source}: {status.err_msg or 'no reason given'}",
                    task_id=task_id,
                    err_msg=status.err_msg,
                )
        waited = self._config.max_poll_attempts * interval
        raise ToolFailed(
            f"MinerU task {task_id} for {source} was still {state!r} after "
            f"{self._config.max_poll_attempts} polls (~{waited:.0f} s)",
            task_id=task_id,
            state=state,
        )

    async def _download_markdown(self, zip_url: str, task_id: str) -> str:
        response = await self._send("GET", zip_url)
        if len(response.content) > MAX_ZIP_BYTES:
            raise ToolFailed(f"MinerU result for task {task_id} is larger than {MAX_ZIP_BYTES} bytes")
        return await asyncio.to_thread(_read_full_md, response.content, task_id)

    # --- HTTP with retries -------------------------------------------------------------

    async def _api(self, method: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        """Call the API and unwrap `{code, msg, data}`; a non-zero code is an error."""
        response = await self._send(method, f"{self._base}{path}", json=payload, headers=self._auth)
        try:
            body = response.json()
        except ValueError as exc:
            raise ToolFailed(f"MinerU answered {method} {path} with non-JSON", service="mineru") from exc
        code = body.get("code") if isinstance(body, dict) else None
        if code in _TOKEN_ERROR_CODES:
            raise ConfigError(f"MinerU rejected the API key ({code}: {body.get('msg')})", key="mineru.apiKey")
        if code not in (0, "0") or not isinstance(body.get("data"), dict):
            msg = body.get("msg") if isinstance(body, dict) else body
            raise ValidationFailed(f"MinerU refused {method} {path}: {code} {msg}", code=code)
        data: dict[str, Any] = body["data"]
        return data

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request, retried with backoff on network errors, 429 and 5xx."""
        last: httpx.Response | httpx.TransportError | None = None
        for attempt in range(self._config.max_retries + 1):
            if attempt:
                retry_after = last.headers.get("retry-after") if isinstance(last, httpx.Response) else None
                await asyncio.sleep(_backoff(attempt - 1, retry_after))
            try:
                response = await self._http.request(method, url, **kwargs)
            except httpx.TransportError as exc:  # connect/read errors and timeouts
                last = exc
                continue
            if response.status_code != 429 and response.status_code < 500:
                _raise_for_client_error(response, method, url, authed=kwargs.get("headers") is self._auth)
                return response
            last = response
        raise _exhausted(last, method, url, self._config.max_retries)


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _status(data: dict[str, Any]) -> _Status:
    zip_url = data.get("full_zip_url")
    return _Status(
        str(data.get("state") or "unknown"), str(zip_url) if zip_url else None, str(data.get("err_msg") or "")
    )


def _raise_for_client_error(response: httpx.Response, method: str, url: str, *, authed: bool) -> None:
    # A 403 from a pre-signed upload URL or the result CDN is not about our key.
    if authed and response.status_code in (401, 403):
        raise ConfigError(f"MinerU rejected the API key (HTTP {response.status_code})", key="mineru.apiKey")
    if response.is_error:
        raise ValidationFailed(
            f"MinerU refused {method} {url}: HTTP {response.status_code} {response.text[:300]}",
            status=response.status_code,
        )


def _exhausted(last: object, method: str, url: str, retries: int) -> Exception:
    if isinstance(last, httpx.Response) and last.status_code == 429:
        return QuotaExceeded(f"MinerU is rate limiting {method} {url} (HTTP 429 after {retries} retries)")
    if isinstance(last, httpx.Response):
        return ToolFailed(f"MinerU failed {method} {url}: HTTP {last.status_code} after {retries} retries")
    return ToolFailed(f"could not reach MinerU for {method} {url} after {retries} retries: {last!r}")


def _backoff(attempt: int, retry_after: str | None) -> float:
    if retry_after is not None:
        try:
            return min(max(float(retry_after), 0.0), BACKOFF_MAX_S)
        except ValueError:
            pass  # an HTTP date; fall back to our own schedule
    return min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2.0**attempt) * random.uniform(0.5, 1.0)


def _read_upload(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            raise ValidationFailed(
                f"{path}: {size} bytes, more than MinerU's {MAX_UPLOAD_BYTES}", file=str(path)
            )
        return path.read_bytes()
    except OSError as exc:
        raise ValidationFailed(f"{path}: cannot be read ({exc.strerror})", file=str(path)) from exc


def _read_full_md(data: bytes, task_id: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n == "full.md" or n.endswith("/full.md")]
            if not names:
                raise ToolFailed(f"MinerU result for task {task_id} has no full.md", task_id=task_id)
            info = archive.getinfo(min(names, key=len))
            if info.file_size > MAX_MARKDOWN_BYTES:
                raise ToolFailed(f"full.md of task {task_id} is larger than {MAX_MARKDOWN_BYTES} bytes")
            return archive.read(info).decode("utf-8", errors="replace")
    except zipfile.BadZipFile as exc:
        raise ToolFailed(f"MinerU result for task {task_id} is not a zip file", task_id=task_id) from exc
