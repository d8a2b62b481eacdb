"""A protocol-faithful fake of MinerU's v4 cloud API, served over real HTTP.

It implements exactly what `openintern.connectors.mineru` uses: task creation by URL,
task status, the batch upload flow (with a pre-signed-style `PUT` URL that needs no
token, as MinerU's OSS URLs do), batch results, and the result zip with `full.md`.
Tasks go `pending → running → done` over `polls_until_done` status polls; uploaded
tasks report `waiting-file` until their bytes arrive. Knobs for the unhappy paths:
`fail_next(err_msg)`, `throttle_next(n)` (HTTP 429 with `Retry-After: 0`), and any
token other than `token` gets HTTP 401.

    with FakeMinerUServer() as srv:
        config = MinerUConfig(api_key=srv.token, base_url=srv.base_url, poll_interval_ms=10)
"""

from __future__ import annotations

import asyncio
import io
import itertools
import threading
import zipfile
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiohttp import web

__all__ = ["FakeMinerUServer", "make_pdf"]

_MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # MinerU's per-file limit
_START_TIMEOUT_S = 10.0


@dataclass
class _Task:
    task_id: str
    source: str
    file_name: str = ""
    data: bytes | None = None
    waiting_for_file: bool = False
    polls: int = 0
    fail_with: str | None = None


class FakeMinerUServer:
    """MinerU v4 on 127.0.0.1 and a free port, in a background thread with its own loop."""

    def __init__(self, *, token: str = "test-token", polls_until_done: int = 3) -> None:
        self.token = token
        self.polls_until_done = polls_until_done
        self.requests: list[tuple[str, str]] = []
        """`(method, path)` of every request received, in order."""
        self._tasks: dict[str, _Task] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._fail_next: str | None = None
        self._throttle = 0
        self._port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    @property
    def root_url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        return f"http://127.0.0.1:{self._port}"

    @property
    def base_url(self) -> str:
        """The API root to put in `MinerUConfig.base_url`."""
        return f"{self.root_url}/api/v4"

    def fail_next(self, err_msg: str) -> None:
        """Make the next task created end in state `failed` with this `err_msg`."""
        with self._lock:
            self._fail_next = err_msg

    def throttle_next(self, count: int = 1) -> None:
        """Answer the next `count` API requests with HTTP 429."""
        with self._lock:
            self._throttle = count

    # --- lifecycle ---------------------------------------------------------------------

    def __enter__(self) -> FakeMinerUServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Start serving; returns once the port is bound."""
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        self._loop = loop
        self._thread = threading.Thread(
            target=self._serve, args=(loop, ready), name="fake-mineru", daemon=True
        )
        self._thread.start()
        if not ready.wait(_START_TIMEOUT_S) or not self._port:
            raise RuntimeError("fake MinerU server did not start")

    def stop(self) -> None:
        """Stop serving and join the thread."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(_START_TIMEOUT_S)
        self._loop = self._thread = None

    def _serve(self, loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._bind())
        finally:
            ready.set()
        loop.run_forever()
        if self._runner is not None:
            loop.run_until_complete(self._runner.cleanup())
        loop.close()

    async def _bind(self) -> None:
        app = web.Application(client_max_size=_MAX_UPLOAD_BYTES, middlewares=[self._gate])
        app.add_routes(
            [
                web.post("/api/v4/extract/task", self._create_task),
                web.get("/api/v4/extract/task/{task_id}", self._task_status),
                web.post("/api/v4/file-urls/batch", self._create_batch),
                web.get("/api/v4/extract-results/batch/{batch_id}", self._batch_results),
                web.put("/upload/{batch_id}", self._upload),
                web.get("/results/{task_id}.zip", self._result_zip),
            ]
        )
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    # --- handlers ------------------------------------------------------------------------

    @web.middleware
    async def _gate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Log, then apply throttling and the bearer check to `/api/v4` routes only."""
        self.requests.append((request.method, request.path))
        if not request.path.startswith("/api/v4/"):
            response: web.StreamResponse = await handler(request)
            return response
        with self._lock:
            throttled, self._throttle = self._throttle > 0, max(self._throttle - 1, 0)
        if throttled:
            body = {"code": 429, "msg": "too many requests", "data": None}
            return web.json_response(body, status=429, headers={"Retry-After": "0"})
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"code": "A0202", "msg": "Token error", "data": None}, status=401)
        response = await handler(request)
        return response

    async def _create_task(self, request: web.Request) -> web.Response:
        body = await request.json()
        if not isinstance(body.get("url"), str) or not body["url"]:
            return _envelope(None, code=-500, msg="param error: url is required")
        task = self._new_task(body["url"])
        return _envelope({"task_id": task.task_id})

    async def _task_status(self, request: web.Request) -> web.Response:
        task = self._tasks.get(request.match_info["task_id"])
        if task is None:
            return _envelope(None, code=-60012, msg="task not found")
        return _envelope({"task_id": task.task_id, "data_id": "", **self._advance(task)})

    async def _create_batch(self, request: web.Request) -> web.Response:
        files = (await request.json()).get("files")
        if not isinstance(files, list) or len(files) != 1 or not files[0].get("name"):
            return _envelope(None, code=-500, msg="param error: this fake takes exactly one file")
        task = self._new_task(files[0]["name"], file_name=files[0]["name"], waiting_for_file=True)
        urls = [f"{self.root_url}/upload/{task.task_id}?signature=fake"]
        return _envelope({"batch_id": task.task_id, "file_urls": urls})

    async def _upload(self, request: web.Request) -> web.Response:
        task = self._tasks.get(request.match_info["batch_id"])
        if task is None:
            return web.Response(status=404, text="NoSuchUpload")
        task.data, task.waiting_for_file = await request.read(), False
        return web.Response(status=200)

    async def _batch_results(self, request: web.Request) -> web.Response:
        task = self._tasks.get(request.match_info["batch_id"])
        if task is None:
            return _envelope(None, code=-60012, msg="batch not found")
        result = {"file_name": task.file_name, "data_id": "", **self._advance(task)}
        return _envelope({"batch_id": task.task_id, "extract_result": [result]})

    async def _result_zip(self, request: web.Request) -> web.Response:
        task = self._tasks.get(request.match_info["task_id"])
        if task is None or task.polls < self.polls_until_done or task.fail_with:
            return web.Response(status=404, text="NoSuchKey")
        return web.Response(body=_zip(task), content_type="application/zip")

    # --- task state ------------------------------------------------------------------------

    def _new_task(self, source: str, *, file_name: str = "", waiting_for_file: bool = False) -> _Task:
        with self._lock:
            task_id = f"fake-{next(self._ids):04d}"
            task = _Task(
                task_id, source, file_name, waiting_for_file=waiting_for_file, fail_with=self._fail_next
            )
            self._fail_next = None
            self._tasks[task_id] = task
        return task

    def _advance(self, task: _Task) -> dict[str, Any]:
        """Count one poll and describe the task as MinerU would."""
        if task.waiting_for_file:
            return {"state": "waiting-file", "err_msg": "", "full_zip_url": ""}
        task.polls += 1
        if task.polls >= self.polls_until_done:
            if task.fail_with is not None:
                return {"state": "failed", "err_msg": task.fail_with, "full_zip_url": ""}
            return {
                "state": "done",
                "err_msg": "",
                "full_zip_url": f"{self.root_url}/results/{task.task_id}.zip",
            }
        state = "pending" if task.polls == 1 else "running"
        progress = {"extracted_pages": task.polls - 1, "total_pages": self.polls_until_done, "start_time": ""}
        return {"state": state, "err_msg": "", "full_zip_url": "", "extract_progress": progress}


def _envelope(data: dict[str, Any] | None, *, code: int = 0, msg: str = "ok") -> web.Response:
    return web.json_response({"code": code, "msg": msg, "trace_id": "fake-trace", "data": data})


def _zip(task: _Task) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("full.md", f"# Extracted\n\n{_text_of(task)}\n")
        archive.writestr("layout.json", "{}")
        archive.writestr(f"{task.task_id}_content_list.json", "[]")
    return buffer.getvalue()


def _text_of(task: _Task) -> str:
    if task.data is None:
        return f"Content of {task.source}"
    try:
        from pypdf import PdfReader

        pages = PdfReader(io.BytesIO(task.data)).pages
        text = "\n\n".join((page.extract_text() or "").strip() for page in pages).strip()
    except Exception:  # not a PDF: the fake still answers, as MinerU does for images
        text = ""
    return text or f"{len(task.data)} bytes from {task.file_name}"


def make_pdf(pages: list[str], *, title: str | None = None) -> bytes:
    """A minimal valid PDF with one Helvetica text line per line of each page (ASCII).

    pypdf cannot lay out text, and tests should not need reportlab: this writes the
    objects, the content streams and the cross-reference table by hand.
    """
    count = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(count))
    font_id, info_id = 3 + 2 * count, 4 + 2 * count
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
    ]
    for i, text in enumerate(pages):
        lines = " T* ".join(f"({_pdf_escape(line)}) Tj" for line in text.split("\n"))
        stream = f"BT /F1 12 Tf 14 TL 72 720 Td {lines} ET".encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    objects.append(f"<< /Title ({_pdf_escape(title)}) >>".encode("latin-1") if title else b"<< >>")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\n" % (len(objects) + 1, info_id)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
