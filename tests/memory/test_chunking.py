"""Structure-aware chunking: pure functions, so no database is needed."""

from __future__ import annotations

import itertools

import pytest

from openintern.errors import ValidationFailed
from openintern.memory.chunking import Chunk, chunk_text, count_tokens

GUIDE = """# Guide

Intro paragraph. It has two sentences.

## Install

Run this first:

```bash
pip install openintern

openintern init
```

## Usage

### Search

Search is hybrid.
"""


def body(chunk: Chunk, source: str) -> str:
    return source[chunk.start_char : chunk.end_char]


class TestCountTokens:
    def test_words_and_cjk_characters_count(self) -> None:
        assert count_tokens("hello world") == 2
        assert count_tokens("混合检索") == 4
        assert count_tokens("use 混合检索 now") == 6

    def test_long_runs_count_per_sixteen_characters(self) -> None:
        assert count_tokens("x" * 40) == 3


class TestHeadings:
    def test_each_section_is_chunked_with_its_heading_path(self) -> None:
        chunks = chunk_text(GUIDE)
        assert [c.heading_path for c in chunks] == [
            ["Guide"],
            ["Guide", "Install"],
            ["Guide", "Usage", "Search"],
        ]
        assert [c.position for c in chunks] == [0, 1, 2]

    def test_chunk_text_starts_with_the_breadcrumb_and_spans_the_body(self) -> None:
        chunk = chunk_text(GUIDE)[2]
        assert chunk.text == "Guide > Usage > Search\n\nSearch is hybrid."
        assert body(chunk, GUIDE) == "Search is hybrid."

    def test_a_heading_without_body_or_children_still_yields_a_chunk(self) -> None:
        chunks = chunk_text("# A\n\ntext\n\n## Empty\n\n# B\n\nmore")
        assert [c.text for c in chunks] == ["A\n\ntext", "A > Empty", "B\n\nmore"]

    def test_hash_inside_code_or_without_space_is_not_a_heading(self) -> None:
        chunks = chunk_text("# Real\n\n```\n# comment\n```\n\n#hashtag here")
        assert {tuple(c.heading_path) for c in chunks} == {("Real",)}

    def test_text_format_ignores_markdown_headings(self) -> None:
        chunks = chunk_text(GUIDE, fmt="text")
        assert all(c.heading_path == [] for c in chunks)
        assert chunks[0].text.startswith("# Guide")


class TestBounds:
    @pytest.mark.parametrize("max_tokens", [16, 30, 64, 200])
    def test_no_chunk_exceeds_max_tokens(self, max_tokens: int) -> None:
        text = ("# Title\n\n" + "word " * 500 + "\n\n" + "一句中文。" * 300 + "\n\n" + "x" * 3000) * 2
        chunks = chunk_text(text, max_tokens=max_tokens, overlap_tokens=max_tokens // 4)
        assert chunks
        assert all(c.token_count <= max_tokens for c in chunks)
        assert all(c.token_count == count_tokens(c.text) for c in chunks)

    def test_every_part_of_the_source_is_covered(self) -> None:
        text = "\n\n".join(
            f"Paragraph {i} says something long enough. Another sentence {i}." for i in range(50)
        )
        chunks = chunk_text(text, fmt="text", max_tokens=40, overlap_tokens=0)
        joined = " ".join(body(c, text) for c in chunks).split()
        assert joined == text.split()

    @pytest.mark.parametrize(("max_tokens", "overlap"), [(8, 0), (100, 51), (100, -1)])
    def test_bad_limits_are_refused(self, max_tokens: int, overlap: int) -> None:
        with pytest.raises(ValidationFailed):
            chunk_text("text", max_tokens=max_tokens, overlap_tokens=overlap)

    def test_unknown_format_is_refused(self) -> None:
        with pytest.raises(ValidationFailed, match="unknown chunk format"):
            chunk_text("text", fmt="html")  # type: ignore[arg-type]


class TestOverlap:
    SENTENCES = " ".join(f"Sentence number {i} is here." for i in range(40))

    def test_neighbouring_chunks_share_trailing_sentences(self) -> None:
        chunks = chunk_text(self.SENTENCES, fmt="text", max_tokens=30, overlap_tokens=10)
        assert len(chunks) > 3
        for previous, current in itertools.pairwise(chunks):
            assert current.start_char < previous.end_char
            shared = self.SENTENCES[current.start_char : previous.end_char]
            assert count_tokens(shared) <= 10

    def test_zero_overlap_gives_disjoint_chunks(self) -> None:
        chunks = chunk_text(self.SENTENCES, fmt="text", max_tokens=30, overlap_tokens=0)
        for previous, current in itertools.pairwise(chunks):
            assert current.start_char >= previous.end_char

    def test_one_enormous_sentence_is_hard_split_with_overlap(self) -> None:
        text = " ".join(f"w{i}" for i in range(300))
        chunks = chunk_text(text, fmt="text", max_tokens=50, overlap_tokens=10)
        assert all(c.token_count <= 50 for c in chunks)
        assert chunks[1].start_char < chunks[0].end_char
        assert chunks[-1].text.endswith("w299")


class TestStructure:
    def test_a_code_block_that_fits_is_never_split(self) -> None:
        code = "```python\n" + "\n".join(f"x{i} = {i}" for i in range(20)) + "\n\nprint(x0)\n```"
        text = "# Code\n\n" + "Some words before. " * 10 + "\n\n" + code + "\n\nAfter the code."
        chunks = chunk_text(text, max_tokens=80, overlap_tokens=10)
        assert sum(code in c.text for c in chunks) >= 1
        assert all(c.text.count("```") in (0, 2) for c in chunks)

    def test_a_code_block_too_big_is_split_at_line_ends(self) -> None:
        code = "```\n" + "\n".join(f"line_{i} = compute({i})" for i in range(200)) + "\n```"
        chunks = chunk_text(code, max_tokens=40, overlap_tokens=0)
        assert len(chunks) > 5
        assert all(c.text.endswith(")") or c.text.endswith("```") for c in chunks)

    def test_cjk_sentences_split_at_cjk_punctuation(self) -> None:
        text = "记忆系统支持混合检索。它融合向量与全文！这样好吗?是的。" * 3
        chunks = chunk_text(text, fmt="text", max_tokens=20, overlap_tokens=0)
        assert len(chunks) > 1
        assert all(c.text[-1] in "。！?" for c in chunks)

    def test_chunking_is_deterministic(self) -> None:
        text = GUIDE * 20 + "中文内容。" * 200
        assert chunk_text(text, max_tokens=50) == chunk_text(text, max_tokens=50)

    def test_empty_text_has_no_chunks(self) -> None:
        assert chunk_text("") == []
        assert chunk_text("\n\n   \n") == []
