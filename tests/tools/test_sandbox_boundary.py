"""The sandbox is a filesystem boundary (issue 15, finding 8).

A sandboxed command sees its own workspace read-write and the system read-only, runs as
an unprivileged user, and nothing else: not DATA_DIR (its secrets), not another org's
workspace, not the server's processes. Where the host cannot confine it, it does not run.

No database: these start real bubblewrap sandboxes over a data directory laid out as the
platform lays it out (DATA_DIR/secrets/secret.key, DATA_DIR/workspaces/<org>/<project>).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import uuid
from pathlib import Path

import pytest

from openintern.config import SandboxSettings
from openintern.errors import SandboxUnavailable, ToolFailed
from openintern.tools import (
    SandboxLimits,
    SandboxResult,
    ToolContext,
    ToolRegistry,
    ToolServices,
    run_sandboxed,
    sandbox_isolation,
)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox targets Linux")

FAST = SandboxLimits(wall_timeout_s=20)
SECRET = "top-secret-" + uuid.uuid4().hex
KEY = "signing-key-" + uuid.uuid4().hex


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A DATA_DIR with a secret key and two orgs' workspaces, as root would leave them."""
    data = tmp_path / "data"
    (data / "secrets").mkdir(parents=True, mode=0o700)
    (data / "secrets" / "secret.key").write_text(KEY)
    (data / "secrets" / "secret.key").chmod(0o600)  # as auth.crypto.load_or_create_key makes it
    other = data / "workspaces" / "org_other" / "proj_other"
    other.mkdir(parents=True)
    (other / "plans.txt").write_text(SECRET)
    mine = data / "workspaces" / "org_mine" / "proj_mine"
    mine.mkdir(parents=True)
    (mine / "readme.txt").write_text("mine\n")
    return data


@pytest.fixture
def mine(data_dir: Path) -> Path:
    return data_dir / "workspaces" / "org_mine" / "proj_mine"


async def sh(command: str, workspace: Path) -> SandboxResult:
    return await run_sandboxed(["/bin/sh", "-c", command], cwd=workspace, limits=FAST)


class TestWhatItCannotSee:
    async def test_another_orgs_workspace_cannot_be_read(self, data_dir: Path, mine: Path) -> None:
        other = data_dir / "workspaces" / "org_other"
        result = await sh(f"cat {other}/proj_other/plans.txt; ls -R {other}; cat ../../org_other/*/*", mine)
        assert result.confined and SECRET not in result.stdout
        assert "plans.txt" not in result.stdout
        assert result.stderr.count("No such file or directory") == 3, result.stderr

    async def test_data_dir_secrets_cannot_be_listed_or_read(self, data_dir: Path, mine: Path) -> None:
        key = data_dir / "secrets" / "secret.key"
        result = await sh(f"ls {data_dir / 'secrets'}; cat {key}; ls {data_dir}", mine)
        assert KEY not in result.stdout and "secret.key" not in result.stdout
        assert result.stdout.split() == ["workspaces"]  # only the path down to its own workspace
        assert result.stderr.count("No such file or directory") == 2, result.stderr

    async def test_nothing_of_data_dir_but_its_own_workspace_is_visible(
        self, data_dir: Path, mine: Path
    ) -> None:
        result = await sh(f"find {data_dir}", mine)
        seen = {Path(line) for line in result.stdout.split()}
        assert seen == {
            data_dir,
            data_dir / "workspaces",
            data_dir / "workspaces" / "org_mine",
            mine,
            mine / "readme.txt",
        }

    async def test_the_servers_processes_are_invisible(self, mine: Path) -> None:
        server = Path("/proc/self/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        result = await sh("cat /proc/[0-9]*/cmdline | tr '\\0' ' '; echo; ls /proc | grep -c '^[0-9]'", mine)
        assert server not in result.stdout and "bwrap" in result.stdout  # only its own (bwrap's init)
        assert int(result.stdout.split()[-1]) < 10  # bwrap's init, the shell and its pipeline

    async def test_etc_is_an_allowlist(self, mine: Path) -> None:
        result = await sh(
            "cat /etc/passwd >/dev/null && echo passwd; ls /etc/shadow /etc/ssh /etc/sudoers", mine
        )
        assert result.stdout == "passwd\n" and result.stderr.count("No such file or directory") == 3


class TestWhatItCanChange:
    async def test_it_reads_and_writes_its_own_workspace(self, mine: Path) -> None:
        (mine / "notes").mkdir()
        (mine / "notes" / "todo.txt").write_text("one\n")  # written by the server, as write_file does
        result = await sh(
            "cat readme.txt; echo two >> notes/todo.txt; mkdir -p out && echo made > out/new", mine
        )
        assert result.exit_code == 0, result.stderr
        assert result.stdout == "mine\n"
        assert (mine / "notes" / "todo.txt").read_text() == "one\ntwo\n"
        assert (mine / "out" / "new").read_text() == "made\n"

    async def test_links_out_of_the_workspace_are_not_handed_over(self, data_dir: Path, mine: Path) -> None:
        key = data_dir / "secrets" / "secret.key"
        (mine / "key-link").symlink_to(key)
        (mine / "secrets-link").symlink_to(key.parent, target_is_directory=True)
        os.link(key, mine / "key-hardlink")  # as a process of the server's user could
        before = [(p.stat().st_uid, p.stat().st_mode) for p in (key, key.parent)]
        result = await sh("cat key-link secrets-link/secret.key key-hardlink", mine)
        assert [(p.stat().st_uid, p.stat().st_mode) for p in (key, key.parent)] == before
        assert KEY not in result.stdout
        if os.geteuid() == 0:  # the sandbox user may not read the hard link's (root's 0600) inode
            assert "key-hardlink: Permission denied" in result.stderr

    async def test_it_cannot_write_outside_its_workspace_but_has_a_private_tmp(
        self, data_dir: Path, mine: Path
    ) -> None:
        marker = f"escape-{uuid.uuid4().hex}"
        targets = [
            data_dir / marker,
            data_dir / "secrets" / marker,
            data_dir / "workspaces" / "org_other" / "proj_other" / marker,
            Path("/usr") / marker,
            Path("/etc") / marker,
            Path("/") / marker,
        ]
        writes = "; ".join(f"echo x > {t}" for t in targets)
        result = await sh(f"{writes}; echo t > /tmp/{marker} && cat /tmp/{marker}", mine)
        assert result.stdout == "t\n"  # its own /tmp works …
        assert result.stderr.count("\n") == len(targets)  # … every other write failed
        assert not any(t.exists() for t in targets)
        assert not (Path("/tmp") / marker).exists()  # … and that /tmp is not the host's

    async def test_it_runs_as_an_unprivileged_user(self, mine: Path) -> None:
        result = await sh("id -u; id -g; echo x > owned; grep -E '^Cap(Eff|Prm)' /proc/self/status", mine)
        uid, gid, *caps = result.stdout.splitlines()
        assert uid != "0" and gid != "0"
        assert all(line.split()[1] == "0000000000000000" for line in caps) and len(caps) == 2
        owner = (mine / "owned").stat().st_uid  # who it is on the host, not only in its namespace
        assert owner != 0 and owner == (65534 if os.geteuid() == 0 else os.geteuid())

    @pytest.mark.parametrize("path", ["/", "/usr", "/etc/ssl", str(Path.home())])
    async def test_the_system_or_the_server_is_never_a_workspace(self, path: str) -> None:
        owner = os.stat(path).st_uid
        with pytest.raises(ToolFailed, match=f"refusing to sandbox a process in {path}"):
            await run_sandboxed(["/bin/true"], cwd=path, limits=FAST)
        assert os.stat(path).st_uid == owner  # not handed to the sandbox user

    async def test_the_result_says_what_isolation_was_active(self, mine: Path) -> None:
        result = await sh("true", mine)
        isolation = await sandbox_isolation()
        assert result.confined and result.network_isolated
        assert result.isolation == isolation.detail and "workspace only" in result.isolation
        assert await sandbox_isolation() is isolation  # probed once per process


class TestWhereItCannotBeConfined:
    """A real configuration (a bwrap path with nothing there), not a mock of the probe."""

    async def test_run_sandboxed_refuses_with_the_reason(self, tmp_path: Path, mine: Path) -> None:
        settings = SandboxSettings(bwrap_path=tmp_path / "no-such-bwrap")
        with pytest.raises(SandboxUnavailable) as info:
            await run_sandboxed(["/bin/sh", "-c", "echo ran > ran.txt"], cwd=mine, settings=settings)
        assert "bubblewrap not found" in info.value.message and "apt-get install bubblewrap" in info.value.fix
        assert not (mine / "ran.txt").exists()

    async def test_run_command_answers_the_model_with_the_reason(
        self, tmp_path: Path, mine: Path, builtins: ToolRegistry, ctx: ToolContext
    ) -> None:
        services = ToolServices(sandbox=SandboxSettings(bwrap_path=tmp_path / "no-such-bwrap"))
        ctx = dataclasses.replace(ctx, workspace=mine, services=services)
        outcome = await builtins.call("run_command", '{"command": "echo ran > ran.txt"}', ctx)
        assert outcome.is_error
        assert "sandboxed execution is disabled on this server: bubblewrap not found" in outcome.content
        assert not (mine / "ran.txt").exists()

    async def test_unconfined_only_when_explicitly_allowed(self, tmp_path: Path, mine: Path) -> None:
        settings = SandboxSettings(bwrap_path=tmp_path / "no-such-bwrap", require_isolation=False)
        result = await run_sandboxed(["/bin/sh", "-c", "echo ran"], cwd=mine, settings=settings)
        assert result.stdout == "ran\n" and not result.confined
        assert result.isolation.startswith("NOT confined: bubblewrap not found")
