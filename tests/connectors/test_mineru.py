"""MinerU v4 client against the protocol-faithful fake, over real HTTP (no mocks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openintern.connectors.mineru import MinerUClient, MinerUConfig
from openintern.errors import ConfigError, QuotaExceeded, ToolFailed, ValidationFailed
from openintern.testing.fake_mineru import FakeMinerUServer, make_pdf


@pytest.fixture
def server() -> Iterator[FakeMinerUServer]:
    with FakeMinerUServer(polls_until_done=3) as srv:
        yield srv


def config(server: FakeMinerUServer, **overrides: object) -> MinerUConfig:
    values: dict[str, object] = {
        "enabled": True,
        "api_key": server.token,
        "base_url": server.base_url,
        "poll_interval_ms": 5,
        "max_poll_attempts": 20,
    }
    return MinerUConfig.model_validate(values | overrides)


class TestConfig:
    def test_seed_camel_case_keys_are_accepted(self) -> None:
        cfg = MinerUConfig.model_validate(
            {
                "enabled": True, "mode": "v4", "apiKey": "k", "baseUrl": "https://mineru.net/api/v4",
                "timeoutMs": 20000, "maxRetries": 3, "pollIntervalMs": 3000, "maxPollAttempts": 120,
                "defaultModelVersion": "pipeline", "uidToken": "u",
            }
        )  # fmt: skip
        assert cfg.api_key is not None and cfg.api_key.get_secret_value() == "k"
        assert (cfg.timeout_ms, cfg.max_poll_attempts, cfg.default_model_version) == (20000, 120, "pipeline")

    def test_defaults_match_the_seed(self) -> None:
        cfg = MinerUConfig()
        assert (cfg.base_url, cfg.timeout_ms, cfg.max_retries, cfg.poll_interval_ms) == (
            "https://mineru.net/api/v4", 20000, 3, 3000,
        )  # fmt: skip

    def test_misspelt_keys_are_refused(self) -> None:
        with pytest.raises(ValueError, match="apiKye"):
            MinerUConfig.model_validate({"apiKye": "k"})

    def test_client_needs_an_api_key(self) -> None:
        with pytest.raises(ConfigError, match="API key"):
            MinerUClient(MinerUConfig(enabled=True))


class TestExtract:
    async def test_url_goes_through_task_creation_and_polling(self, server: FakeMinerUServer) -> None:
        async with MinerUClient(config(server)) as client:
            result = await client.extract_pdf("https://example.com/paper.pdf")
        assert result.markdown == "# Extracted\n\nContent of https://example.com/paper.pdf\n"
        assert result.source == "https://example.com/paper.pdf"
        polls = [r for r in server.requests if r == ("GET", f"/api/v4/extract/task/{result.task_id}")]
        assert len(polls) == 3  # pending, running, done

    async def test_local_file_is_uploaded_then_extracted(
        self, server: FakeMinerUServer, tmp_path: Path
    ) -> None:
        pdf = tmp_path / "report.pdf"
        pdf.write_bytes(make_pdf(["Quarterly numbers went up."]))
        async with MinerUClient(config(server)) as client:
            result = await client.extract_pdf(pdf)
        assert result.markdown == "# Extracted\n\nQuarterly numbers went up.\n"
        assert result.source == str(pdf)
        methods = [m for m, _ in server.requests]
        assert methods[:2] == ["POST", "PUT"]
        assert ("GET", f"/api/v4/extract-results/batch/{result.task_id}") in server.requests

    async def test_a_429_is_retried(self, server: FakeMinerUServer) -> None:
        server.throttle_next(1)
        async with MinerUClient(config(server)) as client:
            result = await client.extract_pdf("https://example.com/a.pdf")
        assert result.markdown.startswith("# Extracted")
        assert server.requests[:2] == [("POST", "/api/v4/extract/task")] * 2

    async def test_persistent_429_becomes_quota_exceeded(self, server: FakeMinerUServer) -> None:
        server.throttle_next(10)
        async with MinerUClient(config(server, max_retries=2)) as client:
            with pytest.raises(QuotaExceeded, match="HTTP 429 after 2 retries"):
                await client.extract_pdf("https://example.com/a.pdf")
        assert len(server.requests) == 3

    async def test_a_failed_task_quotes_mineru_err_msg(self, server: FakeMinerUServer) -> None:
        server.fail_next("file page count exceeds limit")
        async with MinerUClient(config(server)) as client:
            with pytest.raises(ValidationFailed, match="file page count exceeds limit") as caught:
                await client.extract_pdf("https://example.com/huge.pdf")
        assert caught.value.err_msg == "file page count exceeds limit"

    async def test_polling_gives_up_after_max_attempts(self, server: FakeMinerUServer) -> None:
        server.polls_until_done = 100
        async with MinerUClient(config(server, max_poll_attempts=4)) as client:
            with pytest.raises(ToolFailed, match=r"still 'running' after 4 polls"):
                await client.extract_pdf("https://example.com/slow.pdf")

    async def test_a_wrong_token_is_a_config_error(self, server: FakeMinerUServer) -> None:
        async with MinerUClient(config(server, api_key="wrong")) as client:
            with pytest.raises(ConfigError, match="rejected the API key"):
                await client.extract_pdf("https://example.com/a.pdf")
        assert len(server.requests) == 1  # not retried

    async def test_a_missing_local_file_is_refused_before_any_request(
        self, server: FakeMinerUServer, tmp_path: Path
    ) -> None:
        async with MinerUClient(config(server)) as client:
            with pytest.raises(ValidationFailed, match=r"missing\.pdf: cannot be read"):
                await client.extract_pdf(tmp_path / "missing.pdf")
        assert server.requests == []

    async def test_an_unreachable_service_fails_after_retries(self) -> None:
        with FakeMinerUServer() as srv:
            cfg = MinerUConfig(api_key="k", base_url=srv.base_url, max_retries=1)
        async with MinerUClient(cfg) as client:  # the server is gone: connection refused
            with pytest.raises(ToolFailed, match=r"could not reach MinerU .* after 1 retries"):
                await client.extract_pdf("https://example.com/a.pdf")
