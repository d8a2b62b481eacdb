"""The web UI end to end: `node web/e2e/run.mjs` drives the system Chromium against a real
`openintern serve` (embedded database, built UI) and the fake LLM, both subprocesses on free
loopback ports. The specs are in web/e2e/specs; their screenshots land in web/e2e/artifacts.

Needs the built UI (`make ui`; `make test` and `make e2e` build it first), Node and Chromium.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
STATIC_INDEX = ROOT / "src" / "openintern" / "api" / "static" / "index.html"
ADMIN_PASSWORD = "e2e-admin-password"
E2E_TIMEOUT_S = 420  # eleven specs: ~2 minutes quiet, several times that on 2 busy cores


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{url}: process exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} never answered 200:\n{log.read_text()[-3000:]}")


def _pids_mentioning(marker: str) -> list[int]:
    """Processes whose command line names `marker` (our temp dir): what a crash could strand."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


class Processes:
    """Subprocesses, each in its own process group, stopped with everything they started."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def spawn(self, name: str, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
        log = self.logs / f"{name}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, *args],
                cwd=self.logs,  # no ./agent.config.json of the checkout
                env=self.env,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        self.started.append(proc)
        return proc, log

    def stop_all(self, marker: str) -> None:
        for proc in reversed(self.started):  # the platform first, then the fake LLM
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
            # Anything left in the group (e.g. the embedded PostgreSQL) goes too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        _reap(marker)


def _reap(marker: str) -> None:
    """Stop stragglers that name our temp dir (a PostgreSQL left by a crash): TERM, then KILL."""
    if not sys.platform.startswith("linux"):
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = _pids_mentioning(marker)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + 5
        while pids and time.monotonic() < deadline:
            pids = _pids_mentioning(marker)
            time.sleep(0.1)


@dataclass
class Platform:
    url: str
    fake_llm_url: str
    logs: Path


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    if not STATIC_INDEX.is_file():
        pytest.fail("the web UI is not built: run `make ui` (make test and make e2e do it)")
    llm_port, port = free_port(), free_port()
    data_dir = tmp_path / "data"
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "PORT": str(port),
        "OPENINTERN_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "LLM_PROVIDER": "openai",
        "LLM_BASE_URL": f"http://127.0.0.1:{llm_port}/v1",
        "LLM_API_KEY": "e2e",
        "LLM_MODEL": "fake/echo",
    }
    env.pop("DATABASE_URL", None)  # the embedded database under DATA_DIR
    procs = Processes(env, tmp_path)
    try:
        llm, llm_log = procs.spawn("fake_llm", "-m", "openintern.testing.fake_llm", "--port", str(llm_port))
        wait_until_up(f"http://127.0.0.1:{llm_port}/v1/models", llm, llm_log, timeout=20)
        serve, serve_log = procs.spawn("serve", "-m", "openintern", "serve", "--port", str(port))
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url + "/ready", serve, serve_log)
        yield Platform(url=url, fake_llm_url=f"http://127.0.0.1:{llm_port}", logs=tmp_path)
    finally:
        procs.stop_all(str(tmp_path))
    assert not _pids_mentioning(str(tmp_path)), "processes were left behind"


@pytest.mark.timeout(900)  # every spec in one node process: a few minutes on 2 busy cores
def test_web_ui_end_to_end(platform: Platform) -> None:
    node = shutil.which("node")
    assert node, "Node.js is required for the browser tests"
    env = {
        **os.environ,
        "BASE_URL": platform.url,
        "FAKE_LLM_URL": platform.fake_llm_url,
        "ADMIN_USER": "admin",
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    # Its own process group, so a timeout takes Chromium down with it.
    proc = subprocess.Popen(
        [node, "e2e/run.mjs"],
        cwd=WEB,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = proc.communicate(timeout=E2E_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        raise AssertionError(f"the e2e run took over {E2E_TIMEOUT_S} s:\n{output}") from None
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    output = output.strip()
    server_log = (platform.logs / "serve.log").read_text(errors="replace")[-4000:]
    assert proc.returncode == 0, (
        f"{proc.returncode} e2e spec(s) failed (screenshots in web/e2e/artifacts):\n{output}\n\n"
        f"--- openintern serve (tail) ---\n{server_log}"
    )
