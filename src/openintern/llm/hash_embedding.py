"""`LocalHashEmbedder`: lexical embeddings with no model, no network, no dependencies.

The offline default. Text is normalised (NFKC, lower case) and cut into features:

- word unigrams and bigrams of adjacent words (the topic words and their phrases);
- character trigrams of each word with boundary marks (``<word>``), so inflections and
  typos still overlap (``search`` / ``searching``);
- for CJK runs, which have no spaces, every character and every adjacent character
  pair — the same tokens the full-text index uses, so Chinese and Japanese match too.

Each feature is hashed (CRC-32: stable across processes, unlike `hash()`) to one of
`dim` slots with a sign bit, so collisions cancel out on average instead of piling up;
its weight is sublinear in its count (1 + ln tf); the vector is L2-normalised, so cosine
similarity is a dot product. Same-topic texts share features and score higher than
unrelated ones; there is no semantics beyond shared words.
"""

from __future__ import annotations

import asyncio
import math
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

from openintern.llm.base import Embedder

DEFAULT_HASH_DIM = 384
"""Same width as the common small sentence-transformers models, so switching between the
local default and all-MiniLM-L6-v2 keeps the column type."""

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_IS_CJK = re.compile(rf"[{_CJK}]")

# Relative weights: whole words carry the topic; trigrams only add fuzzy overlap, and
# there are many per word, so each counts for little. Without corpus statistics (no IDF)
# the commonest English function words would dominate short texts: they keep a token
# weight, and no trigrams.
_W_WORD, _W_BIGRAM, _W_TRIGRAM, _W_STOPWORD = 1.0, 0.6, 0.2, 0.1
_W_CJK_CHAR, _W_CJK_BIGRAM = 0.5, 1.0
_STOPWORD_TEXT = """
a an and are as at be by for from has have how i in is it its of on or that the this to was we
were what when where which who will with you
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def features(text: str) -> Counter[str]:
    """The hashed features of `text`, with their counts (namespaced by kind)."""
    counts: Counter[str] = Counter()
    words: list[str] = []
    for run in _TOKEN.findall(unicodedata.normalize("NFKC", text).lower()):
        if _IS_CJK.match(run):
            counts.update("c:" + ch for ch in run)
            counts.update("d:" + run[i : i + 2] for i in range(len(run) - 1))
            continue
        words.append(run)
        if run in _STOPWORDS:
            counts["s:" + run] += 1
            continue
        marked = f"<{run}>"
        counts.update("t:" + marked[i : i + 3] for i in range(len(marked) - 2))
        counts["w:" + run] += 1
    counts.update(f"b:{a} {b}" for a, b in pairwise(words))
    return counts


_WEIGHTS = {
    "w": _W_WORD,
    "s": _W_STOPWORD,
    "b": _W_BIGRAM,
    "t": _W_TRIGRAM,
    "c": _W_CJK_CHAR,
    "d": _W_CJK_BIGRAM,
}


def hash_vector(text: str, dim: int) -> list[float]:
    """The L2-normalised feature-hashing vector of `text` (all zeros for text with no words)."""
    vector = [0.0] * dim
    for feature, count in features(text).items():
        h = zlib.crc32(feature.encode())
        weight = _WEIGHTS[feature[0]] * (1.0 + math.log(count))
        vector[h % dim] += weight if h & 0x80000000 else -weight
    norm = math.sqrt(sum(x * x for x in vector))
    if norm == 0.0:
        return vector
    return [x / norm for x in vector]


class LocalHashEmbedder(Embedder):
    """Deterministic, offline lexical embeddings (see the module docstring)."""

    def __init__(self, dim: int = DEFAULT_HASH_DIM) -> None:
        if dim < 16:
            raise ValueError(f"dim must be at least 16, got {dim}")
        self._dim = dim

    @property
    def model(self) -> str:
        """Versioned name: bump it if the features change, so stored vectors are re-embedded."""
        return "local-hash-v1"

    @property
    def dim(self) -> int:
        """Vector width."""
        return self._dim

    def embed_sync(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed on the calling thread (for scripts and the fake server)."""
        return [hash_vector(t, self._dim) for t in texts]

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed off the event loop: hashing is CPU work."""
        if not texts:
            return []
        return await asyncio.to_thread(self.embed_sync, list(texts))
