"""Embedders: the local hashing default gives real lexical similarity, deterministically;
`OpenAIEmbedder` speaks /v1/embeddings (checked against the fake server)."""

from __future__ import annotations

import base64
import importlib.util
import json
import math
import subprocess
import sys
from array import array

import aiohttp
import pytest

from openintern.errors import ConfigError, LLMAuthError, LLMError
from openintern.llm import LocalHashEmbedder, OpenAIEmbedder, create_embedder
from openintern.testing import FakeLLMServer
from tests.llm.targets import FAKE_KEY


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


class TestLocalHashEmbedder:
    async def test_same_topic_scores_higher_than_unrelated(self) -> None:
        query, related, unrelated = await LocalHashEmbedder().embed(
            [
                "How do I index a PostgreSQL table for vector search?",
                "Creating an HNSW index on a Postgres vector column speeds up search",
                "Sourdough bread needs flour, water, salt and a lively starter",
            ]
        )

        assert cosine(query, related) > cosine(query, unrelated) + 0.1

    async def test_cjk_text_matches_lexically(self) -> None:
        query, related, unrelated = await LocalHashEmbedder().embed(
            ["数据库索引优化", "如何优化数据库的查询和索引", "今天天气很好，我们去公园散步"]
        )

        assert cosine(query, related) > cosine(query, unrelated) + 0.1

    async def test_inflections_overlap_through_character_trigrams(self) -> None:
        base, inflected, other = await LocalHashEmbedder().embed(["searching", "searched", "banana"])

        assert cosine(base, inflected) > cosine(base, other)

    async def test_vectors_have_the_configured_dim_and_unit_length(self) -> None:
        for dim in (384, 64):
            vectors = await LocalHashEmbedder(dim).embed(["one text", "another, longer text with more words"])
            assert [len(v) for v in vectors] == [dim, dim]
            assert all(math.isclose(math.sqrt(cosine(v, v)), 1.0) for v in vectors)

    async def test_text_without_words_is_the_zero_vector(self) -> None:
        [vector] = await LocalHashEmbedder(32).embed(["  ...  "])

        assert vector == [0.0] * 32

    def test_vectors_are_identical_across_processes(self) -> None:
        # Python's hash() is salted per process; stored vectors must not depend on it.
        text = "deterministic across processes 同じ"
        code = f"from openintern.llm import LocalHashEmbedder; import json; print(json.dumps(LocalHashEmbedder().embed_sync([{text!r}])[0]))"
        other = json.loads(
            subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        )

        assert other == LocalHashEmbedder().embed_sync([text])[0]

    def test_model_name_is_versioned(self) -> None:
        assert LocalHashEmbedder().model == "local-hash-v1"
        assert LocalHashEmbedder().dim == 384


class TestOpenAIEmbedder:
    async def test_vectors_come_back_in_order_across_batches(self, fake_llm: FakeLLMServer) -> None:
        texts = [f"text number {i}" for i in range(300)]  # more than one batch
        embedder = OpenAIEmbedder("fake/embed-64", 64, base_url=fake_llm.openai_base_url, api_key=FAKE_KEY)

        vectors = await embedder.embed(texts)

        # The fake serves LocalHashEmbedder vectors, so the order can be checked exactly.
        assert vectors == LocalHashEmbedder(64).embed_sync(texts)

    async def test_a_width_other_than_configured_is_an_error(self, fake_llm: FakeLLMServer) -> None:
        embedder = OpenAIEmbedder("fake/embed-64", 128, base_url=fake_llm.openai_base_url, api_key=FAKE_KEY)

        with pytest.raises(LLMError, match="64-dim"):
            await embedder.embed(["x"])

    async def test_send_dimensions_shortens_vectors(self, fake_llm: FakeLLMServer) -> None:
        embedder = OpenAIEmbedder(
            "text-embedding-3-small",
            256,
            base_url=fake_llm.openai_base_url,
            api_key=FAKE_KEY,
            send_dimensions=True,
        )

        [vector] = await embedder.embed(["shorter"])

        assert len(vector) == 256

    async def test_rejected_key_raises_auth_error(self, fake_llm: FakeLLMServer) -> None:
        embedder = OpenAIEmbedder("fake/embed", 384, base_url=fake_llm.openai_base_url, api_key="sk-wrong")

        with pytest.raises(LLMAuthError):
            await embedder.embed(["x"])

    async def test_fake_serves_base64_as_little_endian_float32(self, fake_llm: FakeLLMServer) -> None:
        body = {"model": "fake/embed-16", "input": ["base64 please"], "encoding_format": "base64"}
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                fake_llm.openai_base_url + "/embeddings",
                json=body,
                headers={"Authorization": f"Bearer {FAKE_KEY}"},
            ) as resp,
        ):
            encoded = (await resp.json())["data"][0]["embedding"]

        decoded = array("f", base64.b64decode(encoded)).tolist()
        assert decoded == pytest.approx(LocalHashEmbedder(16).embed_sync(["base64 please"])[0], abs=1e-6)


class TestCreateEmbedder:
    def test_local_is_the_default(self) -> None:
        embedder = create_embedder()

        assert isinstance(embedder, LocalHashEmbedder) and embedder.dim == 384

    def test_openai_knows_the_width_of_openai_models(self) -> None:
        assert create_embedder("openai", "text-embedding-3-large", api_key="k").dim == 3072

    @pytest.mark.parametrize(("model", "dim"), [(None, 384), ("nomic-embed-text", None)])
    def test_openai_needs_a_model_and_a_width(self, model: str | None, dim: int | None) -> None:
        with pytest.raises(ConfigError):
            create_embedder("openai", model, dim)

    def test_unknown_kind_is_a_config_error(self) -> None:
        with pytest.raises(ConfigError, match="unknown embedder kind"):
            create_embedder("word2vec")  # type: ignore[arg-type]

    @pytest.mark.skipif(
        importlib.util.find_spec("sentence_transformers") is not None, reason="extra installed"
    )
    def test_sentence_transformers_without_the_extra_says_how_to_install(self) -> None:
        with pytest.raises(ConfigError, match=r"openintern\[embeddings\]"):
            create_embedder("sentence-transformers")
