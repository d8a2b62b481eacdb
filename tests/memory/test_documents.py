"""Reading files into Documents; real files in tmp_path, no database needed."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from pypdf import PdfWriter

from openintern.errors import ValidationFailed
from openintern.memory.ingest import aload_document, clean_pdf_text, expand_paths, load_document
from openintern.testing.fake_mineru import make_pdf


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


class TestLoadText:
    def test_markdown_title_is_the_first_h1(self, tmp_path: Path) -> None:
        md = "```\n# not a title\n```\n\n## Sub\n\n# Real Title\n\ntext 中文"
        doc = load_document(write(tmp_path / "notes.md", md))
        assert (doc.fmt, doc.title, doc.text, doc.pages) == ("markdown", "Real Title", md, None)

    def test_title_falls_back_to_the_file_stem(self, tmp_path: Path) -> None:
        doc = load_document(write(tmp_path / "plain-notes.txt", "just text"))
        assert (doc.fmt, doc.title) == ("text", "plain-notes")

    def test_rst_title_is_the_underlined_line(self, tmp_path: Path) -> None:
        doc = load_document(write(tmp_path / "guide.rst", "=====\nGuide\n=====\n\nBody"))
        assert doc.title == "Guide"

    def test_content_hash_is_sha256_of_the_bytes_and_stable(self, tmp_path: Path) -> None:
        first = load_document(write(tmp_path / "a.md", "# Same\n"))
        second = load_document(write(tmp_path / "sub" / "b.MD", "# Same\n"))
        assert first.content_hash == second.content_hash == hashlib.sha256(b"# Same\n").hexdigest()

    def test_legacy_chinese_encoding_is_decoded(self, tmp_path: Path) -> None:
        doc = load_document(write(tmp_path / "gbk.txt", "混合检索的说明".encode("gbk")))
        assert doc.text == "混合检索的说明"

    def test_utf8_bom_is_dropped(self, tmp_path: Path) -> None:
        assert load_document(write(tmp_path / "bom.md", "\ufeff# T".encode())).text == "# T"

    def test_unsupported_or_missing_files_are_refused_by_name(self, tmp_path: Path) -> None:
        with pytest.raises(ValidationFailed, match=r"image\.png: unsupported file type"):
            load_document(write(tmp_path / "image.png", b"\x89PNG"))
        with pytest.raises(ValidationFailed, match=r"missing\.md: cannot be read"):
            load_document(tmp_path / "missing.md")


class TestLoadPdf:
    def test_pdf_pages_are_cleaned_and_joined(self, tmp_path: Path) -> None:
        pdf = make_pdf(["An exam-\nple of   text.", "Second page."], title="Report 2024")
        doc = load_document(write(tmp_path / "report.pdf", pdf))
        assert doc.pages == ["An example of text.", "Second page."]
        assert doc.text == "An example of text.\n\nSecond page."
        assert (doc.fmt, doc.title) == ("text", "Report 2024")
        assert doc.content_hash == hashlib.sha256(pdf).hexdigest()

    def test_pdf_without_metadata_title_uses_the_stem(self, tmp_path: Path) -> None:
        assert load_document(write(tmp_path / "q3-notes.pdf", make_pdf(["hello"]))).title == "q3-notes"

    async def test_async_load_runs_in_a_thread(self, tmp_path: Path) -> None:
        doc = await aload_document(write(tmp_path / "a.pdf", make_pdf(["async text"])))
        assert doc.text == "async text"

    def test_broken_pdf_is_refused_by_name(self, tmp_path: Path) -> None:
        with pytest.raises(ValidationFailed, match=r"broken\.pdf: not a readable PDF"):
            load_document(write(tmp_path / "broken.pdf", b"%PDF-1.4\nthis is not a pdf"))

    def test_password_protected_pdf_is_refused_by_name(self, tmp_path: Path) -> None:
        writer = PdfWriter()
        writer.add_blank_page(width=200, height=200)
        writer.encrypt(user_password="secret", owner_password="owner")
        buffer = io.BytesIO()
        writer.write(buffer)
        with pytest.raises(ValidationFailed, match=r"locked\.pdf: the PDF is encrypted"):
            load_document(write(tmp_path / "locked.pdf", buffer.getvalue()))

    def test_pdf_without_text_layer_points_to_mineru(self, tmp_path: Path) -> None:
        writer = PdfWriter()
        writer.add_blank_page(width=200, height=200)
        buffer = io.BytesIO()
        writer.write(buffer)
        with pytest.raises(ValidationFailed, match=r"no text layer.*MinerU"):
            load_document(write(tmp_path / "scan.pdf", buffer.getvalue()))

    def test_cleaning_rejoins_cjk_lines_and_collapses_noise(self) -> None:
        raw = "混合检\n索系统  and   ﬁles\x0c\n\n\n\nwell-\nknown Foo-\nBar"
        assert clean_pdf_text(raw) == "混合检索系统 and files\n\nwellknown Foo-\nBar"


class TestExpandPaths:
    @pytest.fixture
    def tree(self, tmp_path: Path) -> Path:
        for name in ["a.md", "b.txt", "c.pdf", "d.rst", "skip.png", ".hidden.md", "sub/e.markdown",
                     "sub/deep/f.md", ".git/g.md", "sub/.cache/h.md"]:  # fmt: skip
            write(tmp_path / name, "x")
        return tmp_path

    def test_folder_is_walked_recursively_skipping_hidden_and_unsupported(self, tree: Path) -> None:
        names = [p.relative_to(tree).as_posix() for p in expand_paths(tree)]
        assert names == ["a.md", "b.txt", "c.pdf", "d.rst", "sub/deep/f.md", "sub/e.markdown"]

    def test_non_recursive_takes_the_top_level_only(self, tree: Path) -> None:
        assert [p.name for p in expand_paths([tree], recursive=False)] == ["a.md", "b.txt", "c.pdf", "d.rst"]

    def test_globs_and_duplicates(self, tree: Path) -> None:
        found = expand_paths([f"{tree}/**/*.md", tree / "a.md", str(tree / "a.md")])
        assert [p.relative_to(tree).as_posix() for p in found] == ["a.md", "sub/deep/f.md"]

    def test_a_glob_matching_nothing_yields_nothing(self, tree: Path) -> None:
        assert expand_paths(f"{tree}/*.docx") == []

    def test_explicit_paths_must_exist_and_be_supported(self, tree: Path) -> None:
        with pytest.raises(ValidationFailed, match="no such file"):
            expand_paths(tree / "nope.md")
        with pytest.raises(ValidationFailed, match="unsupported file type"):
            expand_paths(tree / "skip.png")

    def test_an_explicit_hidden_file_is_taken(self, tree: Path) -> None:
        assert expand_paths(tree / ".hidden.md") == [(tree / ".hidden.md").resolve()]
