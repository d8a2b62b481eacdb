"""One typed settings tree, checked at start-up.

Precedence (lowest → highest): config file (``agent.config.json``, written by
``openintern init``) < environment variables < CLI flags < request parameters (the last
is applied per request by the services, not here).

Environment names keep the seeds' spelling where one exists (``DATABASE_URL``, ``PORT``,
``DATA_DIR``, ``LLM_*``, ``OPENAI_API_KEY`` …, see ``ENV_ALIASES``); every other field is
reachable as ``OPENINTERN_<SECTION>__<FIELD>`` (e.g. ``OPENINTERN_RUNTIME__WORKER_CONCURRENCY``).
This module imports nothing from the package but ``errors``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    AliasGenerator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from openintern.errors import ConfigError

CONFIG_FILE_NAME = "agent.config.json"

# Seed variable name → path in the settings tree.
ENV_ALIASES: dict[str, tuple[str, ...]] = {
    "DATABASE_URL": ("database", "url"),
    "PORT": ("server", "port"),
    "HOST": ("server", "host"),
    "DATA_DIR": ("data_dir",),
    "LLM_PROVIDER": ("llm", "provider"),
    "LLM_MODEL": ("llm", "model"),
    "LLM_API_KEY": ("llm", "api_key"),
    "LLM_BASE_URL": ("llm", "base_url"),
    "OPENAI_API_KEY": ("llm", "openai_api_key"),
    "ANTHROPIC_API_KEY": ("llm", "anthropic_api_key"),
    "GEMINI_API_KEY": ("llm", "gemini_api_key"),
    "OPENINTERN_ADMIN_PASSWORD": ("auth", "admin_password"),
    "OPENINTERN_JWT_SECRET": ("auth", "jwt_secret"),
    "OPENINTERN_SECRET_KEY": ("secret_key",),
    "MINERU_ENABLED": ("mineru", "enabled"),
    "MINERU_MODE": ("mineru", "mode"),
    "MINERU_API_KEY": ("mineru", "api_key"),
    "MINERU_BASE_URL": ("mineru", "base_url"),
    "MINERU_UID_TOKEN": ("mineru", "uid_token"),
    "FEISHU_ENABLED": ("feishu", "enabled"),
    "FEISHU_APP_ID": ("feishu", "app_id"),
    "FEISHU_APP_SECRET": ("feishu", "app_secret"),
}


class Section(BaseModel):
    """A settings section: strict keys; camelCase accepted as in the seeds' JSON."""

    model_config = ConfigDict(
        extra="forbid",
        validate_default=True,
        alias_generator=AliasGenerator(validation_alias=to_camel),
        populate_by_name=True,
    )


class ServerSettings(Section):
    host: str = Field("127.0.0.1", description="Interface the API binds to (HOST).")
    port: int = Field(3000, ge=0, le=65535, description="HTTP port (PORT).")
    no_auth: bool = Field(
        False, description="Development only: every request acts as the default admin. Forces loopback."
    )
    workers_in_process: bool = Field(
        True, description="`serve` runs run-workers (in worker processes, or in the API process)."
    )
    worker_processes: int | None = Field(
        None,
        ge=0,
        le=64,
        description=(
            "Worker processes `serve` starts beside the API process (0: workers run inside it). "
            "Unset: one per core beyond the first, at most 4."
        ),
    )
    static_dir: Path | None = Field(None, description="Override the directory the web UI is served from.")
    max_body_bytes: int = Field(
        8 * 2**20,
        ge=1024,
        description="Largest request body the API reads (413 beyond it, refused before reading it all).",
    )
    max_upload_bytes: int = Field(
        100 * 2**20,
        ge=1024,
        description="Largest request body of a document upload (POST /api/memory/ingest), all files together.",
    )
    behind_tls: bool = Field(
        False,
        description="The platform is served over HTTPS (directly or by a proxy): send Strict-Transport-Security.",
    )


class DatabaseSettings(Section):
    url: str | None = Field(
        None, description="PostgreSQL URL (DATABASE_URL). Unset: an embedded server in DATA_DIR/pg."
    )
    pool_size: int = Field(20, ge=1, le=500, description="Connections kept per process.")
    max_overflow: int = Field(20, ge=0, le=500, description="Extra connections allowed under load.")
    statement_timeout_ms: int = Field(30_000, ge=0, description="Server-side guard against runaway queries.")
    embedded_shared_buffers_mb: int | None = Field(
        None,
        ge=16,
        le=1_048_576,
        description=(
            "The embedded server's shared_buffers, MB (not used with DATABASE_URL: size that server "
            "yourself). Unset: sized for the data at each start: all databases' size × 1.5, rounded up "
            "to a power of two, at least 128 MB, at most RAM/8 and 4096 MB (so an empty platform takes "
            "128 MB, and 400k chunks of memory ~4 GB on a 32 GB machine). A new size applies at once "
            "when no other process uses the server, else at its next start."
        ),
    )


class AuthSettings(Section):
    jwt_secret: SecretStr | None = Field(
        None, description="HS256 signing key. Unset: generated once and kept in DATA_DIR/secrets."
    )
    token_ttl_s: int = Field(12 * 3600, ge=60, description="Lifetime of an access token, seconds.")
    admin_username: str = Field("admin", min_length=1, description="Name of the first admin user.")
    admin_password: SecretStr | None = Field(
        None,
        description="First admin's password (OPENINTERN_ADMIN_PASSWORD). Unset: generated and printed once.",
    )
    login_free_failures: int = Field(
        3, ge=1, le=1000, description="Failed logins (per username, per client address) before delays start."
    )
    login_max_failures: int = Field(
        10, ge=1, le=10_000, description="Failed logins in a row that lock the username or address out."
    )
    lockout_s: int = Field(900, ge=1, le=86_400, description="How long a lockout lasts, seconds.")


class LLMSettings(Section):
    provider: Literal["openai", "anthropic", "gemini"] | None = Field(
        None,
        description=(
            "Default provider (LLM_PROVIDER): openai (and any compatible server), anthropic, or gemini "
            "(Google's OpenAI-compatible endpoint, https://generativelanguage.googleapis.com/v1beta/openai/)."
        ),
    )
    model: str | None = Field(None, description="Default model (LLM_MODEL).")
    api_key: SecretStr | None = Field(
        None,
        description="Key for the default provider (LLM_API_KEY); else OPENAI_API_KEY, ANTHROPIC_API_KEY or "
        "GEMINI_API_KEY, whichever is the provider's.",
    )
    base_url: str | None = Field(
        None,
        description="Any OpenAI-compatible endpoint (LLM_BASE_URL); unset: the provider's own (for gemini, "
        "Google's OpenAI-compatible one).",
    )
    openai_api_key: SecretStr | None = Field(None, description="OPENAI_API_KEY.")
    anthropic_api_key: SecretStr | None = Field(None, description="ANTHROPIC_API_KEY.")
    gemini_api_key: SecretStr | None = Field(None, description="GEMINI_API_KEY (a Google AI Studio key).")
    timeout_s: float = Field(120.0, gt=0, description="Per-request timeout for model calls.")
    max_retries: int = Field(4, ge=0, le=20, description="Retries on 429/5xx/connection errors.")
    allow_private_base_urls: bool = Field(
        True,
        description=(
            "Providers may point at private, loopback and link-local addresses (a local model server). "
            "Set false on a shared platform: tenants then cannot reach the server's own network. The "
            "ceiling: where true, an org's admins may still forbid them for their org "
            "(PATCH /api/orgs/{id} allow_private_base_urls)."
        ),
    )


class RuntimeSettings(Section):
    worker_concurrency: int = Field(
        200, ge=1, le=10_000, description="Runs one worker process executes at once (asyncio tasks)."
    )
    lease_s: float = Field(
        10.0,
        gt=1,
        description="A claimed run's lease; renewed by heartbeat. A dead worker's runs resume "
        "elsewhere after at most this long (longer: slower failover; shorter: more renewals, "
        "and a worker stalled this long loses its runs).",
    )
    heartbeat_s: float = Field(
        3.0, gt=0.1, description="How often a worker renews its leases; less than half of lease_s."
    )
    poll_s: float = Field(5.0, gt=0.05, description="Fallback poll when no NOTIFY arrives.")
    default_max_steps: int = Field(
        50,
        ge=1,
        le=1000,
        description=(
            "Steps (model calls, each with its tool calls) an agent run may take unless the run sets "
            "`max_steps`: a guard against a model that never stops calling tools, high enough for "
            "tool-heavy tasks (a task of 49 tool calls in a row finishes)."
        ),
    )
    max_child_depth: int = Field(
        4, ge=0, le=32, description="How deep child runs may nest (a top-level run is depth 0)."
    )
    max_children_per_run: int = Field(
        32, ge=0, le=1000, description="Child runs one run may start in all (a fan-out bound)."
    )
    max_spawn_cost_usd: float = Field(
        5.0,
        ge=0,
        description="A run whose cost with its children's has reached this may not start more "
        "sub-agents with spawn_agent or delegate (the model is told; 0: no limit).",
    )
    check_events: bool = Field(
        False,
        description="Validate every event against the event contract as it is emitted (for kind "
        "authors and the test suite; costs CPU per event): a bad event fails its run at once.",
    )
    workspace_root: Path | None = Field(
        None, description="Root under which project workspaces live (read_file). Default DATA_DIR/workspaces."
    )

    @field_validator("heartbeat_s")
    @classmethod
    def _beats_within_half_a_lease(cls, value: float, info: ValidationInfo) -> float:
        # A worker's writes renew a lease only once half of it is gone, and a beat skips a
        # row the writer holds at that moment: the next beat must come before the other half.
        lease_s = info.data.get("lease_s")
        if lease_s is not None and value >= lease_s / 2:
            raise ValueError(f"must be less than half of runtime.lease_s ({lease_s} s)")
        return value


class MemorySettings(Section):
    embedder: Literal["local", "openai", "sentence-transformers"] = Field(
        "local", description="Embedding backend; `local` is dependency-free and offline."
    )
    embedding_model: str = Field("local-hash-384", description="Model name recorded with each chunk.")
    embedding_dim: int = Field(384, ge=8, le=4096, description="Vector dimension.")
    embedding_base_url: str | None = Field(None, description="OpenAI-compatible embeddings endpoint.")
    embedding_api_key: SecretStr | None = Field(None, description="Key for the embeddings endpoint.")
    recall: bool = Field(
        False,
        description="Before a run's first step, put the most relevant memories in context (per run: `recall`).",
    )
    recall_top_k: int = Field(5, ge=1, le=50, description="How many memories recall adds.")
    rrf_k: int = Field(10, ge=1, le=1000, description="Reciprocal-rank fusion constant of hybrid search.")
    vector_weight: float = Field(
        0.7, ge=0, le=10, description="Weight of the vector half in hybrid search (the text half's is 1)."
    )
    min_relevance: float = Field(
        0.1,
        ge=-1,
        le=1,
        description=(
            "Relevance floor of search results: a memory that only the vector half found is left out "
            "when its cosine similarity to the query is below this (one with a text match is always "
            "kept), so a search few memories match returns those, not noise. -1: keep everything. "
            "With a semantic embedder (OpenAI's), 0.2 - 0.3 cuts unrelated memories."
        ),
    )
    remember_runs: bool = Field(
        False, description="After a run completes, write an episodic summary of it (per run: `remember`)."
    )
    ef_search: int = Field(
        60,
        ge=10,
        le=1000,
        description=(
            "HNSW candidate list of the vector half (pgvector's `hnsw.ef_search`): higher finds more of "
            "the true nearest chunks, slower. At 400k chunks, 60 finds 0.966 of them, 100 finds 0.980 "
            "and costs a third more (bench/RESULTS.md, M2)."
        ),
    )
    search_concurrency: int | None = Field(
        None,
        ge=1,
        le=256,
        description=(
            "Memory searches one process runs in the database at once, on connections of their own; "
            "more wait their turn. Unset: two per core, plus one."
        ),
    )


class SandboxSettings(Section):
    """The boundary around exec tools (run_command; later code nodes and skill scripts)."""

    require_isolation: bool = Field(
        True,
        description=(
            "Run sandboxed processes only inside bubblewrap's namespaces (workspace read-write, system "
            "read-only, nothing else); where that is unavailable, exec tools are refused. false: run them "
            "unconfined as the server's user instead (a single-user development machine only)."
        ),
    )
    bwrap_path: Path | None = Field(
        None, description="The bubblewrap binary. Unset: `bwrap` in /usr/local/bin, /usr/bin or /bin."
    )
    uid: int = Field(
        65534, ge=1, description="User a sandboxed process runs as when the server runs as root (nobody)."
    )
    gid: int = Field(
        65534, ge=1, description="Group a sandboxed process runs as when the server runs as root (nogroup)."
    )


class MinerUSettings(Section):
    """The MinerU v4 cloud API for PDF extraction (the seed's `mineru` block)."""

    enabled: bool = Field(False, description="Use MinerU for PDFs; otherwise the local extractor.")
    mode: Literal["v4"] = Field("v4", description="API generation.")
    api_key: SecretStr | None = Field(None, description="MinerU API token (sent as a Bearer token).")
    base_url: str = Field("https://mineru.net/api/v4", description="API root.")
    timeout_ms: int = Field(20_000, ge=1, description="Per-request timeout.")
    max_retries: int = Field(3, ge=0, description="Retries on 429/5xx/network errors.")
    poll_interval_ms: int = Field(3_000, ge=1, description="Delay between task-status polls.")
    max_poll_attempts: int = Field(120, ge=1, description="Polls before giving up on a task.")
    default_model_version: str = Field("pipeline", description="MinerU model_version for new tasks.")
    uid_token: SecretStr | None = Field(
        None, description="Accepted for seed compatibility; v4 does not use it."
    )


class FeishuSettings(Section):
    """Feishu (Lark) docs/wiki/drive sync into archival memory (the seed's `feishu` block)."""

    enabled: bool = Field(False, description="Enable the Feishu connector.")
    app_id: str | None = Field(None, description="Feishu app id (FEISHU_APP_ID).")
    app_secret: SecretStr | None = Field(None, description="Feishu app secret (FEISHU_APP_SECRET).")
    base_url: str = Field("https://open.feishu.cn", description="Open platform root.")
    timeout_ms: int = Field(20_000, ge=1, description="Per-request timeout.")
    max_retries: int = Field(3, ge=0, description="Retries on 429/5xx/network errors.")
    poll_interval_ms: int = Field(120_000, ge=1, description="How often connectors sync.")


def _default_data_dir() -> Path:
    return Path("~/.openintern").expanduser()


class Settings(BaseSettings):
    """The whole configuration. Build it with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        extra="forbid",
        alias_generator=AliasGenerator(validation_alias=to_camel),
        populate_by_name=True,
    )

    data_dir: Path = Field(default_factory=_default_data_dir, description="Where state lives (DATA_DIR).")
    log_level: Literal["debug", "info", "warning", "error"] = Field("info", description="Server log level.")
    secret_key: SecretStr | None = Field(
        None, description="Key that encrypts secrets at rest. Unset: generated once in DATA_DIR/secrets."
    )
    config_file: Path | None = Field(None, description="The config file that was read, if any.")
    server: ServerSettings = Field(default_factory=ServerSettings)  # type: ignore[arg-type]
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)  # type: ignore[arg-type]
    auth: AuthSettings = Field(default_factory=AuthSettings)  # type: ignore[arg-type]
    llm: LLMSettings = Field(default_factory=LLMSettings)  # type: ignore[arg-type]
    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)  # type: ignore[arg-type]
    memory: MemorySettings = Field(default_factory=MemorySettings)  # type: ignore[arg-type]
    mineru: MinerUSettings = Field(default_factory=MinerUSettings)  # type: ignore[arg-type]
    feishu: FeishuSettings = Field(default_factory=FeishuSettings)  # type: ignore[arg-type]
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)  # type: ignore[arg-type]

    @property
    def secrets_dir(self) -> Path:
        return self.data_dir / "secrets"

    @property
    def workspace_root(self) -> Path:
        return self.runtime.workspace_root or self.data_dir / "workspaces"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # load_settings merges file < env < flags itself, so that every bad value can be
        # reported with the exact source it came from.
        return (init_settings,)


def _set_path(tree: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        tree = tree.setdefault(key, {})
    tree.setdefault(path[-1], value)


def _deep_merge(low: dict[str, Any], high: dict[str, Any]) -> dict[str, Any]:
    out = dict(low)
    for key, value in high.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


_NOT_SETTINGS = {"OPENINTERN_CONFIG", "OPENINTERN_URL", "OPENINTERN_TOKEN"}  # read by the CLI client


def _env_tree(environ: dict[str, str]) -> tuple[dict[str, Any], dict[tuple[str, ...], str]]:
    """Seed names first, then OPENINTERN_<SECTION>__<FIELD>; remembers where each came from."""
    tree: dict[str, Any] = {}
    origin: dict[tuple[str, ...], str] = {}
    for name, value in sorted(environ.items()):
        if value == "" or name in _NOT_SETTINGS:
            continue
        if name in ENV_ALIASES:
            path = ENV_ALIASES[name]
        elif name.startswith("OPENINTERN_") and not name.startswith("OPENINTERN_TEST"):
            path = tuple(part.lower() for part in name.removeprefix("OPENINTERN_").split("__"))
        else:
            continue
        _set_path(tree, path, value)
        origin.setdefault(path, f"environment variable {name}")
    return tree, origin


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a JSON object")
    return data


def find_config_file(explicit: Path | None, environ: dict[str, str]) -> Path | None:
    if explicit is not None:
        return explicit
    if environ.get("OPENINTERN_CONFIG"):
        return Path(environ["OPENINTERN_CONFIG"])
    candidate = Path.cwd() / CONFIG_FILE_NAME
    return candidate if candidate.exists() else None


def load_settings(
    overrides: dict[str, Any] | None = None,
    *,
    config_file: Path | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Build and check the settings; every problem names its source, key and reason."""
    env = dict(os.environ if environ is None else environ)
    path = find_config_file(config_file, env)
    file_tree = _read_config_file(path) if path is not None else {}
    env_tree, origin = _env_tree(env)
    merged = _deep_merge(_deep_merge(file_tree, env_tree), overrides or {})
    if path is not None:
        merged["config_file"] = path
    try:
        return Settings(**merged)
    except ValidationError as exc:
        problems = [_describe(err, path, file_tree, origin) for err in exc.errors()]
        raise ConfigError(problems=problems) from exc


def _describe(
    err: Any, path: Path | None, file_tree: dict[str, Any], origin: dict[tuple[str, ...], str]
) -> str:
    loc = tuple(str(part) for part in err["loc"])
    key = ".".join(loc)
    if loc in origin:
        source = origin[loc]
    elif path is not None and _has_path(file_tree, loc):
        source = f"{path}"
    else:
        source = "setting"
    reason = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
    return f"{source}: {key}: {reason}"


def _has_path(tree: Any, loc: tuple[str, ...]) -> bool:
    for part in loc:
        if not isinstance(tree, dict):
            return False
        match = next((k for k in tree if k == part or to_camel(part) == k), None)
        if match is None:
            return False
        tree = tree[match]
    return True


def settings_to_json(settings: Settings) -> str:
    """The effective settings, secrets included, for a child process (sent over a pipe)."""

    def reveal(value: Any) -> Any:
        if isinstance(value, SecretStr):
            return value.get_secret_value()
        if isinstance(value, dict):
            return {k: reveal(v) for k, v in value.items()}
        if isinstance(value, Path):
            return str(value)
        return value

    return json.dumps(reveal(settings.model_dump()))


def settings_from_json(text: str) -> Settings:
    return Settings(**json.loads(text))


def write_default_config(path: Path, settings: Settings | None = None) -> Path:
    """Write a starter config file (used by ``openintern init``)."""
    s = settings or Settings()
    doc = {
        "dataDir": str(s.data_dir),
        "server": {"host": s.server.host, "port": s.server.port},
        "database": {"url": s.database.url},
        "llm": {"provider": s.llm.provider, "model": s.llm.model, "baseUrl": s.llm.base_url},
        "runtime": {"workerConcurrency": s.runtime.worker_concurrency},
        "memory": {"embedder": s.memory.embedder, "embeddingDim": s.memory.embedding_dim},
        "mineru": {"enabled": False, "mode": "v4", "baseUrl": s.mineru.base_url},
    }
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return path
