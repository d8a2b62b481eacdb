"""Settings: file < env < flags, seed variable names, errors that name source and key. No DB needed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openintern.config import load_settings, write_default_config
from openintern.errors import ConfigError


def test_precedence_file_env_flags(tmp_path: Path) -> None:
    cfg = tmp_path / "agent.config.json"
    cfg.write_text(json.dumps({"server": {"port": 1111, "host": "0.0.0.0"}, "llm": {"model": "from-file"}}))
    env = {"PORT": "2222", "LLM_MODEL": "from-env"}
    s = load_settings({"server": {"port": 3333}}, config_file=cfg, environ=env)
    assert s.server.port == 3333  # flag beats env
    assert s.llm.model == "from-env"  # env beats file
    assert s.server.host == "0.0.0.0"  # file beats default


def test_seed_names_and_nested_names(tmp_path: Path) -> None:
    s = load_settings(
        environ={
            "DATABASE_URL": "postgres://u@h/db",
            "DATA_DIR": str(tmp_path),
            "LLM_PROVIDER": "anthropic",
            "LLM_BASE_URL": "http://127.0.0.1:9/v1",
            "OPENAI_API_KEY": "sk-x",
            "OPENINTERN_ADMIN_PASSWORD": "pw",
            "OPENINTERN_RUNTIME__WORKER_CONCURRENCY": "17",
        }
    )
    assert s.database.url == "postgres://u@h/db" and s.data_dir == tmp_path
    assert s.llm.provider == "anthropic" and s.llm.base_url == "http://127.0.0.1:9/v1"
    assert s.llm.openai_api_key and s.llm.openai_api_key.get_secret_value() == "sk-x"
    assert s.auth.admin_password and s.auth.admin_password.get_secret_value() == "pw"
    assert s.runtime.worker_concurrency == 17
    assert s.server.host == "127.0.0.1"


def test_camel_case_keys_from_seed_json(tmp_path: Path) -> None:
    cfg = tmp_path / "c.json"
    cfg.write_text(
        json.dumps({"mineru": {"enabled": True, "apiKey": "k", "pollIntervalMs": 10, "maxPollAttempts": 3}})
    )
    s = load_settings(config_file=cfg, environ={})
    assert s.mineru.enabled and s.mineru.poll_interval_ms == 10 and s.mineru.max_poll_attempts == 3


def test_a_heartbeat_slower_than_half_a_lease_is_refused() -> None:
    with pytest.raises(
        ConfigError, match=r"runtime.heartbeat_s: .*less than half of runtime.lease_s \(10.0 s\)"
    ):
        load_settings(environ={"OPENINTERN_RUNTIME__HEARTBEAT_S": "5"})
    assert load_settings(environ={"OPENINTERN_RUNTIME__HEARTBEAT_S": "4.9"}).runtime.heartbeat_s == 4.9


def test_errors_name_file_key_and_reason(tmp_path: Path) -> None:
    cfg = tmp_path / "agent.config.json"
    cfg.write_text(json.dumps({"server": {"port": "eighty", "prot": 1}}))
    with pytest.raises(ConfigError) as info:
        load_settings(config_file=cfg, environ={"OPENINTERN_RUNTIME__NOPE": "1", "LLM_PROVIDER": "bard"})
    text = str(info.value)
    assert f"{cfg}: server.port: Input should be a valid integer" in text
    assert f"{cfg}: server.prot: unknown key" in text
    assert "environment variable OPENINTERN_RUNTIME__NOPE: runtime.nope: unknown key" in text
    assert "environment variable LLM_PROVIDER: llm.provider" in text


def test_invalid_json_names_line(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.json"
    cfg.write_text('{\n  "server": {,}\n}')
    with pytest.raises(ConfigError, match=r"bad.json: not valid JSON \(line 2"):
        load_settings(config_file=cfg, environ={})


def test_init_writes_a_loadable_file(tmp_path: Path) -> None:
    path = write_default_config(tmp_path / "agent.config.json")
    s = load_settings(config_file=path, environ={})
    assert s.server.port == 3000 and s.config_file == path


def test_configuration_reference_is_current() -> None:
    from openintern.config_docs import render

    page = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
    assert page.read_text() == render(), (
        "docs/configuration.md is stale: python -m openintern.config_docs > docs/configuration.md"
    )


def test_gemini_is_a_provider_with_its_own_key() -> None:
    """LLM_PROVIDER=gemini made the whole configuration invalid (issue 23)."""
    from openintern.providers.choice import settings_provider

    env = {"LLM_PROVIDER": "gemini", "LLM_MODEL": "gemini-2.5-flash", "GEMINI_API_KEY": "gm-key"}
    config = settings_provider(load_settings(environ=env), None)
    assert config.kind == "gemini" and config.base_url is None  # the adapter's default endpoint
    assert config.api_key and config.api_key.get_secret_value() == "gm-key"
    chosen = settings_provider(load_settings(environ={**env, "LLM_API_KEY": "llm-key"}), None)
    assert chosen.api_key and chosen.api_key.get_secret_value() == "llm-key"  # LLM_API_KEY first
    implied = settings_provider(load_settings(environ={"LLM_MODEL": "m", "GEMINI_API_KEY": "k"}), None)
    assert implied.kind == "gemini"  # the only key set names the provider
    with pytest.raises(ConfigError, match=r"llm\.provider"):
        load_settings(environ={"LLM_PROVIDER": "bard"})
