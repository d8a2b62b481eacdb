"""The sandbox's filesystem boundary: bubblewrap namespaces and the user a process runs as.

Invariants (each tested in tests/tools/test_sandbox_boundary.py):

- A confined process sees the system read-only (``/usr``, the ``/bin``, ``/lib*`` links,
  an allowlist of ``/etc``, the interpreter's prefix), its workspace and its own home
  read-write, a private ``/tmp``, a ``/proc`` of its own pid namespace and a minimal
  ``/dev``. Nothing else: never ``DATA_DIR``, never another workspace.
- When the server is root it runs as ``sandbox.uid``/``gid`` on the host (``setpriv``
  inside bwrap: no capabilities, ``no_new_privs``), and the workspace is handed to that
  user. Otherwise bwrap's user namespace (as the server's user, no capabilities) is the
  unprivileged boundary.
- Own pid, ipc and uts namespaces; no network unless allowed; it dies with its parent.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from openintern.config import SandboxSettings

SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"
"""The only PATH a sandboxed process sees; the server's own PATH may point at private tools."""

SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
"""Merged-/usr links (or, on older layouts, directories) a dynamic binary needs."""

ETC_ALLOWED = (
    "alternatives",
    "ca-certificates",
    "ca-certificates.conf",
    "debian_version",
    "gai.conf",
    "group",
    "host.conf",
    "hosts",
    "inputrc",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "locale.alias",
    "localtime",
    "mime.types",
    "nsswitch.conf",
    "os-release",
    "passwd",
    "protocols",
    "resolv.conf",
    "services",
    "ssl/certs",
    "timezone",
)
"""The part of /etc a tool may read: name service, linker, locale, certificates. Never
shadow files, host keys, sudoers or the server's own configuration."""

PROBE_TIMEOUT_S = 10.0
"""A bwrap start takes ~5 ms; a probe that hangs this long means the host cannot do it."""

INSTALL_HINT = (
    "install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install bubblewrap`)"
)


@dataclass(frozen=True)
class SandboxIsolation:
    """What walls this host can put around a sandboxed process, probed once per settings.

    `confined` is the filesystem boundary (bubblewrap works here); `detail` says how, or
    why not; `fix` says what to do about it when it is missing."""

    confined: bool
    detail: str
    fix: str = ""
    bwrap: str | None = None
    run_as: tuple[int, int] | None = None  # the uid/gid set inside, when the server is root


def find_bwrap(settings: SandboxSettings) -> str | None:
    if settings.bwrap_path is not None:
        path = settings.bwrap_path
        return str(path) if path.is_file() and os.access(path, os.X_OK) else None
    return shutil.which("bwrap", path=SAFE_PATH)


def _python_prefix() -> Path | None:
    """The interpreter's installation, to mount read-only when it is not under /usr."""
    prefix = Path(sys.base_prefix).resolve()
    return None if prefix.is_relative_to("/usr") else prefix


def python_binary() -> str:
    """The interpreter that runs sandboxed code: the base one (a venv's is outside the sandbox)."""
    real = Path(sys.executable).resolve()
    base = Path(sys.base_prefix).resolve()
    if real.is_relative_to(base) or real.is_relative_to("/usr"):
        return str(real)
    return str(base / "bin" / "python3")


def bwrap_argv(isolation: SandboxIsolation, *, home: Path, workspace: Path, allow_network: bool) -> list[str]:
    """The bwrap (and setpriv) prefix that confines one run to `workspace` and `home`."""
    assert isolation.bwrap is not None
    argv = [isolation.bwrap, "--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-cgroup-try"]
    if isolation.run_as is None:
        argv.append("--unshare-user")  # the unprivileged boundary: no capabilities on the host
    if not allow_network:
        argv.append("--unshare-net")
    argv += ["--die-with-parent", "--ro-bind", "/usr", "/usr"]
    for link in SYSTEM_LINKS:
        if os.path.islink(link):
            argv += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            argv += ["--ro-bind", link, link]
    binds: list[tuple[str, Path]] = [("--ro-bind-try", Path("/etc") / name) for name in ETC_ALLOWED]
    if (prefix := _python_prefix()) is not None:
        binds.append(("--ro-bind", prefix))
    binds += [("--bind", path) for path in dict.fromkeys((home, workspace))]
    # /tmp first (1777, the sandbox's own): home and a workspace may live under the host's
    # /tmp and are bound over it. Parents bwrap would create are made 0755 first: it makes
    # them 0700 as root, which would lock the sandbox user out of /etc and the binds.
    argv += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
    made = {Path("/"), Path("/tmp"), Path("/usr")}
    for option, path in binds:
        for parent in reversed(path.parents):
            if parent not in made:
                argv += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        argv += [option, str(path), str(path)]
    argv += ["--chdir", str(workspace), "--"]
    if isolation.run_as is not None:
        uid, gid = isolation.run_as
        argv += [
            "setpriv",
            f"--reuid={uid}",
            f"--regid={gid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            "--",
        ]
    return argv


async def probe(settings: SandboxSettings) -> SandboxIsolation:
    """Start one confined `id -u` the way every run will be started, and check who it ran as."""
    bwrap = find_bwrap(settings)
    if bwrap is None:
        where = settings.bwrap_path or "bwrap on " + SAFE_PATH
        return SandboxIsolation(False, f"bubblewrap not found ({where})", INSTALL_HINT)
    root = os.geteuid() == 0
    run_as = (settings.uid, settings.gid) if root else None
    candidate = SandboxIsolation(True, "", bwrap=bwrap, run_as=run_as)
    expected = str(settings.uid if root else os.geteuid())
    home = Path(await asyncio.to_thread(_make_home))
    try:
        if run_as is not None:
            await asyncio.to_thread(hand_over, home, *run_as)
        argv = [
            *bwrap_argv(candidate, home=home, workspace=home, allow_network=False),
            "/bin/sh",
            "-c",
            "id -u",
        ]
        code, out = await _output(argv)
    finally:
        await asyncio.to_thread(shutil.rmtree, home, True)
    if code != 0 or out.strip() != expected:
        why = out.strip().splitlines()[-1] if out.strip() else f"exit code {code}"
        return SandboxIsolation(
            False, f"bubblewrap at {bwrap} cannot confine a process here: {why}", _NAMESPACE_HINT
        )
    who = f"uid {settings.uid}" if root else f"the server's uid {expected} in a user namespace"
    return SandboxIsolation(
        True, f"bubblewrap ({bwrap}): workspace only, system read-only, as {who}", "", bwrap, run_as
    )


_NAMESPACE_HINT = (
    "allow namespaces (sysctl kernel.unprivileged_userns_clone=1 / user.max_user_namespaces > 0; in a "
    "container: run it with --cap-add SYS_ADMIN or a seccomp profile that permits clone/unshare/mount)"
)


def _make_home() -> str:
    return tempfile.mkdtemp(prefix="openintern-sandbox-")


async def _output(argv: list[str]) -> tuple[int, str]:
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env={"PATH": SAFE_PATH},
        )
        out, _ = await asyncio.wait_for(proc.communicate(), PROBE_TIMEOUT_S)
    except (OSError, asyncio.TimeoutError) as exc:
        return -1, str(exc)
    return proc.returncode or 0, out.decode(errors="replace")


SYSTEM_DIRS = (
    "/usr",
    "/etc",
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/boot",
    "/proc",
    "/sys",
    "/dev",
    "/var",
    "/run",
)
"""Never a workspace: they would be bound read-write and (as root) handed to the sandbox user."""


def check_workspace(path: Path) -> str | None:
    """Why `path` cannot be a sandbox's workspace, or None. It becomes writable by (and, as
    root, owned by) the sandbox user, so it must not hold the system or the server itself."""
    if any(path == Path(d) or path.is_relative_to(d) for d in SYSTEM_DIRS):
        return f"{path} is a system directory"
    for inside in (Path(sys.base_prefix), Path(sys.prefix), Path(tempfile.gettempdir()), Path.home()):
        if inside.resolve().is_relative_to(path):
            return f"{path} holds {inside}"
    return None


def hand_over(root: Path, uid: int, gid: int) -> None:
    """Give `root` and everything under it to the sandbox user, so it can write there.

    Walks with directory fds (``os.fwalk``) and never follows a symlink, so a process that
    swaps a directory for a link mid-walk cannot redirect a chown out of the tree. A regular
    file with other hard links is left alone (its other name may be outside the tree).
    Runs before every confined start: a tree already handed over costs ~5 ms per 1,000
    entries to re-check (measured on 10,000 files)."""
    st = os.lstat(root)
    if stat.S_ISDIR(st.st_mode) and (st.st_uid, st.st_gid) != (uid, gid):
        os.chown(root, uid, gid, follow_symlinks=False)
    for _, dirs, files, dir_fd in os.fwalk(root, follow_symlinks=False):
        for name in (*dirs, *files):
            try:
                entry = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            except FileNotFoundError:
                continue
            if (entry.st_uid, entry.st_gid) == (uid, gid) or stat.S_ISLNK(entry.st_mode):
                continue
            if stat.S_ISREG(entry.st_mode) and entry.st_nlink > 1:
                continue
            os.chown(name, uid, gid, dir_fd=dir_fd, follow_symlinks=False)
