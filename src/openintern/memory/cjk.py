"""CJK-aware lexical tokens for PostgreSQL full-text search.

PostgreSQL's text-search parsers split on spaces and punctuation, and Chinese and Japanese
put none between words: `to_tsvector('simple', '记忆系统支持混合检索')` is *one* lexeme, so a
search for `混合检索` never matches. We therefore tokenise in Python and hand PostgreSQL a
string of space-separated tokens that its `simple` parser keeps as they are::

    to_tsvector('simple', tokenize_for_index(text))      -- stored in memory_chunks
    to_tsquery('simple', text_queries(q)[i].match)       -- at search time

Each run of CJK characters (Han, Hiragana, Katakana, Hangul) becomes its overlapping
character bigrams (`混合检索` → `混合 合检 检索`); a run of one character stays a unigram.
Bigrams need no dictionary, never go stale on new words or names, cost nothing to
compute, and work the same for Chinese, Japanese and Korean. This is the standard
approach of Lucene's `CJKAnalyzer`/`CJKBigramFilter`, which Elasticsearch's `cjk`
analyzer also uses. A dictionary segmenter (jieba, MeCab) gives smaller indexes but
adds a dependency and mis-segments unseen terms; with bigrams, any substring of two or
more characters in the document can be found.

Everything else is lower-cased Unicode words (NFKC-normalised, so full-width `ＡＢＣ`
equals `abc`), with punctuation dropped and a light English plural folding applied to
both sides so `memories` finds `memory`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Literal, NamedTuple

__all__ = [
    "CJK_CHARS",
    "STOPWORDS",
    "QueryMatch",
    "TextQuery",
    "text_queries",
    "tokenize_for_index",
    "tokens",
]

CJK_CHARS = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30ff"  # Katakana (incl. the prolonged sound mark ー)
    "\u3130-\u318f"  # Hangul compatibility Jamo
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # Hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9f"  # half-width Katakana (NFKC folds most of them anyway)
    "\U00020000-\U0003134f"  # CJK extensions B–G
)
"""Character ranges, in regex class syntax, treated as CJK (no spaces between words)."""

# A token is either a run of CJK characters or a run of other letters/digits. `[^\W_…]`
# is "a word character that is neither `_` nor CJK": Python's `re` has no class
# subtraction, but a negated class of the union does the same.
_TOKEN_RE = re.compile(f"([{CJK_CHARS}]+)|[^\\W_{CJK_CHARS}]+")
_ONE_CJK_RE = re.compile(f"[{CJK_CHARS}]")

MAX_WORD_CHARS = 64
"""Longer non-CJK "words" are dropped: they are hashes, base64 or minified code, which
nobody searches for and which bloat the index (PostgreSQL refuses lexemes over 2 KB)."""

AUTO_ALL_MAX_TERMS = 4
"""In `match="auto"`, queries with at most this many distinct terms require all of them."""

ALL_BUT_ONE_MAX_TERMS = 7
"""A query of up to this many words (and more than `AUTO_ALL_MAX_TERMS`) falls back from
all terms to all terms but one; a longer one, or one with CJK bigrams, to any term. Up to 7
words the all-but-one query costs less than the any-term one at M2 (mean per fallback, 5
words: 2.3 against 4.7 ms; 7: 2.7 against 3.4), at 8 more (4.0 against 3.2)."""

QueryMatch = Literal["auto", "all", "any"]

_APOSTROPHES = str.maketrans("", "", "'’")


def tokens(text: str) -> Iterator[str]:
    """Yield the index tokens of `text` in order (duplicates kept: positions matter)."""
    folded = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
    for match in _TOKEN_RE.finditer(folded):
        run = match.group(1)
        if run is None:
            word = match.group(0)
            if len(word) <= MAX_WORD_CHARS:
                yield _fold_plural(word)
        elif len(run) == 1:
            yield run
        else:
            for i in range(len(run) - 1):
                yield run[i : i + 2]


def tokenize_for_index(text: str) -> str:
    """Return `text` as space-separated tokens for `to_tsvector('simple', …)`."""
    return " ".join(tokens(text))


def _expression(terms: list[str], match: QueryMatch) -> str:
    """A `to_tsquery('simple', …)` expression of ``terms`` (distinct, in order).

    Returns `""` when there is no term; callers then skip the full-text leg (PostgreSQL
    would only warn and match nothing).

    Why "auto": a short, keyword-like query (`混合检索`, `pgvector 混合检索`, at most
    `AUTO_ALL_MAX_TERMS` distinct terms) is AND-ed — every bigram of `混合检索` must be
    present, which nearly always means the word itself is, so unrelated documents that
    merely share one common bigram (`系统`) do not match. A longer, sentence-like query
    (`如何配置混合检索?`) contains bigrams that straddle word boundaries (`何配`, `置混`)
    and appear in no document, so AND-ing would find nothing; it is OR-ed instead and
    precision comes from ranking (`ts_rank_cd` rewards documents that contain more of the
    terms, close together) and from the fusion with vector search. `match="all"` or
    `"any"` forces either behaviour.

    A query that is a single CJK character (`书`) becomes the prefix query `书:*`, which
    matches its unigram and the bigrams starting with it (`书馆`), though not those
    ending with it (`图书`): indexing every unigram too would double the index for a
    rare kind of query.
    """
    if not terms:
        return ""
    if len(terms) == 1 and _is_single_cjk(terms[0]):
        return f"{terms[0]}:*"
    use_and = match == "all" or (match == "auto" and len(terms) <= AUTO_ALL_MAX_TERMS)
    return (" & " if use_and else " | ").join(terms)


_STOPWORD_TEXT = """
a an and are as at be but by can do does for from has have how i if in is it its me my
not of on or our so than that the their them then there these they this to was we were
what when where which who why will with would you your
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
"""English function words. They stay in the index (a quoted phrase may need them) but an
any-term query leaves them out: OR-ing `the` matches nearly every chunk, and ranking every
chunk is what makes full text slow at scale."""


class TextQuery(NamedTuple):
    """One full-text query of a search: ``match`` (a `to_tsquery` expression) selects the
    chunks, ``rank`` (another) orders them by `ts_rank_cd`."""

    match: str
    rank: str


def text_queries(text: str) -> list[TextQuery]:
    """The full-text queries to try in turn, strictest first.

    Stop words are left out when the query has other terms: requiring `the` costs a walk
    of the longest posting list and adds nothing, and OR-ing it matches nearly every chunk.
    A short query (`_expression`'s "auto": at most `AUTO_ALL_MAX_TERMS` terms) is one
    AND query. A longer one is its AND query, then a looser one that fills the remaining
    places after the chunks with every term:

    * up to `ALL_BUT_ONE_MAX_TERMS` words: chunks with all terms but one (any one), ranked
      as an OR query (ranking with the OR of ANDs costs several times more per chunk). A
      keyword query with one mistyped or absent word still finds the chunks with the rest;
      an any-term query at scale found only the first few hundred chunks with a common
      word, and cost more (its matches were a bitmap of every chunk with any of the words,
      or a scan of the table until enough matched; bench/RESULTS.md, M2);
    * longer queries (sentences, an agent's recall) and CJK ones (bigrams that straddle
      word boundaries match nothing, so several of them are missing from any chunk): any
      term, ranked as such; but a number of one or two digits (`0`, `1`, `17`: versions,
      dates, list items in technical text) only ranks, as long as some other term
      matches: in an any-term query it matches a large part of the chunks, and reading its
      posting list made such a query the costliest full-text call at scale (10 – 17 ms at
      M2, bench/RESULTS.md), for matches that share nothing else with the query.
    """
    terms = list(dict.fromkeys(tokens(text)))
    content = [t for t in terms if t not in STOPWORDS] or terms
    if len(content) <= AUTO_ALL_MAX_TERMS:
        strict = _expression(content, "auto")
        return [TextQuery(strict, strict)] if strict else []
    strict = _expression(content, "all")
    anyterm = _expression(content, "any")
    if len(content) <= ALL_BUT_ONE_MAX_TERMS and not any(_ONE_CJK_RE.search(t) for t in content):
        return [TextQuery(strict, strict), TextQuery(_all_but_one(content), anyterm)]
    matching = [t for t in content if not _is_small_number(t)] or content
    return [TextQuery(strict, strict), TextQuery(_expression(matching, "any"), anyterm)]


def _is_small_number(term: str) -> bool:
    return len(term) <= 2 and term.isdigit()


def _all_but_one(terms: list[str]) -> str:
    """`(b & c) | (a & c) | (a & b)`: every term but one, whichever."""
    return " | ".join("(" + " & ".join(terms[:i] + terms[i + 1 :]) + ")" for i in range(len(terms)))


def _is_single_cjk(term: str) -> bool:
    return _ONE_CJK_RE.fullmatch(term) is not None


def _fold_plural(word: str) -> str:
    """Fold common English plurals (`memories` → `memory`, `agents` → `agent`).

    Deliberately tiny: a real stemmer (Snowball) would also fold verbs but needs the
    `english` config or a dependency, and wrong folds hurt exact-term search. Words that
    are not ASCII letters are left alone.
    """
    if len(word) <= 3 or not word.isascii() or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
