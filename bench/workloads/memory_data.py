"""M1's labelled retrieval set, built from real text that ships inside PyPI packages: the
long description (the project README) in the METADATA of a fixed list of distributions
that `make install` always installs (PACKAGES), so every machine builds the same set.

Passages: each README is cut into passages of about PASSAGE_CHARS on paragraph
boundaries; each passage becomes one memory, so a query has hundreds of candidates.
Queries: from each passage, sentences of 10–30 words are picked deterministically; a query
keeps 5 of the sentence's content words, and every other query has one word altered the way
people type (a plural/singular flip or a dropped letter), so an exact-token search alone
misses some and a fuzzy one alone ranks others poorly. The label is the source passage.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import metadata

MIN_CHARS = 3_000
PASSAGE_CHARS = 1_200
QUERIES_PER_PASSAGE = 4
PACKAGES = (
    "alembic",
    "annotated-types",
    "attrs",
    "fastapi",
    "frozenlist",
    "h11",
    "httpcore",
    "httpx",
    "idna",
    "openai",
    "orjson",
    "pathspec",
    "pgvector",
    "propcache",
    "psutil",
    "pycparser",
    "pydantic",
    "python-dotenv",
    "rich",
    "ruff",
    "sqlalchemy",
    "sse-starlette",
    "typer",
    "uvicorn",
    "websockets",
    "yarl",
)
_WORD = re.compile(r"[A-Za-z][A-Za-z\-]{2,}")
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "that",
        "this",
        "from",
        "are",
        "you",
        "your",
        "can",
        "not",
        "but",
        "all",
        "any",
        "its",
        "into",
        "has",
        "have",
        "use",
        "used",
        "using",
        "will",
        "which",
        "when",
        "what",
        "where",
        "who",
        "how",
        "than",
        "then",
        "them",
        "they",
        "their",
        "there",
        "these",
        "those",
        "was",
        "were",
        "been",
        "being",
        "also",
        "more",
        "most",
        "such",
        "only",
        "other",
        "some",
        "may",
        "our",
        "out",
        "one",
        "two",
        "see",
        "via",
        "per",
        "each",
        "just",
        "like",
        "make",
        "makes",
        "made",
        "very",
        "well",
    ]
)


@dataclass(frozen=True)
class Doc:
    name: str
    text: str


@dataclass(frozen=True)
class Query:
    text: str
    doc: str


def documents() -> list[Doc]:
    """The READMEs of PACKAGES that are installed here (all of them after `make install`)."""
    docs = []
    for name in PACKAGES:
        try:
            meta = metadata.metadata(name)
        except metadata.PackageNotFoundError:
            continue
        body = meta.get_payload() or meta.get("Description") or ""  # type: ignore[attr-defined]
        text = _clean(str(body))
        if len(text) >= MIN_CHARS:
            docs.append(Doc(name, text))
    return docs


def passages(docs: list[Doc]) -> list[Doc]:
    """Each document cut into passages of about PASSAGE_CHARS on paragraph boundaries,
    named ``<package> §<n>``."""
    out: list[Doc] = []
    for doc in docs:
        current: list[str] = []
        size = 0
        for para in re.split(r"\n\s*\n", doc.text):
            para = para.strip()
            if not para:
                continue
            current.append(para)
            size += len(para)
            if size >= PASSAGE_CHARS:
                out.append(Doc(f"{doc.name} §{len(out) + 1}", "\n\n".join(current)))
                current, size = [], 0
        if size >= PASSAGE_CHARS // 3:
            out.append(Doc(f"{doc.name} §{len(out) + 1}", "\n\n".join(current)))
    return out


def _clean(text: str) -> str:
    text = re.sub(r"```.*?```", " ", text, flags=re.S)  # code blocks are not prose
    text = re.sub(r"<[^>]+>|!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)", r"\1", text)
    lines = [ln for ln in text.splitlines() if not _MARKUP.search(ln)]  # badges, directives, links
    text = re.sub(r"https?://\S+", " ", "\n".join(lines))
    return re.sub(r"[ \t]+", " ", text).strip()


_MARKUP = re.compile(
    r"^\s*(\.\.|\||:[a-z]+:|>>>|\$ |=+$|-+$|\*\*+$)|:target:|shields\.io|badge|codecov|\.svg"
)


def queries(docs: list[Doc]) -> list[Query]:
    """Labelled queries: ``Query.doc`` is the name of the passage the words came from."""
    out: list[Query] = []
    for doc in docs:
        sentences = [
            s
            for s in re.split(r"(?<=[.!?])\s+", doc.text)
            if 10 <= len(s.split()) <= 30 and not re.search(r"[|{}<>=_/\\]", s)
        ]
        picked = sorted(sentences, key=lambda s: hashlib.sha1(s.encode()).hexdigest())[:QUERIES_PER_PASSAGE]
        for i, sentence in enumerate(picked):
            words = list(dict.fromkeys(w for w in _WORD.findall(sentence) if w.lower() not in _STOP))
            if len(words) < 5:
                continue
            chosen = sorted(words, key=lambda w: hashlib.sha1((w + doc.name).encode()).hexdigest())[:5]
            if i % 2 == 1:
                chosen[0] = _typo(chosen[0])
            out.append(Query(" ".join(chosen), doc.name))
    return out


def _typo(word: str) -> str:
    if word.endswith("s") and len(word) > 4:
        return word[:-1]
    if len(word) > 5:
        return word[:3] + word[4:]  # a dropped letter
    return word + "s"
