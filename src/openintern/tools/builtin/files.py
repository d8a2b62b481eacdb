"""Files in the project's workspace: read_file, list_files, write_file.

Every path is relative to ``ctx.workspace`` and must stay inside it: absolute paths and
``..`` components are refused outright, and the path is then resolved with symlinks
followed, so a link pointing out of the workspace is refused too (a link that stays
inside is fine). Files are finally opened with ``O_NOFOLLOW``, so a symlink swapped in
after the check is refused rather than followed. These are sync functions: the registry
runs them in a thread, off the event loop.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath
from typing import Annotated

from pydantic import Field

from openintern.errors import ToolFailed, ToolRetry
from openintern.tools.context import ToolContext
from openintern.tools.registry import tool

READ_MAX_CHARS = 200_000
"""Largest slice read_file returns in one call (~50k tokens); the model pages with `offset`."""

READ_MAX_FILE_BYTES = 20 * 1024 * 1024
"""Files above this are not loaded at all: reading one to return a slice would stall the worker."""

WRITE_MAX_BYTES = 10 * 1024 * 1024
"""Largest file write_file creates; a model emitting more is almost certainly looping."""

LIST_MAX_ENTRIES = 500
"""Entries list_files shows before summarising the rest."""

_BINARY_SNIFF_BYTES = 8192

WorkspacePath = Annotated[str, Field(description="Path relative to the workspace root, e.g. 'src/app.py'.")]


@tool(max_output_chars=READ_MAX_CHARS + 1_000)
def read_file(
    ctx: ToolContext,
    path: WorkspacePath,
    offset: Annotated[int, Field(ge=0, description="Character offset to start reading at.")] = 0,
    limit: Annotated[
        int, Field(ge=1, le=READ_MAX_CHARS, description="Most characters to return.")
    ] = READ_MAX_CHARS,
) -> str:
    """Read a text file from the project workspace (a directory gives its listing)."""
    target = resolve_in_workspace(ctx.workspace, path)
    info = _stat(target, path)
    if stat.S_ISDIR(info.st_mode):
        return f"{path} is a directory; its entries:\n{_listing(target)}"
    if info.st_size > READ_MAX_FILE_BYTES:
        raise ToolRetry(
            f"{path} is {info.st_size:,} bytes, above the {READ_MAX_FILE_BYTES:,}-byte read limit"
        )
    text = _decode(_read_bytes(target, path), path)
    chunk = text[offset : offset + limit]
    end = offset + len(chunk)
    if offset == 0 and end == len(text):
        return chunk
    more = f"; call read_file with offset={end} to continue" if end < len(text) else ""
    return f"{chunk}\n[characters {offset:,}–{end:,} of {len(text):,}{more}]"


@tool
def list_files(ctx: ToolContext, path: WorkspacePath = ".") -> str:
    """List the entries of a directory in the project workspace (directories end with '/')."""
    target = resolve_in_workspace(ctx.workspace, path)
    if not stat.S_ISDIR(_stat(target, path).st_mode):
        raise ToolRetry(f"{path} is a file, not a directory; use read_file to read it")
    return _listing(target)


@tool(risk="medium", idempotent=False)
def write_file(
    ctx: ToolContext,
    path: WorkspacePath,
    content: Annotated[str, Field(description="The complete new text of the file.")],
) -> str:
    """Create or overwrite a text file in the project workspace, creating parent directories."""
    data = content.encode("utf-8")
    if len(data) > WRITE_MAX_BYTES:
        raise ToolRetry(f"content is {len(data):,} bytes, above the {WRITE_MAX_BYTES:,}-byte write limit")
    target = resolve_in_workspace(ctx.workspace, path)
    if target.is_dir():
        raise ToolRetry(f"{path} is a directory; give a file path")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Re-check after mkdir: a directory created concurrently could be a symlink out.
    resolve_in_workspace(ctx.workspace, str(target.relative_to(_root(ctx.workspace))))
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        raise ToolFailed(f"cannot write {path}: {exc.strerror}") from exc
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return f"wrote {len(data):,} bytes to {path}"


def resolve_in_workspace(workspace: Path, path: str) -> Path:
    """The real path of `path` inside `workspace`, or `ToolRetry` saying why it is refused."""
    pure = PurePosixPath(path or ".")
    if pure.is_absolute() or path.startswith("~"):
        raise ToolRetry(f"{path!r} is absolute; give a path relative to the workspace root")
    if ".." in pure.parts:
        raise ToolRetry(f"{path!r} contains '..'; paths must stay inside the workspace")
    if "\0" in path:
        raise ToolRetry("the path contains a NUL character")
    root = _root(workspace)
    target = (root / pure).resolve()
    if target != root and root not in target.parents:
        raise ToolRetry(f"{path!r} leads outside the workspace (through a symbolic link); refused")
    return target


def _root(workspace: Path) -> Path:
    try:
        return workspace.resolve(strict=True)
    except OSError as exc:
        raise ToolFailed(f"the project workspace {workspace} does not exist") from exc


def _stat(target: Path, path: str) -> os.stat_result:
    try:
        return target.stat()
    except FileNotFoundError:
        raise ToolRetry(f"{path} does not exist; use list_files to see what is there") from None


def _read_bytes(target: Path, path: str) -> bytes:
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        raise ToolFailed(f"cannot read {path}: {exc.strerror}") from exc
    with os.fdopen(fd, "rb") as handle:
        return handle.read(READ_MAX_FILE_BYTES + 1)


def _decode(data: bytes, path: str) -> str:
    try:
        if b"\0" in data[:_BINARY_SNIFF_BYTES]:
            raise UnicodeDecodeError("utf-8", data, 0, 1, "NUL byte")
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ToolRetry(
            f"{path} is a binary file ({len(data):,} bytes); read_file returns text only"
        ) from None


def _listing(directory: Path) -> str:
    entries = sorted(os.scandir(directory), key=lambda e: e.name)
    lines = [_entry_line(e) for e in entries[:LIST_MAX_ENTRIES]]
    if len(entries) > LIST_MAX_ENTRIES:
        lines.append(f"… and {len(entries) - LIST_MAX_ENTRIES:,} more entries")
    return "\n".join(lines) if lines else "(empty directory)"


def _entry_line(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return f"{entry.name} -> {os.readlink(entry.path)}"
    if entry.is_dir():
        return f"{entry.name}/"
    return f"{entry.name}  ({entry.stat().st_size:,} bytes)"
