"""CJK-aware tokens for PostgreSQL full text.

No database here: these check the token strings we hand to `to_tsvector('simple', …)`
and `to_tsquery('simple', …)`, whose `simple` config keeps such tokens verbatim. The
end-to-end search over PostgreSQL is tested with the memory store.
"""

from __future__ import annotations

import pytest

from openintern.memory.cjk import QueryMatch, TextQuery, _expression, text_queries, tokenize_for_index, tokens
from openintern.memory.search import Snippets


def tokenize_query(text: str, *, match: QueryMatch = "auto") -> str:
    """The `to_tsquery('simple', …)` expression of the search text ``text``'s distinct tokens
    (`text_queries` builds its queries with `_expression`)."""
    return _expression(list(dict.fromkeys(tokens(text))), match)


def snippet(text: str, query: str) -> str:
    """A window of the chunk around the first query term, HTML-escaped, terms in <b>…</b>."""
    return Snippets(query)(text)


def matches(query: str, document: str) -> bool:
    """Evaluate our tsquery forms (`a & b`, `a | b`, `x:*`) against a document's tokens."""
    lexemes = set(tokenize_for_index(document).split())
    expression = tokenize_query(query)
    if not expression:
        return False
    if expression.endswith(":*"):
        prefix = expression[:-2]
        return any(lexeme.startswith(prefix) for lexeme in lexemes)
    if " | " in expression:
        return any(term in lexemes for term in expression.split(" | "))
    return all(term in lexemes for term in expression.split(" & "))


class TestTokenizeForIndex:
    def test_mixed_text_keeps_words_and_bigrams_cjk_runs(self) -> None:
        tokens = tokenize_for_index("OpenIntern 的记忆系统支持 pgvector 混合检索").split()
        assert tokens == [
            "openintern", "的记", "记忆", "忆系", "系统", "统支", "支持", "pgvector", "混合", "合检", "检索",
        ]  # fmt: skip

    def test_cjk_run_glued_to_latin_is_split_at_the_script_boundary(self) -> None:
        assert tokenize_for_index("用pgvector做检索") == "用 pgvector 做检 检索"

    def test_single_cjk_character_is_a_unigram(self) -> None:
        assert tokenize_for_index("书 and 本") == "书 and 本"

    def test_japanese_and_korean_runs_are_bigrams_too(self) -> None:
        assert tokenize_for_index("カタカナ") == "カタ タカ カナ"
        assert tokenize_for_index("한국어") == "한국 국어"

    def test_punctuation_is_dropped_and_case_and_width_folded(self) -> None:
        assert tokenize_for_index("Hello, ＷＯＲＬＤ! 你好。（世界）") == "hello world 你好 世界"

    def test_english_plurals_fold_on_both_sides(self) -> None:
        assert tokenize_for_index("Memories agents class status") == "memory agent class status"
        assert tokenize_query("memory") == "memory"

    def test_long_non_words_are_not_indexed(self) -> None:
        assert tokenize_for_index("sha " + "a" * 100) == "sha"

    def test_tokens_never_carry_tsquery_syntax(self) -> None:
        tokens = tokenize_for_index("a&b | c:* !d (e) 'f' <-> g\\h 混合!检索")
        assert not set("&|!():*'<>\\") & set(tokens)


class TestTokenizeQuery:
    def test_chinese_term_matches_the_document_that_contains_it(self) -> None:
        relevant = "OpenIntern 的记忆系统支持 pgvector 混合检索,融合向量与全文。"
        unrelated = "今天天气很好,我们去公园散步,系统运行正常。"
        assert matches("混合检索", relevant)
        assert not matches("混合检索", unrelated)

    def test_short_queries_require_every_term(self) -> None:
        assert tokenize_query("混合检索") == "混合 & 合检 & 检索"
        assert not matches("混合检索", "混合动力汽车的检索记录")  # shares 混合 and 检索 only

    def test_sentence_like_queries_match_any_term(self) -> None:
        expression = tokenize_query("如何配置混合检索功能?")
        assert " | " in expression
        assert matches("如何配置混合检索功能?", "OpenIntern 支持混合检索")

    def test_match_mode_can_be_forced(self) -> None:
        assert tokenize_query("如何配置混合检索", match="all").count(" & ") == 6
        assert tokenize_query("混合检索", match="any") == "混合 | 合检 | 检索"

    def test_single_cjk_character_becomes_a_prefix_query(self) -> None:
        assert tokenize_query("书") == "书:*"
        assert matches("书", "书馆")

    def test_duplicate_terms_are_sent_once(self) -> None:
        assert tokenize_query("agent agents AGENT") == "agent"

    @pytest.mark.parametrize("query", ["", "   ", "!!! ???", "。、"])
    def test_query_without_tokens_is_empty(self, query: str) -> None:
        assert tokenize_query(query) == ""

    def test_mixed_query_matches_mixed_document(self) -> None:
        assert matches("pgvector 混合检索", "OpenIntern 的记忆系统支持 pgvector 混合检索")
        assert not matches("pgvector 混合检索", "pgvector 是一个扩展")


class TestTextQueries:
    def test_short_queries_need_every_content_word(self) -> None:
        assert text_queries("how do we roll back") == [TextQuery("roll & back", "roll & back")]
        assert text_queries("the") == [TextQuery("the", "the")]  # only stop words: keep them
        assert text_queries("  ,, ") == []

    def test_keyword_queries_try_all_then_all_but_one_ranked_as_any(self) -> None:
        strict, loose = text_queries("how do we roll back a blue green deployment")
        assert strict == TextQuery(*["roll & back & blue & green & deployment"] * 2)
        assert loose.rank == "roll | back | blue | green | deployment"
        assert loose.match == (
            "(back & blue & green & deployment) | (roll & blue & green & deployment)"
            " | (roll & back & green & deployment) | (roll & back & blue & deployment)"
            " | (roll & back & blue & green)"
        )

    def test_sentences_and_cjk_fall_back_to_any_term(self) -> None:
        seven = "roll back the blue green deployment of the billing service"
        assert text_queries(seven)[1].match.count(" | ") == 6  # seven words: all but one
        for words in (seven + " tonight", seven + " tonight after the freeze"):
            strict, loose = text_queries(words)
            assert loose.match == loose.rank == strict.match.replace(" & ", " | ")
        # Bigrams across word boundaries (何配, 置混) are in no document: all-but-one would
        # still require them.
        strict, loose = text_queries("如何配置混合检索")
        assert loose.match == loose.rank == "如何 | 何配 | 配置 | 置混 | 混合 | 合检 | 检索"

    def test_small_numbers_only_rank_in_an_any_term_query(self) -> None:
        """`1` or `17` is in a large part of technical chunks: OR-ed in, it matched them all."""
        strict, loose = text_queries("upgrade pydantic from 1 to 2 after the 17 failing tests in core")
        assert strict.match == "upgrade & pydantic & 1 & 2 & after & 17 & failing & test & core"
        assert loose.match == "upgrade | pydantic | after | failing | test | core"
        assert loose.rank == strict.match.replace(" & ", " | ")
        numbers = text_queries("1 2 3 4 5 6 7 8 9")[1]  # nothing else to match: they match
        assert numbers.match == numbers.rank
        six = text_queries("pin pydantic below 2 and core below 3")[1]  # all-but-one: all count
        assert six.match.startswith("(pydantic & below & 2 & core & 3) | ")

    def test_cjk(self) -> None:
        assert text_queries("书") == [TextQuery("书:*", "书:*")]
        assert text_queries("混合检索") == [TextQuery(*["混合 & 合检 & 检索"] * 2)]


def test_snippets_mark_content_words_not_stop_words() -> None:
    assert snippet("We deploy on Tuesdays.", "when do we deploy") == "We <b>deploy</b> on Tuesdays."
    assert snippet("The end.", "the") == "<b>The</b> end."  # nothing else to mark


def test_snippet_marks_as_a_longest_first_alternation_would() -> None:
    """The find-based marking equals a regex alternation of the terms (longest first,
    IGNORECASE), including overlapping terms, CJK bigrams and text that must be escaped."""
    cases = [
        ("Rolling restarts roll the pods; ROLL back if <pods> fail & retry", "rolling roll pods"),
        ("rollingroll rolling", "roll rolling"),
        ("混合检索把向量检索和全文检索合在一起", "混合检索"),
        ('He said "deploy" & it\'s deployed', "deploy deployed said"),
        ("nothing to see here", "absent"),
        ("İstanbul office: the İ of İzmir", "istanbul office"),  # lower() changes lengths
    ]
    for text, query in cases:
        cut = Snippets(query)
        assert cut._matches(text) == [m.span() for m in cut._regex().finditer(text)], (text, query)
    assert Snippets("rolling roll").mark("Rolling roll") == "<b>Rolling</b> <b>roll</b>"


def test_snippet_never_marks_inside_an_html_entity() -> None:
    assert snippet("fish & chips", "amp chips") == "fish &amp; <b>chips</b>"
    assert snippet("a <b> tag", "lt tag") == "a &lt;b&gt; <b>tag</b>"
