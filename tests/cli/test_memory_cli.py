"""`openintern memory ingest|search` as real subprocesses against the test database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openintern.cli.memory import NO_GOOD_MATCH
from openintern.testing.fake_mineru import make_pdf
from tests.cli.test_admin_commands import env, oi

__all__ = ["env"]  # the fixture, re-used


def test_ingest_twice_is_idempotent_then_search(env: dict[str, str], tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "guide.md").write_text("# Guide\n\nOur deploys are blue-green, rolled back by switching.\n")
    (docs / "sub" / "faq.txt").write_text("混合检索把向量检索和全文检索结合起来。\n")
    (docs / "report.pdf").write_bytes(make_pdf(["Quarterly revenue grew by ten percent."]))
    (docs / ".hidden.md").write_text("# skipped\n")

    first = oi("memory", "ingest", str(docs), "--json", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    items = json.loads(first.stdout)["items"]
    assert len(items) == 3 and {i["status"] for i in items} == {"created"}
    assert all(i["chunks"] >= 1 and i["memory_id"].startswith("mem_") for i in items)

    second = oi("memory", "ingest", str(docs), "--json", env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    again = json.loads(second.stdout)["items"]
    assert [i["status"] for i in again] == ["unchanged"] * 3
    assert [i["memory_id"] for i in again] == [i["memory_id"] for i in items]

    found = oi("memory", "search", "混合检索", "--top-k", "2", "--json", env=env)
    assert found.returncode == 0, found.stdout + found.stderr
    results = json.loads(found.stdout)["results"]
    faq = next(i["memory_id"] for i in items if i["filename"].endswith("faq.txt"))
    assert results[0]["memory_id"] == faq and results[0]["scores"]["text"] is not None

    human = oi("memory", "search", "quarterly revenue", env=env)
    assert human.returncode == 0 and "report" in human.stdout


def test_ingest_of_a_missing_path_fails_cleanly(env: dict[str, str], tmp_path: Path) -> None:
    result = oi("memory", "ingest", str(tmp_path / "nope.md"), env=env)
    assert result.returncode == 1 and "no such file" in " ".join(result.stderr.split())


def test_embed_catches_up_after_a_model_change(env: dict[str, str], tmp_path: Path, fake_llm: Any) -> None:
    (tmp_path / "note.md").write_text("# Note\n\nThe on-call rota changes every Monday.\n")
    assert oi("memory", "ingest", str(tmp_path / "note.md"), env=env).returncode == 0
    nothing = oi("memory", "embed", "--json", env=env)
    assert nothing.returncode == 0 and json.loads(nothing.stdout) == {"embedded": {}}

    changed = {
        **env,
        "OPENINTERN_MEMORY__EMBEDDER": "openai",
        "OPENINTERN_MEMORY__EMBEDDING_MODEL": "fake/embed-384",
        "OPENINTERN_MEMORY__EMBEDDING_BASE_URL": fake_llm.openai_base_url,
        "OPENINTERN_MEMORY__EMBEDDING_API_KEY": "test-key",
    }
    doctor = json.loads(oi("doctor", "--json", env=changed).stdout)
    memory = next(c for c in doctor["checks"] if c["name"] == "memory")
    assert memory["status"] == "warn" and "1 without a vector" in memory["detail"]
    assert "openintern memory embed" in memory["fix"]
    result = oi("memory", "embed", env=changed)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "embedded 1 chunks in 1 org(s)" in result.stdout
    again = oi("memory", "embed", "--json", env=changed)
    assert json.loads(again.stdout) == {"embedded": {}}
    found = oi("memory", "search", "on-call rota", "--json", env=changed)
    assert json.loads(found.stdout)["results"][0]["scores"]["vector"] is not None


def test_commands_that_open_the_embedded_database_print_only_their_answer(tmp_path: Path) -> None:
    """No DATABASE_URL: the command starts (or joins) the embedded PostgreSQL, and the
    server's log lines go to DATA_DIR/logs/cli.log, not into the answer (issue 23);
    `--verbose` shows them."""
    env = {"DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": ""}
    doctor = oi("doctor", env=env)
    assert "embedded PostgreSQL" in doctor.stdout  # its "database" line names where it is
    assert "INFO" not in doctor.stdout + doctor.stderr and doctor.stderr == ""
    first = oi("memory", "search", "how do we deploy", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout == NO_GOOD_MATCH + "\n"
    # This command made the first admin (nobody set OPENINTERN_ADMIN_PASSWORD): it says so once.
    assert "one-time password" in first.stderr and "INFO" not in first.stderr
    quiet = oi("memory", "search", "how do we deploy", env=env)
    assert (quiet.stdout, quiet.stderr) == (NO_GOOD_MATCH + "\n", "")
    log = (tmp_path / "data" / "logs" / "cli.log").read_text()
    assert "embedded PostgreSQL ready" in log and "migrated database from empty" in log
    verbose = oi("--verbose", "memory", "search", "how do we deploy", env=env)
    assert verbose.stdout == NO_GOOD_MATCH + "\n" and "embedded PostgreSQL ready" in verbose.stderr


def test_search_says_no_good_match_instead_of_noise(env: dict[str, str], tmp_path: Path) -> None:
    """Below the relevance floor (memory.min_relevance) a memory is no answer (issue 23)."""
    (tmp_path / "deploys.md").write_text("# Deploys\n\nWe deploy with blue-green releases.\n")
    (tmp_path / "lunch.md").write_text("# Team lunch preferences\n\nNoodles on Fridays, pizza on Mondays.\n")
    assert oi("memory", "ingest", str(tmp_path), env=env).returncode == 0
    found = json.loads(oi("memory", "search", "how do we deploy to production?", "--json", env=env).stdout)
    assert [r["title"] for r in found["results"]] == ["Deploys"]
    nothing = oi("memory", "search", "quarterly revenue numbers", env=env)
    assert nothing.returncode == 0 and nothing.stdout == NO_GOOD_MATCH + "\n"
    everything = {**env, "OPENINTERN_MEMORY__MIN_RELEVANCE": "-1"}  # no floor: the noise is back
    noisy = json.loads(oi("memory", "search", "quarterly revenue numbers", "--json", env=everything).stdout)
    assert len(noisy["results"]) == 2
