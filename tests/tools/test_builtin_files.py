"""read_file, list_files and write_file stay inside the workspace.

No database: these tools touch only the per-test workspace under `tmp_path`; symlinks
are real links created there, pointing at real files outside it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from openintern.tools import ToolContext, ToolRegistry
from openintern.tools.builtin.files import READ_MAX_CHARS


def args(**kwargs: object) -> str:
    return json.dumps(kwargs)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("top secret")
    return secret


class TestReadFile:
    async def test_reads_text(self, builtins: ToolRegistry, ctx: ToolContext, workspace: Path) -> None:
        (workspace / "notes.txt").write_text("héllo\n")
        outcome = await builtins.call("read_file", args(path="notes.txt"), ctx)
        assert (outcome.content, outcome.is_error) == ("héllo\n", False)

    async def test_offset_and_limit_page_through_with_a_hint(
        self, builtins: ToolRegistry, ctx: ToolContext, workspace: Path
    ) -> None:
        (workspace / "abc.txt").write_text("abcdefghij")
        outcome = await builtins.call("read_file", args(path="abc.txt", offset=2, limit=3), ctx)
        assert outcome.content == "cde\n[characters 2–5 of 10; call read_file with offset=5 to continue]"
        last = await builtins.call("read_file", args(path="abc.txt", offset=8), ctx)
        assert last.content == "ij\n[characters 8–10 of 10]"

    async def test_default_limit_returns_200k_characters_untruncated(
        self, builtins: ToolRegistry, ctx: ToolContext, workspace: Path
    ) -> None:
        (workspace / "big.txt").write_text("y" * (READ_MAX_CHARS + 5))
        outcome = await builtins.call("read_file", args(path="big.txt"), ctx)
        assert outcome.content.startswith("y" * READ_MAX_CHARS + "\n[characters 0–200,000 of 200,005")
        assert "output truncated" not in outcome.content

    async def test_symlink_inside_the_workspace_is_followed(
        self, builtins: ToolRegistry, ctx: ToolContext, workspace: Path
    ) -> None:
        (workspace / "real.txt").write_text("real")
        (workspace / "link.txt").symlink_to("real.txt")
        assert (await builtins.call("read_file", args(path="link.txt"), ctx)).content == "real"

    async def test_directory_gives_a_listing(
        self, builtins: ToolRegistry, ctx: ToolContext, workspace: Path
    ) -> None:
        (workspace / "src").mkdir()
        (workspace / "src" / "a.py").write_text("print(1)\n")
        outcome = await builtins.call("read_file", args(path="src"), ctx)
        assert outcome.content == "src is a directory; its entries:\na.py  (9 bytes)"

    @pytest.mark.parametrize(
        ("path", "message"),
        [
            ("/etc/passwd", "'/etc/passwd' is absolute; give a path relative to the workspace root"),
            ("../outside/secret.txt", "'../outside/secret.txt' contains '..'"),
            ("sub/../../outside/secret.txt", "contains '..'"),
            ("~/secret.txt", "is absolute"),
            ("missing.txt", "missing.txt does not exist; use list_files to see what is there"),
        ],
    )
    async def test_refusals(
        self, builtins: ToolRegistry, ctx: ToolContext, outside: Path, path: str, message: str
    ) -> None:
        outcome = await builtins.call("read_file", args(path=path), ctx)
        assert outcome.is_error and message in outcome.content
        assert "top secret" not in outcome.content

    async def test_symlink_out_of_the_workspace_is_refused(
        self, builtins: ToolRegistry, ctx: ToolContext, workspace: Path, outside: Path
    ) -> None:
        (workspace / "escape.txt").symlink_to(outside)
        (workspace / "escape_dir").symlink_to(outside.parent, target_is_directory=True)
        for path in ("escape.txt", "escape_dir/secret.txt"):
            outcome = await builtins.call("read_file", args(path=path), ctx)
            assert outcome.is_error and "leads outside the workspace" in outcome.content
            assert "top secret" not in outcome.content

    async def test_binary_file_is_refused(
        self, builtins: ToolRegistry, ctx: ToolContext, workspace: Path
    ) -> None:
        (workspace / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
        (workspace / "latin1.txt").write_bytes("café".encode("latin-1"))
        for path in ("image.png", "latin1.txt"):
            outcome = await builtins.call("read_file", args(path=path), ctx)
            assert outcome.is_error and "is a binary file" in outcome.content


class TestListFiles:
    async def test_lists_entries(self, builtins: ToolRegistry, ctx: ToolContext, workspace: Path) -> None:
        (workspace / "b.txt").write_text("bb")
        (workspace / "a_dir").mkdir()
        (workspace / "link").symlink_to("b.txt")
        outcome = await builtins.call("list_files", "{}", ctx)
        assert outcome.content == "a_dir/\nb.txt  (2 bytes)\nlink -> b.txt"

    async def test_empty_directory_and_file_argument(
        self, builtins: ToolRegistry, ctx: ToolContext, workspace: Path
    ) -> None:
        assert (await builtins.call("list_files", args(path="."), ctx)).content == "(empty directory)"
        (workspace / "f.txt").write_text("")
        outcome = await builtins.call("list_files", args(path="f.txt"), ctx)
        assert outcome.is_error and "use read_file" in outcome.content

    async def test_confined(
        self, builtins: ToolRegistry, ctx: ToolContext, workspace: Path, outside: Path
    ) -> None:
        (workspace / "out").symlink_to(outside.parent, target_is_directory=True)
        for path in ("..", "/", "out"):
            assert (await builtins.call("list_files", args(path=path), ctx)).is_error


class TestWriteFile:
    async def test_creates_parents_and_overwrites(
        self, builtins: ToolRegistry, ctx: ToolContext, workspace: Path
    ) -> None:
        outcome = await builtins.call("write_file", args(path="deep/er/new.txt", content="hi ✓"), ctx)
        assert outcome.content == "wrote 6 bytes to deep/er/new.txt"
        await builtins.call("write_file", args(path="deep/er/new.txt", content="v2"), ctx)
        assert (workspace / "deep" / "er" / "new.txt").read_text() == "v2"

    async def test_writing_through_an_inside_symlink_writes_its_target(
        self, builtins: ToolRegistry, ctx: ToolContext, workspace: Path
    ) -> None:
        (workspace / "real.txt").write_text("old")
        (workspace / "alias.txt").symlink_to("real.txt")
        assert not (await builtins.call("write_file", args(path="alias.txt", content="new"), ctx)).is_error
        assert (workspace / "real.txt").read_text() == "new"

    @pytest.mark.parametrize("path", ["/tmp/x.txt", "../x.txt", "a/../../x.txt"])
    async def test_refuses_paths_out(self, builtins: ToolRegistry, ctx: ToolContext, path: str) -> None:
        outcome = await builtins.call("write_file", args(path=path, content="x"), ctx)
        assert outcome.is_error and outcome.data == {"error": "retry"}

    async def test_refuses_symlinks_out(
        self, builtins: ToolRegistry, ctx: ToolContext, workspace: Path, outside: Path
    ) -> None:
        (workspace / "escape.txt").symlink_to(outside)
        (workspace / "escape_dir").symlink_to(outside.parent, target_is_directory=True)
        (workspace / "dangling.txt").symlink_to(outside.parent / "new.txt")
        for path in ("escape.txt", "escape_dir/new.txt", "escape_dir/sub/new.txt", "dangling.txt"):
            outcome = await builtins.call("write_file", args(path=path, content="pwned"), ctx)
            assert outcome.is_error and "leads outside the workspace" in outcome.content, path
        assert outside.read_text() == "top secret"
        assert sorted(os.listdir(outside.parent)) == ["secret.txt"]

    async def test_refuses_a_directory(
        self, builtins: ToolRegistry, ctx: ToolContext, workspace: Path
    ) -> None:
        (workspace / "d").mkdir()
        outcome = await builtins.call("write_file", args(path="d", content="x"), ctx)
        assert outcome.is_error and "is a directory" in outcome.content

    async def test_missing_workspace_is_a_failure(
        self, builtins: ToolRegistry, ctx: ToolContext, workspace: Path
    ) -> None:
        workspace.rmdir()
        outcome = await builtins.call("write_file", args(path="a.txt", content="x"), ctx)
        assert outcome.is_error and "workspace" in outcome.content and outcome.data == {"error": "failed"}
