"""Providers' test connection and private base URLs, forbidden by the platform or by an org
(issue 15, finding 9)."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from openintern.providers.service import REACHABLE, UNREACHABLE
from tests.acceptance.conftest import free_port
from tests.runtime.test_agent_runs import wait_status


async def _provider(client: AsyncClient, name: str, base_url: str, model: str = "fake/echo") -> Any:
    body = {"name": name, "kind": "openai", "model": model, "base_url": base_url, "api_key": "k"}
    return await client.post("/api/providers", json=body)


async def _member(client: AsyncClient) -> dict[str, str]:
    body = {"username": "mia", "password": "mia-password", "role": "member"}
    assert (await client.post("/api/users", json=body)).status_code == 201
    login = await client.post("/api/auth/login", json={"username": "mia", "password": "mia-password"})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def test_members_cannot_tell_a_closed_port_from_an_http_error(
    runner: AsyncClient, fake_llm: Any
) -> None:
    ok = (await _provider(runner, "ok", fake_llm.openai_base_url)).json()["id"]
    closed = (await _provider(runner, "closed", f"http://127.0.0.1:{free_port()}/v1")).json()["id"]
    missing = (await _provider(runner, "404", fake_llm.openai_base_url, model="no-such-model")).json()["id"]
    member = await _member(runner)

    async def test(provider_id: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        resp = await runner.post(f"/api/providers/{provider_id}/test", headers=headers)
        assert resp.status_code == 200, resp.text
        return dict(resp.json())

    assert (await test(ok, member))["ok"] is True and (await test(ok, member))["detail"] == REACHABLE
    for provider_id in (closed, missing):
        answer = await test(provider_id, member)
        assert (answer["ok"], answer["detail"]) == (False, UNREACHABLE), provider_id
    # Admins keep the detail they need to fix the provider.
    details = {(await test(p))["detail"] for p in (closed, missing)}
    assert len(details) == 2 and UNREACHABLE not in details


async def test_private_base_urls_are_refused_when_the_platform_forbids_them(
    runner: AsyncClient, run_app: Any
) -> None:
    run_app.state.platform.settings.llm.allow_private_base_urls = False
    # The platform is the ceiling: the org's own setting (true) does not lift it.
    assert (await runner.get("/api/orgs/org_default")).json()["allow_private_base_urls"] is True
    for url in (
        "http://127.0.0.1:5432/v1",
        "http://localhost:8999/v1",
        "http://10.1.2.3/v1",
        "http://169.254.169.254/latest",
        "http://[::1]:80/v1",
        "http://[::ffff:127.0.0.1]/v1",
    ):
        resp = await _provider(runner, "p", url)
        assert resp.status_code == 422, url
        assert resp.json()["errors"][0]["field"] == "body.base_url"
        assert "llm.allow_private_base_urls" in resp.json()["detail"]
    assert (await _provider(runner, "public", "http://93.184.216.34/v1")).status_code == 201
    assert (await runner.get("/api/providers")).json()["items"][0]["name"] == "public"


async def test_a_run_and_a_test_check_the_address_again(
    runner: AsyncClient, run_app: Any, fake_llm: Any
) -> None:
    """Created while allowed (or a name that resolved elsewhere then): each use checks."""
    created = await _provider(runner, "local", fake_llm.openai_base_url)
    provider_id = created.json()["id"]
    run_app.state.platform.settings.llm.allow_private_base_urls = False
    test = (await runner.post(f"/api/providers/{provider_id}/test")).json()
    assert test["ok"] is False and "llm.allow_private_base_urls" in test["detail"]
    before = len(fake_llm.requests())
    run_id = (await runner.post("/api/runs", json={"input": "hi", "provider": "local"})).json()["run_id"]
    run = await wait_status(runner, run_id)
    assert run["status"] == "failed" and "llm.allow_private_base_urls" in run["error"]
    assert len(fake_llm.requests()) == before  # nothing reached the private address


ORG_FORBIDS = "this org's allow_private_base_urls is false"


async def _org_allows(client: AsyncClient, allowed: bool) -> None:
    resp = await client.patch("/api/orgs/org_default", json={"allow_private_base_urls": allowed})
    assert resp.status_code == 200 and resp.json()["allow_private_base_urls"] is allowed, resp.text


async def test_an_org_forbids_private_base_urls_under_a_platform_that_allows_them(
    runner: AsyncClient, run_app: Any
) -> None:
    assert run_app.state.platform.settings.llm.allow_private_base_urls is True
    await _org_allows(runner, False)
    for url in ("http://127.0.0.1:5432/v1", "http://10.1.2.3/v1", "http://169.254.169.254/latest"):
        resp = await _provider(runner, "p", url)
        assert resp.status_code == 422, url
        assert resp.json()["errors"][0]["field"] == "body.base_url"
        assert (
            ORG_FORBIDS in resp.json()["detail"]
            and "llm.allow_private_base_urls" not in resp.json()["detail"]
        )
    assert (await _provider(runner, "public", "http://93.184.216.34/v1")).status_code == 201
    await _org_allows(runner, True)  # and allowed again: the platform allows them
    assert (await _provider(runner, "local", "http://127.0.0.1:5432/v1")).status_code == 201


async def test_an_existing_private_provider_stops_when_its_org_forbids_it(
    runner: AsyncClient, run_app: Any, fake_llm: Any
) -> None:
    """Created while the org allowed it: the test and the run check the org's setting as it is
    when they use the provider (a run reads it with its providers, in the claim's read)."""
    provider_id = (await _provider(runner, "local", fake_llm.openai_base_url)).json()["id"]
    await _org_allows(runner, False)
    test = (await runner.post(f"/api/providers/{provider_id}/test")).json()
    assert test["ok"] is False and ORG_FORBIDS in test["detail"]
    member = await _member(runner)
    hidden = (await runner.post(f"/api/providers/{provider_id}/test", headers=member)).json()
    assert (hidden["ok"], hidden["detail"]) == (False, UNREACHABLE)
    before = len(fake_llm.requests())
    run_id = (await runner.post("/api/runs", json={"input": "hi", "provider": "local"})).json()["run_id"]
    run = await wait_status(runner, run_id)
    assert run["status"] == "failed", run
    assert "is not allowed" in run["error"] and ORG_FORBIDS in run["error"], run["error"]
    assert len(fake_llm.requests()) == before  # nothing reached the loopback address

    await _org_allows(runner, True)
    assert (await runner.post(f"/api/providers/{provider_id}/test")).json()["ok"] is True
    run_id = (await runner.post("/api/runs", json={"input": "hi", "provider": "local"})).json()["run_id"]
    assert (await wait_status(runner, run_id))["status"] == "completed"


async def test_a_gemini_provider_is_created_tested_and_used_by_a_run(
    runner: AsyncClient, fake_llm: Any
) -> None:
    """Kind `gemini` (Google's OpenAI-compatible endpoint; here the fake server in its place)."""
    body = {"name": "gem", "kind": "gemini", "model": "fake/echo", "base_url": fake_llm.openai_base_url}
    created = await runner.post("/api/providers", json={**body, "api_key": "gm-org-key"})
    assert created.status_code == 201, created.text
    assert created.json()["kind"] == "gemini"
    tested = (await runner.post(f"/api/providers/{created.json()['id']}/test")).json()
    assert tested["ok"] is True and tested["detail"].startswith("gemini answered"), tested
    run = (await runner.post("/api/runs", json={"input": "hi gemini", "provider": "gem"})).json()
    done = await wait_status(runner, run["run_id"])
    assert done["status"] == "completed" and done["output"] == "echo: hi gemini"
    sent = [r for r in fake_llm.requests() if r["body"] and "hi gemini" in str(r["body"].get("messages"))]
    assert sent and all(r["headers"]["Authorization"] == "Bearer gm-org-key" for r in sent)
    bad = await runner.post("/api/providers", json={**body, "name": "x", "kind": "palm"})
    assert bad.status_code == 422


async def test_the_platform_default_can_be_gemini(database_url: str, tmp_path: Any, fake_llm: Any) -> None:
    """LLM_PROVIDER=gemini with GEMINI_API_KEY, read from the environment as the server reads
    it (the fake server stands in for https://generativelanguage.googleapis.com/v1beta/openai/)."""
    from httpx import ASGITransport

    from openintern.api import create_app
    from openintern.config import load_settings
    from tests.conftest import ADMIN_PASSWORD, FAST_RUNTIME

    env = {
        "LLM_PROVIDER": "gemini",
        "GEMINI_API_KEY": "gm-platform-key",
        "LLM_MODEL": "fake/echo",
        "LLM_BASE_URL": fake_llm.openai_base_url,
        "DATA_DIR": str(tmp_path / "data"),
        "OPENINTERN_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    settings = load_settings({"runtime": FAST_RUNTIME}, environ=env)
    app = create_app(settings, database_url=database_url, migrate=False)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test", timeout=30) as client,
    ):
        login = await client.post("/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        run = (await client.post("/api/runs", json={"input": "platform gemini"})).json()
        done = await wait_status(client, run["run_id"])
        assert done["status"] == "completed" and done["output"] == "echo: platform gemini", done
    sent = [r for r in fake_llm.requests() if "platform gemini" in str((r["body"] or {}).get("messages"))]
    assert sent and all(r["headers"]["Authorization"] == "Bearer gm-platform-key" for r in sent)
