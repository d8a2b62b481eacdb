"""Memory workloads (issue 4), each on its own embedded PostgreSQL in a temporary DATA_DIR:

* ``m1`` quality: recall@10 (and MRR) of hybrid vs vector-only vs text-only search on the
  labelled passages of ``memory_data`` (PyPI packages' READMEs), through `MemoryService`.
* ``m2`` scale: 200,000 chunks (384-d, local embedder) in one org + 200,000 in four others;
  p50/p95 of a tier-filtered search at 20 concurrent queries, and recall@10 of the HNSW
  scan against an exact scan with the same filter.
* ``m3`` ingest: chunks/s of ``openintern memory ingest DIR`` end to end (a subprocess:
  read, chunk, embed locally, write), on the READMEs and the package's own docs.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import psycopg

from bench.harness import SHARED_BUFFERS_MB, percentile
from bench.workloads import memory_data
from openintern.cli import aio

ORG = "org_default"
M2_CHUNKS = int(os.environ.get("BENCH_M2_CHUNKS", "200000"))  # in the searched org; as many elsewhere
M2_OTHER_ORGS = 4
M2_QUERIES = 400
M2_WARMUP = 1_000  # other queries, at the same concurrency, before each mode's measured ones
M2_WARMUP_PASSES = 6  # at most; warm-up passes stop once the server's CPU per query settles
M2_ROUNDS = 3  # passes of the measured queries per mode; the median pass is reported
M2_CONCURRENCY = 20
M2_RECALL_QUERIES = 200
M3_FILES = 400
CHUNK_WORDS = 60
BATCH = 20_000  # chunks per batch (a multiple of 4: memories have 4 chunks)


@contextmanager
def embedded(tmp: Path, *, orgs: bool = True) -> Iterator[tuple[str, str]]:
    """A migrated database on a fresh embedded server: (SQLAlchemy URL, libpq conninfo);
    with ``orgs``, the orgs the memories go into (else the CLI's bootstrap makes its own)."""
    from openintern.db.embedded import start_embedded, stop_embedded
    from openintern.db.engine import libpq_conninfo
    from openintern.db.migrate import upgrade

    url = start_embedded(tmp / "data", shared_buffers_mb=SHARED_BUFFERS_MB)
    upgrade(url)
    conninfo = libpq_conninfo(url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for i in range(M2_OTHER_ORGS + 1 if orgs else 0):
            org = ORG if i == 0 else f"org_bench_{i}"
            conn.execute(
                "INSERT INTO orgs (id, name, slug) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (org, org, org),
            )
    try:
        yield url, conninfo
    finally:
        stop_embedded()


@asynccontextmanager
async def service(url: str) -> AsyncIterator[Any]:
    from openintern.db.session import Database
    from openintern.llm import LocalHashEmbedder
    from openintern.memory import MemoryService

    db = Database.from_url(url, pool_size=M2_CONCURRENCY + 5, max_overflow=5)
    memory = MemoryService(db, LocalHashEmbedder(384), embed_wait_s=600.0)
    try:
        yield memory
    finally:
        await memory.close()
        await db.dispose()


# --- M1 ---------------------------------------------------------------------------------------


def run_m1(args: Any) -> dict[str, Any]:
    docs = memory_data.documents()
    passages = memory_data.passages(docs)
    queries = memory_data.queries(passages)
    with tempfile.TemporaryDirectory() as tmp, embedded(Path(tmp)) as (url, _):
        scores = asyncio.run(_m1(url, passages, queries))
    return {
        "corpus": f"READMEs (METADATA long descriptions) of {len(docs)} PyPI packages: "
        + ", ".join(d.name for d in docs),
        "passages (memories)": len(passages),
        "queries": len(queries),
        **scores,
    }


async def _m1(url: str, passages: list[memory_data.Doc], queries: list[memory_data.Query]) -> dict[str, Any]:
    from openintern.memory import MemoryWrite, PlainScope

    scope = PlainScope(ORG, None)
    async with service(url) as memory:
        ids: dict[str, str] = {}
        for passage in passages:
            async with memory.db.tenant(ORG) as session:
                row = await memory.write(
                    session, scope, MemoryWrite(title=passage.name, content=passage.text, fmt="text")
                )
            ids[row.id] = passage.name
        out: dict[str, Any] = {}
        variants = {
            "hybrid": ("hybrid", memory.rrf_k, memory.vector_weight),
            "hybrid, textbook RRF (k 60, equal weights)": ("hybrid", 60, 1.0),
            "vector": ("vector", memory.rrf_k, memory.vector_weight),
            "text": ("text", memory.rrf_k, memory.vector_weight),
        }
        for name, (mode, memory.rrf_k, memory.vector_weight) in variants.items():
            hits = 0
            rr = 0.0
            for q in queries:
                async with memory.db.tenant(ORG) as session:
                    results = await memory.search(session, scope, q.text, top_k=10, mode=mode)
                names = [ids[r.memory.id] for r in results]
                if q.doc in names:
                    hits += 1
                    rr += 1.0 / (names.index(q.doc) + 1)
            out[f"recall@10 {name}"] = round(hits / len(queries), 3)
            out[f"MRR@10 {name}"] = round(rr / len(queries), 3)
    return out


# --- M2 ---------------------------------------------------------------------------------------


def run_m2(args: Any) -> dict[str, Any]:
    """With BENCH_M2_DATA=<dir>, the loaded database is kept there and re-used by later
    invocations (loading takes minutes); otherwise a temporary one."""
    words = _words()
    keep = os.environ.get("BENCH_M2_DATA")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(keep) if keep else Path(tmp)
        loaded = base / "m2-load.json"
        with embedded(base) as (url, conninfo):
            if loaded.exists():
                load = json.loads(loaded.read_text())
            else:
                load = _m2_load(conninfo, words)
                loaded.write_text(json.dumps(load))
            # on uvloop, as the API process (uvicorn) that serves searches runs
            result = aio.run(_m2_search(url, conninfo, words, base / "data" / "pg"))
    return {**load, **result}


def _sentences() -> list[str]:
    docs = memory_data.documents()
    out = []
    for doc in docs:
        for s in doc.text.replace("\n", " ").split(". "):
            words = s.split()
            if 6 <= len(words) <= 60:
                out.append(" ".join(words))
    return out


def _words() -> list[str]:
    """The READMEs as one stream of words (about 60k)."""
    return [w for doc in memory_data.documents() for w in doc.text.split() if w.isascii()]


def _chunk_texts(words: list[str], n: int, seed: int) -> Iterator[str]:
    """Synthetic chunks of real prose: a window of 60 consecutive words at a random place in
    the READMEs, a quarter of them replaced by random words of the same text. Windows near
    one place form a topic cluster, as chunks of real documents do; no two are equal, so
    "the 10 nearest" is well defined (whole-sentence samples tie by the hundred)."""
    rng = random.Random(seed)
    for _ in range(n):
        start = rng.randrange(len(words) - CHUNK_WORDS)
        window = words[start : start + CHUNK_WORDS]
        for k in rng.sample(range(CHUNK_WORDS), CHUNK_WORDS // 4):
            window[k] = rng.choice(words)
        yield " ".join(window)


def _m2_load(conninfo: str, words: list[str]) -> dict[str, Any]:
    """Bulk-load memories and chunks with COPY (not the measured path), then build the HNSW
    index the migration defines, as a fresh index would be built on a restore."""
    from openintern.llm.hash_embedding import LocalHashEmbedder

    embedder = LocalHashEmbedder(384)
    tiers = ("archival",) * 6 + ("episodic",) * 3 + ("core",)
    started = time.perf_counter()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("DROP INDEX ix_memory_chunks_embedding")
        orgs = [ORG] + [f"org_bench_{i}" for i in range(1, M2_OTHER_ORGS + 1)]
        per_org = {ORG: M2_CHUNKS, **{o: M2_CHUNKS // M2_OTHER_ORGS for o in orgs[1:]}}
        total = 0
        for o_index, org in enumerate(orgs):
            n = per_org[org]
            texts_all = _chunk_texts(words, n, seed=o_index)
            for first in range(0, n, BATCH):  # batches: 400k vectors as Python lists would need GBs
                texts = [next(texts_all) for _ in range(min(BATCH, n - first))]
                vectors = asyncio.run(embedder.embed(texts))
                _copy_batch(conn, org, first, texts, vectors, tiers, embedder.model)
            total += n
            print(f"  m2: loaded {total} chunks ({time.perf_counter() - started:.0f} s)", flush=True)
        loaded_s = time.perf_counter() - started
        conn.execute("SET maintenance_work_mem = '3GB'")
        conn.execute("SET max_parallel_maintenance_workers = 1")
        t0 = time.perf_counter()
        conn.execute(
            "CREATE INDEX ix_memory_chunks_embedding ON memory_chunks USING hnsw "
            "(embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"
        )
        build_s = time.perf_counter() - t0
        conn.execute("VACUUM ANALYZE memory_chunks")
        conn.execute("VACUUM ANALYZE memories")
    return {
        "chunks in the searched org": M2_CHUNKS,
        "chunks in other orgs": sum(per_org.values()) - M2_CHUNKS,
        "load (COPY + embed) s": round(loaded_s, 1),
        "HNSW build s (m=16, ef_construction=64)": round(build_s, 1),
    }


def _copy_batch(
    conn: psycopg.Connection[Any],
    org: str,
    first: int,
    texts: list[str],
    vectors: list[list[float]],
    tiers: tuple[str, ...],
    model: str,
) -> None:
    """COPY one batch: a memory per 4 chunks, the chunks through a staging table so the
    tsvector is computed exactly as the service writes it (memory.store.INSERT_CHUNKS)."""
    from openintern.memory.cjk import tokenize_for_index

    with conn.cursor() as cur:
        with cur.copy("COPY memories (id, org_id, tier, title, content) FROM STDIN") as copy:
            for k in range(0, len(texts), 4):
                i = first + k
                copy.write_row((f"mem_{org}_{i}", org, tiers[(i // 4) % 10], f"m{i}", texts[k]))
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS staging (memory_id text, org_id text, tier text,"
            " position int, text text, tokens text, embedding text)"
        )
        cur.execute("TRUNCATE staging")
        with cur.copy("COPY staging FROM STDIN") as copy:
            for k, (text, vec) in enumerate(zip(texts, vectors, strict=True)):
                i = first + k
                literal = "[" + ",".join(f"{x:.5g}" for x in vec) + "]"
                row = (f"mem_{org}_{i - i % 4}", org, tiers[(i // 4) % 10], i % 4, text)
                copy.write_row((*row, tokenize_for_index(text), literal))
        cur.execute(
            "INSERT INTO memory_chunks (memory_id, org_id, tier, position, text, tsv, embedding,"
            " embedding_model, embedding_dim, embedded_at)"
            " SELECT memory_id, org_id, tier, position, text, to_tsvector('simple', tokens),"
            " CAST(embedding AS vector), %s, 384, now() FROM staging",
            (model,),
        )


def _server_cpu_s(pg_dir: Path) -> float:
    """CPU seconds (user + system) used so far by the embedded server's processes: the
    postmaster named in ``postmaster.pid`` and its children (Linux /proc)."""
    postmaster = (pg_dir / "postmaster.pid").read_text().split()[0]
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # exited meanwhile
            continue
        if pid == postmaster or fields[1] == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def _huge_pages(url: str) -> str:
    """Whether the server's shared memory is in huge pages (they change the HNSW walk's cost)."""
    from openintern.db.server import inspect_server

    memory = inspect_server(url).memory
    if memory is None:
        return "unknown"
    reserved = Path("/proc/sys/vm/nr_hugepages")
    host = f"vm.nr_hugepages {reserved.read_text().strip()}" if reserved.exists() else "no vm.nr_hugepages"
    return f"{memory.status} ({host}; the server needs {memory.pages_needed} for shared_buffers {memory.shared_buffers_mb} MB)"


async def _m2_search(url: str, conninfo: str, words: list[str], pg_dir: Path) -> dict[str, Any]:
    """Queries: 5 words of a fresh window (a chunk-like passage that is not in the table).
    Each search calls `MemoryService.search` with no transaction (``session`` None), as the
    API route does once it has authenticated the caller (in a short transaction of its own,
    as every route does; not measured here); the statement runs on the service's search
    connections (at most `memory.search_concurrency` at once, default two per core plus
    one), as the tenant. CPU per query: this process's (the service: embedding, SQL client, snippets)
    and the server's (its backends), over the measured phase; with 20 in flight on a
    machine's cores, their sum is what bounds throughput."""
    from openintern.memory import PlainScope

    queries = [
        " ".join(random.Random(i).sample(text.split(), 5))
        for i, text in enumerate(_chunk_texts(words, M2_QUERIES, seed=99))
    ]
    warmup = [
        " ".join(random.Random(i).sample(text.split(), 5))
        for i, text in enumerate(_chunk_texts(words, M2_WARMUP, seed=97))
    ]
    scope = PlainScope(ORG, None)
    out: dict[str, Any] = {"server huge pages (docs/deploy.md)": _huge_pages(url)}
    async with service(url) as memory:
        out["search connections (memory.search_concurrency)"] = getattr(memory, "search_concurrency", "-")

        async def one(q: str, mode: str, lat: list[float]) -> None:
            t = time.perf_counter()
            await memory.search(None, scope, q, tiers=["episodic"], top_k=10, mode=mode)
            lat.append(time.perf_counter() - t)

        async def run(qs: list[str], mode: str, lat: list[float]) -> None:
            sem = asyncio.Semaphore(M2_CONCURRENCY)

            async def gated(q: str) -> None:
                async with sem:
                    await one(q, mode, lat)

            await asyncio.gather(*(gated(q) for q in qs))

        for mode in ("hybrid", "vector", "text"):
            # Warm the caches, the pool and the server's backends with other queries at the
            # same concurrency: the measured phase is ~2 s, and a cold start (pages not yet
            # in shared_buffers, nor mapped by the backends that walk them) would dominate it.
            out[f"{mode} … warm-up passes of {M2_WARMUP:,} queries"] = await _m2_warm(
                run, warmup, mode, pg_dir
            )
            # The measured queries M2_ROUNDS times over; each figure is the median round's
            # (one round is ~1 – 2 s, and this shared machine's speed drifts over seconds).
            rounds = [await _m2_round(run, queries, mode, pg_dir) for _ in range(M2_ROUNDS)]
            median = sorted(rounds, key=lambda r: r["p95"])[len(rounds) // 2]
            out[f"{mode} search, tier=episodic, top 10, {M2_CONCURRENCY} concurrent: p50 ms"] = median["p50"]
            out[f"{mode} … p95 ms"] = median["p95"]
            out[f"{mode} … p95 ms of each round"] = [r["p95"] for r in rounds]
            out[f"{mode} … queries/s"] = median["qps"]
            out[f"{mode} … CPU ms per query, Python / PostgreSQL"] = median["cpu"]
        ef_search = memory.ef_search
    kinds = {
        "chunk-like queries (held-out 60-word windows)": list(
            _chunk_texts(words, M2_RECALL_QUERIES, seed=98)
        ),
        "the 5-word keyword queries above": queries[:M2_RECALL_QUERIES],
    }
    out["HNSW ef_search (memory.ef_search)"] = ef_search
    out.update(await asyncio.to_thread(_m2_recall, conninfo, kinds, ef_search))
    return out


async def _m2_warm(run: Any, warmup: list[str], mode: str, pg_dir: Path) -> int:
    """Warm-up passes until the server's CPU per query settles (two passes in a row within
    5 %), at most M2_WARMUP_PASSES. After a server start one pass was not enough: side by
    side, the first measured round after 1,000 warm-up searches still cost ~20 % more
    database CPU than the rounds after it (bench/RESULTS.md, M2 seventh session)."""
    last: float | None = None
    for passes in range(1, M2_WARMUP_PASSES + 1):
        pg_ms = (await _m2_round(run, warmup, mode, pg_dir))["pg_ms"]
        if last is not None and abs(pg_ms - last) <= 0.05 * last:
            return passes
        last = pg_ms
    return M2_WARMUP_PASSES


async def _m2_round(run: Any, queries: list[str], mode: str, pg_dir: Path) -> dict[str, Any]:
    """One pass of the measured queries: latency percentiles, throughput and the CPU per
    query of this process (the service) and of the server's processes."""
    lat: list[float] = []
    t0, py0, pg0 = time.perf_counter(), time.process_time(), _server_cpu_s(pg_dir)
    await run(queries, mode, lat)
    wall = time.perf_counter() - t0
    py_ms = (time.process_time() - py0) * 1000 / len(lat)
    pg_ms = (_server_cpu_s(pg_dir) - pg0) * 1000 / len(lat)
    return {
        "p50": round(percentile(lat, 50) * 1000, 1),
        "p95": round(percentile(lat, 95) * 1000, 1),
        "qps": round(len(lat) / wall),
        "cpu": f"{py_ms:.2f} / {pg_ms:.2f}",
        "pg_ms": pg_ms,
    }


def _m2_recall(conninfo: str, kinds: dict[str, list[str]], ef_search: int) -> dict[str, Any]:
    """Recall@10 of the HNSW scan against an exact scan, with the searched org and tier
    filter, as the service runs it (one tier, so the tier's partial HNSW index is walked;
    iterative scan, the service's ef_search, `VECTOR_CANDIDATES` rows of which the best 10 count).
    Distance-based, as ANN benchmarks count it: an approximate result is a hit if it is no
    farther than the exact 10th (hashed vectors tie often, so comparing ids would count
    equally near chunks as misses)."""
    from openintern.llm.hash_embedding import LocalHashEmbedder
    from openintern.memory.search import VECTOR_CANDIDATES

    embedder = LocalHashEmbedder(384)
    sql = (
        "SELECT embedding <=> %s::vector FROM memory_chunks WHERE org_id = %s AND tier = 'episodic'"
        " AND embedding IS NOT NULL ORDER BY embedding <=> %s::vector LIMIT {n}"
    )
    out: dict[str, Any] = {}
    with psycopg.connect(conninfo) as conn:
        for kind, queries in kinds.items():
            found = 0
            for vec in asyncio.run(embedder.embed(queries)):
                literal = "[" + ",".join(f"{x:.6g}" for x in vec) + "]"
                with conn.transaction():
                    conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
                    conn.execute(f"SET LOCAL hnsw.ef_search = {int(ef_search)}")
                    rows = conn.execute(sql.format(n=VECTOR_CANDIDATES), (literal, ORG, literal)).fetchall()
                    approx = sorted(float(r[0]) for r in rows)[:10]
                with conn.transaction():
                    conn.execute("SET LOCAL enable_indexscan = off")
                    exact = [float(r[0]) for r in conn.execute(sql.format(n=10), (literal, ORG, literal))]
                found += sum(1 for d in approx if d <= exact[-1] + 1e-6)
            out[f"HNSW recall@10 vs exact, {kind} ({len(queries)})"] = round(found / (10 * len(queries)), 3)
    return out


# --- M3 ---------------------------------------------------------------------------------------


def run_m3(args: Any) -> dict[str, Any]:
    docs = memory_data.documents()
    with tempfile.TemporaryDirectory() as tmp, embedded(Path(tmp), orgs=False) as (url, conninfo):
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for doc in docs:
            (corpus / f"{doc.name}.md").write_text(doc.text)
        repo_docs = Path(__file__).resolve().parents[2] / "docs"
        for path in repo_docs.glob("*.md"):
            (corpus / f"openintern-{path.name}").write_text(path.read_text())
        sentences = _sentences()  # and M3_FILES notes of ~10 KB of the same prose, recombined
        rng = random.Random(3)
        for i in range(M3_FILES):
            paras = ["\n\n".join(". ".join(rng.sample(sentences, 4)) + "." for _ in range(12))]
            (corpus / f"note-{i:04d}.md").write_text(f"# Note {i}\n\n" + "\n\n## Details\n\n".join(paras))
        size = sum(p.stat().st_size for p in corpus.iterdir())
        files = len(list(corpus.iterdir()))
        env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(Path(tmp) / "cli")}
        cli = str(Path(sys.executable).parent / "openintern")
        cmd = [cli, "memory", "ingest", str(corpus), "--json", "--direct"]  # into the database, as measured
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        assert proc.returncode == 0, proc.stderr[-2000:]
        with psycopg.connect(conninfo) as conn:
            row = conn.execute("SELECT count(*), count(embedding) FROM memory_chunks").fetchone()
        assert row is not None
        chunks, embedded_n = int(row[0]), int(row[1])
        t0 = time.perf_counter()
        again = subprocess.run(cmd, env=env, capture_output=True, text=True)
        unchanged_s = time.perf_counter() - t0
        chunking = _chunking_mb_s([p.read_text() for p in sorted(corpus.iterdir())])
    return {
        "files": files,
        "MB of text": round(size / 1e6, 2),
        "chunks": chunks,
        "chunks with a vector": embedded_n,
        "wall s (process start to exit)": round(wall, 2),
        "chunks/s end to end": round(chunks / wall),
        "re-ingest of the unchanged files s": round(unchanged_s, 2) if again.returncode == 0 else "failed",
        "chunking alone, MB/s (in-process, best of 3)": chunking,
    }


def _chunking_mb_s(texts: list[str]) -> float:
    """Throughput of `chunk_text` alone (Markdown, the ingest defaults) over the corpus."""
    from openintern.memory.chunking import chunk_text

    size = sum(len(t.encode()) for t in texts)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for text in texts:
            chunk_text(text, fmt="markdown")
        best = min(best, time.perf_counter() - t0)
    return round(size / best / 1e6, 1)


def run(args: Any) -> dict[str, Any]:
    return {"m1": run_m1(args), "m3": run_m3(args), "m2": run_m2(args)}
