"""MemoryService and the agent-loop helpers against a real PostgreSQL with pgvector."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from openintern.errors import NotFound, ValidationFailed
from openintern.llm import LocalHashEmbedder, OpenAIEmbedder
from openintern.memory import MemoryPatch, MemoryService, MemoryWrite, PlainScope, core_blocks
from openintern.memory.agent import recall, remember_run
from openintern.memory.ingest import load_document

ORG = PlainScope("org_default")


@pytest.fixture
def memory(app: Any) -> MemoryService:
    service: MemoryService = app.state.platform.services.memory
    return service


async def _write(memory: MemoryService, scope: PlainScope = ORG, **data: Any) -> str:
    async with memory.db.tenant(scope.org_id) as session:
        row = await memory.write(session, scope, MemoryWrite(**{"title": "t", "content": "c", **data}))
    return row.id


async def _search(memory: MemoryService, query: str, scope: PlainScope = ORG, **kw: Any) -> list[Any]:
    async with memory.db.tenant(scope.org_id) as session:
        return await memory.search(session, scope, query, **kw)


class SlowEmbedder(LocalHashEmbedder):
    """The local embedder behind a slow network: answers after ``delay_s``."""

    def __init__(self, delay_s: float) -> None:
        super().__init__(384)
        self.delay_s = delay_s

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        await asyncio.sleep(self.delay_s)
        return await super().embed(texts)


async def test_chinese_keyword_search_ranks_the_right_document_first(memory: MemoryService) -> None:
    target = await _write(
        memory, title="记忆", content="OpenIntern 的记忆系统支持混合检索，向量与全文结果按倒数排名融合。"
    )
    other = await _write(memory, title="天气", content="今天北京的天气很好，适合去公园散步，系统提示带伞。")
    results = await _search(memory, "混合检索")
    assert results[0].memory.id == target and results[0].hit.text is not None
    assert other not in [r.memory.id for r in await _search(memory, "混合检索", mode="text")]
    japanese = await _write(memory, title="検索", content="全文検索とベクトル検索を組み合わせる。")
    assert (await _search(memory, "全文検索", mode="text"))[0].memory.id == japanese


async def test_scores_of_each_half(memory: MemoryService) -> None:
    mid = await _write(memory, title="Kubernetes", content="Rolling updates replace pods one by one.")
    [hybrid] = await _search(memory, "rolling updates pods", top_k=1)
    assert hybrid.memory.id == mid and hybrid.hit.vector and hybrid.hit.text
    assert hybrid.scores["rrf"] == pytest.approx(1.7 / 11, abs=1e-5)  # 0.7/(10+1) + 1/(10+1)
    [vector] = await _search(memory, "rolling updates pods", mode="vector", top_k=1)
    assert vector.hit.text is None and vector.hit.vector
    [textual] = await _search(memory, "rolling updates pods", mode="text", top_k=1)
    assert textual.hit.vector is None and textual.hit.text


LUNCH = "Team lunch preferences"


async def _deploy_and_lunch(memory: MemoryService) -> tuple[str, str]:
    deploy = await _write(
        memory, title="Deploys", content="We deploy with blue-green releases; roll back by switching colours."
    )
    lunch = await _write(memory, title=LUNCH, content="Noodles on Fridays, pizza on Mondays, no olives.")
    return deploy, lunch


async def test_memories_below_the_relevance_floor_are_left_out(memory: MemoryService) -> None:
    """Fewer than top_k memories match: those are the answer, not those plus whatever the
    vector half ranked next (a lunch note for a deployment question, issue 23)."""
    deploy, lunch = await _deploy_and_lunch(memory)
    for mode in ("hybrid", "vector"):
        found = await _search(memory, "how do we deploy to production?", top_k=5, mode=mode)
        assert [r.memory.id for r in found] == [deploy], mode
    assert await _search(memory, "quarterly revenue numbers", top_k=5) == []  # nothing is a good match
    memory.min_relevance = -1.0  # no floor: the noise the floor removed
    noisy = await _search(memory, "how do we deploy to production?", top_k=5)
    assert [r.memory.id for r in noisy] == [deploy, lunch]
    assert noisy[1].hit.text is None and noisy[1].hit.vector is not None and noisy[1].hit.vector < 0.1


async def test_the_floor_is_the_memory_min_relevance_setting(app: Any) -> None:
    from openintern.config import load_settings

    settings = load_settings(environ={"OPENINTERN_MEMORY__MIN_RELEVANCE": "0.9"})
    memory = MemoryService.from_settings(app.state.platform.db, settings)
    try:
        assert memory.min_relevance == 0.9
        deploy, _lunch = await _deploy_and_lunch(memory)
        assert [r.memory.id for r in await _search(memory, "deploy", mode="text")] == [deploy]  # text: kept
        assert await _search(memory, "blue green deploy releases", mode="vector") == []  # ~0.57: below 0.9
    finally:
        await memory.close()


async def test_a_keyword_query_with_one_word_wrong_finds_the_chunks_with_the_others(
    memory: MemoryService,
) -> None:
    """Five keywords, one mistyped: no chunk has all five, so the text half falls back to the
    chunks with all of them but one (`cjk.text_queries`). 250 notes written first share one
    keyword each; the any-term fallback ranked the first 200 chunks it found with any
    keyword, these notes, and missed the runbook."""
    async with memory.db.tenant(ORG.org_id) as session:
        for i in range(250):
            await memory.write(session, ORG, MemoryWrite(title=f"note {i}", content=f"deployment note {i}"))
        content = "The blue green deployment runbook says how to roll back."
        target = (await memory.write(session, ORG, MemoryWrite(title="Runbook", content=content))).id
    found = await _search(memory, "rollbak blue green deployment runbook", mode="text", top_k=5)
    assert [r.memory.id for r in found] == [target]
    assert (await _search(memory, "rollbak blue green deployment runbook", top_k=5))[0].memory.id == target
    # Two words wrong: the runbook has three of the five, the notes one; neither is enough.
    assert await _search(memory, "rollbak blu green deployment runbook", mode="text") == []


async def test_project_scope_sees_its_own_and_org_wide(memory: MemoryService) -> None:
    async with memory.db.system() as session:
        await session.execute(
            text(
                "INSERT INTO projects (id, org_id, name, slug) "
                "VALUES ('prj_x', 'org_default', 'x', 'x'), ('prj_y', 'org_default', 'y', 'y')"
            )
        )
    wide = await _write(memory, content="shared gizmo facts")
    in_x = await _write(memory, PlainScope("org_default", "prj_x"), content="gizmo facts of x")
    in_y = await _write(memory, PlainScope("org_default", "prj_y"), content="gizmo facts of y")
    seen_by_x = {
        r.memory.id for r in await _search(memory, "gizmo facts", PlainScope("org_default", "prj_x"))
    }
    assert seen_by_x == {wide, in_x}
    only_y = await _search(memory, "gizmo facts", filters={"project_id": "prj_y"})
    assert [r.memory.id for r in only_y] == [in_y]
    async with memory.db.tenant("org_default") as session:
        with pytest.raises(NotFound):
            await memory.get(session, PlainScope("org_default", "prj_x"), in_y)


async def test_slow_embedder_stores_chunks_for_full_text_then_vectors(app: Any) -> None:
    memory = MemoryService(app.state.platform.db, SlowEmbedder(0.3), embed_wait_s=0.01)
    mid = await _write(memory, title="Runbook", content="Restart the flux capacitor before noon.")
    async with memory.db.system() as session:
        embedded = await session.scalar(
            text("SELECT count(embedding) FROM memory_chunks WHERE memory_id = :m"), {"m": mid}
        )
    assert embedded == 0
    assert [r.memory.id for r in await _search(memory, "flux capacitor", mode="text")] == [mid]
    await memory.wait_background()
    async with memory.db.system() as session:
        row = (
            await session.execute(
                text(
                    "SELECT count(embedding), max(embedding_model), bool_and(embedded_at IS NOT NULL) "
                    "FROM memory_chunks WHERE memory_id = :m"
                ),
                {"m": mid},
            )
        ).one()
    assert row[0] == 1 and row[1] == memory.embedder.model and row[2] is True
    memory.embed_wait_s = 5
    assert (await _search(memory, "flux capacitor", mode="vector"))[0].memory.id == mid


async def test_embed_pending_repairs_missing_vectors(memory: MemoryService) -> None:
    mid = await _write(memory, content="orphaned vectors get repaired")
    async with memory.db.system() as session:
        await session.execute(
            text("UPDATE memory_chunks SET embedding = NULL WHERE memory_id = :m"), {"m": mid}
        )
    assert await memory.embedding.embed_pending("org_default") >= 1
    assert await memory.embedding.embed_pending("org_default") == 0


async def test_a_model_change_re_embeds_in_the_background(memory: MemoryService, fake_llm: Any) -> None:
    mid = await _write(memory, title="Reindexing", content="vectors of the old model are replaced")
    assert await memory.pending_by_org() == {}
    new_model = OpenAIEmbedder("fake/embed-384", 384, base_url=fake_llm.openai_base_url, api_key="k")
    changed = MemoryService(memory.db, new_model)
    pending = await changed.pending_by_org()
    assert pending.get("org_default", 0) >= 1
    # until caught up, the other model's vectors are not compared with the new model's query
    assert await _search(changed, "old model vectors", mode="vector") == []
    assert [r.memory.id for r in await _search(changed, "old model vectors", mode="text")] == [mid]
    seen: list[tuple[str, int, int]] = []
    changed.start_catch_up()
    await changed.wait_background()
    assert await changed.catch_up(lambda org, done, total: seen.append((org, done, total))) == 0
    assert await changed.pending_by_org() == {}
    assert (await _search(changed, "old model vectors", mode="vector"))[0].memory.id == mid
    assert await memory.catch_up(lambda org, done, total: seen.append((org, done, total))) >= 1
    assert seen and seen[-1][0] == "org_default" and seen[-1][1] == seen[-1][2]


async def test_update_rechunks_and_delete_cascades(memory: MemoryService) -> None:
    mid = await _write(memory, content="first version about walruses")
    async with memory.db.tenant("org_default") as session:
        patch = MemoryPatch(content="second version about narwhals", tags=["sea"])
        await memory.update(session, ORG, mid, patch)
    assert await _search(memory, "walruses", mode="text") == []
    assert [r.memory.id for r in await _search(memory, "narwhals", filters={"tags": ["sea"]})] == [mid]
    async with memory.db.tenant("org_default") as session:
        await memory.delete(session, ORG, mid)
    async with memory.db.system() as session:
        left = await session.scalar(
            text("SELECT count(*) FROM memory_chunks WHERE memory_id = :m"), {"m": mid}
        )
    assert left == 0


async def test_ingest_is_idempotent_by_source_and_hash(memory: MemoryService, tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Notes\n\nThe office wifi is called hedgehog.\n")
    statuses = []
    for content in (None, None, "# Notes\n\nThe office wifi is now called porcupine.\n"):
        if content:
            path.write_text(content)
        async with memory.db.tenant("org_default") as session:
            result = await memory.ingest_document(session, ORG, load_document(path), source=str(path))
        statuses.append((result.status, result.memory_id))
    assert [s for s, _ in statuses] == ["created", "unchanged", "replaced"]
    assert len({m for _, m in statuses}) == 1
    assert [r.memory.title for r in await _search(memory, "porcupine", mode="text")] == ["Notes"]
    assert await _search(memory, "hedgehog", mode="text") == []


async def test_core_blocks_and_limits(memory: MemoryService) -> None:
    await _write(memory, tier="core", title="User", content="Prefers answers in French.")
    await _write(memory, tier="core", title="Scout only", content="Scout watches the logs.", agent_id="scout")
    await _write(memory, tier="archival", title="Not core", content="irrelevant")
    async with memory.db.tenant("org_default") as session:
        main = await core_blocks(session, ORG, "main")
        scout = await core_blocks(session, ORG, "scout")
    assert "### User\nPrefers answers in French." in main and "Scout" not in main and "Not core" not in main
    assert "Scout watches the logs." in scout and "French" in scout
    with pytest.raises(ValidationFailed, match="core memory block"):
        await _write(memory, tier="core", title="big", content="x" * 2_001)
    for i in range(3):
        await _write(memory, tier="core", title=f"fill {i}", content="y" * 1_990)
    with pytest.raises(ValidationFailed, match="at most 8000 characters in all"):
        await _write(memory, tier="core", title="one too many", content="z" * 1_990)


async def test_recall_and_remember_run(app: Any, memory: MemoryService) -> None:
    assert await recall(memory, "org_default", None, "anything at all") is None
    await remember_run(
        memory, "org_default", None, "run_abc", "sess-1", "What is the capital of Peru?", "Lima."
    )
    await remember_run(
        memory, "org_default", None, "run_abc", "sess-1", "What is the capital of Peru?", "Lima."
    )
    async with memory.db.tenant("org_default") as session:
        rows = await memory.list_memories(session, ORG, tier="episodic")
    assert len(rows) == 1 and rows[0].run_id == "run_abc" and rows[0].session_key == "sess-1"
    assert rows[0].content == 'Run run_abc: asked "What is the capital of Peru?", answered "Lima."'
    block = await recall(memory, "org_default", None, "capital of Peru", k=3)
    assert block is not None and "Lima" in block and rows[0].id in block and "<b>" not in block
    assert await recall(memory, "org_other", None, "capital of Peru") is None


@pytest.mark.parametrize(
    ("function", "ranks"),
    [("memory_text_top", False), ("memory_text_top", True), ("memory_text_top_archival", True)],
)
async def test_text_function_answers_only_for_the_transactions_org(
    memory: MemoryService, function: str, ranks: bool
) -> None:
    """Each full-text function (0004's without a ranking query, 0007's, a tier's own of 0011)
    runs as its owner, past row-level security, so it checks the org itself."""
    await _write(memory, title="Runbook", content="the failover runbook lives in the wiki")
    rank = " to_tsquery('simple', 'failover')," if ranks else ""
    call = text(
        f"SELECT count(*) FROM {function}(:org, to_tsquery('simple', 'failover'),{rank}"
        " ARRAY['core','episodic','archival'], NULL, NULL, 100, 10)"
    )
    async with memory.db.tenant("org_default") as session:
        assert await session.scalar(call, {"org": "org_default"}) == 1
    async with memory.db.tenant("org_other") as session:  # asking for another org: nothing
        assert await session.scalar(call, {"org": "org_default"}) == 0
    async with memory.db.system() as session:  # outside a tenant transaction: nothing
        assert await session.scalar(call, {"org": "org_default"}) == 0
