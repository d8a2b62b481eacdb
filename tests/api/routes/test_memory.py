"""Memory over the API, against a real PostgreSQL with pgvector (and the fake MinerU / LLM)."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy import text

from openintern.testing.fake_mineru import FakeMinerUServer, make_pdf
from tests.fixtures.tenants import make_tenant
from tests.runtime.test_agent_runs import events_of, wait_status


async def _new(client: AsyncClient, **body: Any) -> dict[str, Any]:
    resp = await client.post("/api/memory", json={"title": "t", "content": "c", **body})
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


async def _search(client: AsyncClient, query: str, **body: Any) -> list[dict[str, Any]]:
    resp = await client.post("/api/memory/search", json={"query": query, **body})
    assert resp.status_code == 200, resp.text
    return list(resp.json()["results"])


async def _chunks(app: Any, memory_id: str) -> int:
    async with app.state.platform.db.system() as session:
        found = await session.scalar(
            text("SELECT count(*) FROM memory_chunks WHERE memory_id = :id"), {"id": memory_id}
        )
    return int(found or 0)


class TestCrud:
    async def test_create_get_update_delete(self, admin: AsyncClient, app: Any) -> None:
        created = await _new(
            admin, title="Deploy notes", content="# Deploy\n\nUse blue-green deploys.", tags=["ops"]
        )
        assert created["id"].startswith("mem_") and created["tier"] == "archival"
        assert created["chunks"] == 1 and created["importance"] == 0.5 and created["metadata"] == {}
        expected = {"id", "tier", "title", "content", "tags", "metadata", "importance", "source", "group_id"}
        assert expected | {"agent_id", "session_key", "project_id", "created_at", "updated_at"} <= set(
            created
        )
        got = (await admin.get(f"/api/memory/{created['id']}")).json()
        assert got["title"] == "Deploy notes" and got["tags"] == ["ops"]

        resp = await admin.patch(f"/api/memory/{created['id']}", json={"content": "Canary deploys now."})
        assert resp.status_code == 200 and resp.json()["content"] == "Canary deploys now."
        assert [r["memory_id"] for r in await _search(admin, "canary", mode="text")] == [created["id"]]
        assert await _search(admin, "blue green", mode="text") == []

        assert (await admin.delete(f"/api/memory/{created['id']}")).status_code == 204
        assert (await admin.get(f"/api/memory/{created['id']}")).status_code == 404
        assert (await admin.delete(f"/api/memory/{created['id']}")).status_code == 404
        assert (await admin.patch(f"/api/memory/{created['id']}", json={"title": "x"})).status_code == 404
        assert await _chunks(app, created["id"]) == 0

    async def test_validation_names_fields(self, admin: AsyncClient) -> None:
        resp = await admin.post(
            "/api/memory", json={"title": "", "content": "x", "tier": "forever", "nope": 1}
        )
        assert resp.status_code == 422
        assert {"body.title", "body.tier", "body.nope"} <= {e["field"] for e in resp.json()["errors"]}
        resp = await admin.post("/api/memory", json={"title": "t", "content": "x", "tags": ["t"] * 51})
        assert resp.status_code == 422
        resp = await admin.post("/api/memory", json={"title": "t" * 501, "content": "x"})
        assert resp.status_code == 422
        big = await admin.post("/api/memory", json={"title": "core", "content": "x" * 3000, "tier": "core"})
        assert big.status_code == 422 and "core memory block" in big.json()["detail"]

    async def test_list_by_tier_and_cursor(self, admin: AsyncClient) -> None:
        a = await _new(admin, tier="episodic", title="yesterday")
        b = await _new(admin, tier="archival", title="handbook")
        c = await _new(admin, tier="archival", title="handbook two")
        items = (await admin.get("/api/memory", params={"tier": "episodic"})).json()["items"]
        assert [i["id"] for i in items] == [a["id"]]
        page = (await admin.get("/api/memory", params={"limit": 2})).json()
        assert [i["id"] for i in page["items"]] == [c["id"], b["id"]] and page["next_cursor"] == b["id"]
        rest = (await admin.get("/api/memory", params={"limit": 2, "cursor": page["next_cursor"]})).json()
        assert [i["id"] for i in rest["items"]] == [a["id"]] and rest["next_cursor"] is None
        found = (await admin.get("/api/memory", params={"q": "two"})).json()["items"]
        assert [i["id"] for i in found] == [c["id"]]

    async def test_tier_change_moves_chunks(self, admin: AsyncClient) -> None:
        row = await _new(admin, tier="archival", title="note", content="the zebra password")
        await admin.patch(f"/api/memory/{row['id']}", json={"tier": "episodic"})
        assert await _search(admin, "zebra", tiers=["archival"], mode="text") == []
        assert [r["memory_id"] for r in await _search(admin, "zebra", tiers=["episodic"])] == [row["id"]]


class TestSearch:
    async def test_hybrid_scores_and_tier_filter(self, admin: AsyncClient) -> None:
        kb = await _new(
            admin, title="Refunds", content="Refunds are issued within 14 days to the original card."
        )
        await _new(admin, tier="episodic", title="Call", content="Customer asked about refunds on the phone.")
        results = await _search(admin, "refunds card", tiers=["archival"])
        assert [r["memory_id"] for r in results] == [kb["id"]]
        top = results[0]
        assert top["tier"] == "archival" and top["title"] == "Refunds"
        assert top["scores"]["text"] > 0 and top["scores"]["vector"] > 0
        assert top["scores"]["rrf"] == top["score"] > 0
        assert "<b>" in top["snippet"]

    async def test_chinese_query_finds_chinese_document_by_keyword(self, admin: AsyncClient) -> None:
        doc = await _new(
            admin,
            title="记忆系统",
            content="OpenIntern 的记忆系统支持混合检索：向量检索与全文检索的结果按倒数排名融合。",
        )
        other = await _new(admin, title="部署", content="部署系统时请先运行数据库迁移，然后重启服务。")
        results = await _search(admin, "混合检索")
        assert results[0]["memory_id"] == doc["id"]
        assert results[0]["scores"]["text"] is not None and "<b>混合检索</b>" in results[0]["snippet"]
        assert other["id"] not in [r["memory_id"] for r in await _search(admin, "混合检索", mode="text")]

    async def test_filters(self, admin: AsyncClient) -> None:
        tagged = await _new(
            admin, content="alpha release checklist", tags=["release"], session_key="s-9", group_id="g1"
        )
        other = await _new(admin, content="alpha release rumours", agent_id="scout")
        for filters in ({"tags": ["release", "zz"]}, {"session_key": "s-9"}, {"group_id": "g1"}):
            assert [r["memory_id"] for r in await _search(admin, "alpha release", filters=filters)] == [
                tagged["id"]
            ]
        by_agent = await _search(admin, "alpha release", filters={"agent_id": "scout"})
        assert [r["memory_id"] for r in by_agent] == [other["id"]]
        later = await _search(admin, "alpha release", filters={"created_after": "2999-01-01T00:00:00Z"})
        assert later == []
        earlier = await _search(admin, "alpha release", filters={"created_before": "2999-01-01T00:00:00Z"})
        assert {r["memory_id"] for r in earlier} == {tagged["id"], other["id"]}
        bad = await admin.post("/api/memory/search", json={"query": "x", "filters": {"colour": "red"}})
        assert bad.status_code == 422


class TestIngest:
    async def test_upload_md_and_pdf_is_idempotent(self, admin: AsyncClient) -> None:
        pdf = make_pdf(["The PDF says: quarterly revenue grew."])
        files = [
            ("files", ("guide.md", b"# Guide\n\nThe launch code is tangerine.", "text/markdown")),
            ("files", ("spec.pdf", pdf, "application/pdf")),
        ]
        resp = await admin.post("/api/memory/ingest", files=files)
        assert resp.status_code == 200, resp.text
        first = resp.json()["items"]
        assert [(i["filename"], i["status"]) for i in first] == [
            ("guide.md", "created"),
            ("spec.pdf", "created"),
        ]
        assert all(i["chunks"] >= 1 for i in first)
        again = (await admin.post("/api/memory/ingest", files=files)).json()["items"]
        assert [i["status"] for i in again] == ["unchanged", "unchanged"]
        assert [i["memory_id"] for i in again] == [i["memory_id"] for i in first]
        changed = [("files", ("guide.md", b"# Guide\n\nThe launch code is now clementine.", "text/markdown"))]
        replaced = (await admin.post("/api/memory/ingest", files=changed)).json()["items"][0]
        assert replaced["status"] == "replaced" and replaced["memory_id"] == first[0]["memory_id"]
        assert [r["memory_id"] for r in await _search(admin, "clementine", mode="text")] == [
            first[0]["memory_id"]
        ]
        assert await _search(admin, "tangerine", mode="text") == []
        assert (await _search(admin, "quarterly revenue"))[0]["memory_id"] == first[1]["memory_id"]
        memory = (await admin.get(f"/api/memory/{first[1]['memory_id']}")).json()
        assert memory["source"] == "upload:spec.pdf" and "quarterly revenue" in memory["content"]

    async def test_a_source_per_file_keys_idempotency_instead_of_the_name(self, admin: AsyncClient) -> None:
        """Two README.md from two folders are two memories when the client says where each
        came from (`openintern memory ingest` through the API sends their paths)."""
        files = [
            ("files", ("README.md", b"# A\n\nFolder a.", "text/markdown")),
            ("files", ("README.md", b"# B\n\nFolder b.", "text/markdown")),
        ]
        sources = {"source": ["/docs/a/README.md", "/docs/b/README.md"]}
        items = (await admin.post("/api/memory/ingest", files=files, data=sources)).json()["items"]
        assert [i["status"] for i in items] == ["created", "created"]
        assert items[0]["memory_id"] != items[1]["memory_id"]
        got = (await admin.get(f"/api/memory/{items[1]['memory_id']}")).json()
        assert got["source"] == "/docs/b/README.md"
        again = (await admin.post("/api/memory/ingest", files=files, data=sources)).json()["items"]
        assert [i["status"] for i in again] == ["unchanged", "unchanged"]
        one = await admin.post("/api/memory/ingest", files=files, data={"source": ["/docs/a/README.md"]})
        assert one.status_code == 422 and "one source per file" in one.json()["detail"]

    async def test_unsupported_upload_is_422(self, admin: AsyncClient) -> None:
        resp = await admin.post(
            "/api/memory/ingest", files=[("files", ("x.exe", b"MZ", "application/octet-stream"))]
        )
        assert resp.status_code == 422 and "unsupported" in resp.json()["detail"]

    async def test_mineru_requires_configuration(self, admin: AsyncClient) -> None:
        resp = await admin.post("/api/memory/mineru", json={"url": "https://example.org/a.pdf"})
        assert resp.status_code == 422 and "MINERU_ENABLED" in resp.json()["detail"]
        assert (await admin.post("/api/memory/mineru", json={"url": "file:///etc/passwd"})).status_code == 422

    async def test_mineru_ingest_through_the_fake_api(self, admin: AsyncClient, app: Any) -> None:
        from openintern.config import MinerUSettings

        url = "https://files.example/report.pdf"
        with FakeMinerUServer() as fake:
            app.state.platform.settings.mineru = MinerUSettings(
                enabled=True,
                api_key=fake.token,
                base_url=fake.base_url,
                poll_interval_ms=10,  # type: ignore[arg-type]
            )
            resp = await admin.post("/api/memory/mineru", json={"url": url, "tags": ["pdf"]})
            assert resp.status_code == 200, resp.text
            again = (await admin.post("/api/memory/mineru", json={"url": url})).json()["items"][0]
        item = resp.json()["items"][0]
        assert item["status"] == "created" and item["chunks"] >= 1 and item["filename"] == url
        assert again == {**item, "status": "unchanged"}
        memory = (await admin.get(f"/api/memory/{item['memory_id']}")).json()
        assert memory["source"] == url and memory["tags"] == ["pdf"] and url in memory["content"]


class TestIsolation:
    async def test_another_orgs_memory_is_invisible(self, admin: AsyncClient) -> None:
        b = await make_tenant(admin, {"Authorization": admin.headers["Authorization"]}, "memb")
        resp = await admin.post(
            "/api/memory",
            json={"title": "B secret", "content": "the vault code is pineapple"},
            headers=b.auth,
        )
        assert resp.status_code == 201, resp.text
        theirs = resp.json()
        mine = await _new(admin, title="A note", content="our vault code is mango")
        for method in ("GET", "PATCH", "DELETE"):
            body = {"title": "stolen"} if method == "PATCH" else None
            assert (await admin.request(method, f"/api/memory/{theirs['id']}", json=body)).status_code == 404
        for mode in ("hybrid", "text", "vector"):
            results = await _search(admin, "vault code pineapple", mode=mode, top_k=100)
            assert theirs["id"] not in {r["memory_id"] for r in results}
            assert mine["id"] in {r["memory_id"] for r in results} or mode == "text"
        listed = (await admin.get("/api/memory", params={"q": "vault"})).json()["items"]
        assert [i["id"] for i in listed] == [mine["id"]]
        assert (await admin.get(f"/api/memory/{theirs['id']}", headers=b.auth)).status_code == 200


class TestAgentTools:
    async def test_agent_writes_then_finds_a_memory(self, runner: AsyncClient, fake_llm: Any) -> None:
        fact = "The staging database lives on host pg-stage-7."
        model = fake_llm.register(
            [
                {
                    "tool_calls": [
                        {"name": "memory_write", "arguments": {"title": "Staging DB", "content": fact}}
                    ]
                },
                {"tool_calls": [{"name": "memory_search", "arguments": {"query": "staging database host"}}]},
                {"text": "done"},
            ]
        )
        body = {"input": "remember and recall", "model": model, "tools": ["memory_write", "memory_search"]}
        run = await wait_status(runner, (await runner.post("/api/runs", json=body)).json()["run_id"])
        assert run["status"] == "completed", run
        results = [e for e in await events_of(runner, run["run_id"]) if e["type"] == "tool.result"]
        assert len(results) == 2 and not any(e["payload"]["is_error"] for e in results)
        assert "pg-stage-7" in str(results[1]["payload"]["result"])
        listed = (await runner.get("/api/memory", params={"q": "pg-stage-7"})).json()["items"]
        assert len(listed) == 1 and listed[0]["run_id"] == run["run_id"]


async def test_the_ui_scenario_ranks_the_checklist_first(admin: AsyncClient) -> None:
    """web/e2e/specs/06-memory.mjs: a question in other words finds the checklist first."""
    target = await _new(
        admin,
        title="Blue-green deployment checklist e2e1",
        content="Before every production deployment: drain the blue pool, run the smoke tests on green, "
        "then switch the load balancer. Rollback is switching back. (e2e1)",
        tags=["deploy", "e2e"],
    )
    await _new(
        admin,
        tier="core",
        title="Team lunch preferences e2e1",
        content="The team prefers noodles on Fridays. Nothing here is about shipping software. (e2e1)",
    )
    await _new(
        admin, title="Refund policy", content="Refunds are issued within 14 days to the original card."
    )
    results = await _search(admin, "how do we roll back a blue green deployment")
    assert results[0]["memory_id"] == target["id"] and results[0]["tier"] == "archival"
    core_only = await _search(admin, "how do we roll back a blue green deployment", tiers=["core"])
    assert target["id"] not in [r["memory_id"] for r in core_only]
