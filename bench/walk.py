"""Walk benchmark: `jvdb neighbors START --depth 3` against jvspatial 0.2.2's own
`Node.neighborhood(depth=3, direction="both")` on the same PostgreSQL and MongoDB stores.

    .venv/bin/python bench/walk.py STORE_DIR [RUNS]

STORE_DIR is a JSON store made by bench/make_store.py (e.g. /tmp/jvdb-bench/store-10000). The
script starts a private PostgreSQL cluster (tests/pg/cluster.sh, unless BENCH_PG_DSN names a
server) and the MongoDB test server (tests/mongo_server/server.py), migrates the store into both
with jvdb, then times each tool as a whole process (connect included), RUNS times interleaved,
and reports medians, the nodes each reached (they must agree) and, on MongoDB, the `find`
commands each sent (the test server counts them per collection). jvspatial on PostgreSQL uses
its `traverse` (one recursive CTE); on MongoDB its per-node Python BFS.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JVDB = os.environ.get("JVDB", str(ROOT / "target/release/jvdb"))
PY = sys.executable

JV_SCRIPT = r"""
import asyncio, sys, time
from jvspatial.core import GraphContext, Node
from jvspatial.core.context import set_default_context

async def main(kind, where, start):
    if kind == "pg":
        from jvspatial.db.postgres import PostgresDB
        dsn, schema = where.split("|")
        db = PostgresDB(dsn, schema_name=schema)
    else:
        from jvspatial.db.mongodb import MongoDB
        uri, name = where.split("|")
        db = MongoDB(uri=uri, db_name=name)
    ctx = GraphContext(database=db)
    set_default_context(ctx)
    node = await Node.get(start)
    got = await node.neighborhood(depth=3, direction="both")
    print(len({n.id for n in got}))

asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
"""


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def timed(cmd):
    t = time.perf_counter()
    out = sh(cmd).stdout
    return time.perf_counter() - t, out


def mongo_finds(uri, db):
    import pymongo

    s = pymongo.MongoClient(uri).admin.command("serverStatus")
    f = s["jvdbTest"]["findsByNamespace"]
    return f.get(f"{db}.edge", 0) + f.get(f"{db}.node", 0)


def main():
    store = Path(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    work = Path(tempfile.mkdtemp(prefix="jvdb-walk-"))
    work.chmod(0o755)  # the cluster runs as the postgres user
    procs = []
    dsn = os.environ.get("BENCH_PG_DSN")
    pg_dir = None
    try:
        if not dsn:
            pg_dir = work / "pg"
            pg_dir.mkdir()
            dsn = sh(["bash", str(ROOT / "tests/pg/cluster.sh"), "start", str(pg_dir)]).stdout.strip()
        port_file = work / "mongo.port"
        procs.append(subprocess.Popen(
            [PY, str(ROOT / "tests/mongo_server/server.py"), "--port", "0", "--port-file", str(port_file)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(600):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.1)
        muri = f"mongodb://127.0.0.1:{port_file.read_text().strip()}"
        sh(["psql", dsn, "-qc", "DROP SCHEMA IF EXISTS walkbench CASCADE; CREATE SCHEMA walkbench"])
        pg_spec = f"{dsn}{'&' if '?' in dsn else '?'}schema=walkbench"
        for target in (pg_spec, f"{muri}/walkbench"):
            # The bench store holds a few edges with the same (source, target, entity): the
            # servers' unique index refuses them (exit 1, each named); the rest is the graph.
            r = subprocess.run([JVDB, "-q", "migrate", "--no-verify", "--from", str(store), "--to", target],
                               capture_output=True, text=True)
            if r.returncode not in (0, 1):
                raise SystemExit(f"migrate to {target}: {r.stderr}")
        sh(["psql", dsn, "-qc", "ANALYZE walkbench.edge; ANALYZE walkbench.node"])
        # A start with a real neighbourhood: the city with the most edges among the first 50.
        edges = {}
        for f in sorted((store / "edge").iterdir())[:3000]:
            e = json.loads(f.read_text())
            for k in ("source", "target"):
                edges[e.get(k)] = edges.get(e.get(k), 0) + 1
        start = max((k for k in edges if isinstance(k, str) and k.startswith("n.City.")), key=lambda k: (edges[k], k))
        rows = []
        for name, spec, jv_kind, jv_where in (
            ("postgresql", pg_spec, "pg", f"{dsn}|walkbench"),
            ("mongodb", f"{muri}/walkbench", "mongo", f"{muri}|walkbench"),
        ):
            t_jvdb, t_jv, n_jvdb, n_jv, f_jvdb, f_jv = [], [], set(), set(), [], []
            for _ in range(runs):
                f0 = mongo_finds(muri, "walkbench") if name == "mongodb" else 0
                t, out = timed([JVDB, "--db", spec, "neighbors", start, "--depth", "3", "--format", "ids"])
                f1 = mongo_finds(muri, "walkbench") if name == "mongodb" else 0
                t_jvdb.append(t)
                n_jvdb.add(len(out.split()))
                f_jvdb.append(f1 - f0)
                t, out = timed([PY, "-c", JV_SCRIPT, jv_kind, jv_where, start])
                f2 = mongo_finds(muri, "walkbench") if name == "mongodb" else 0
                t_jv.append(t)
                n_jv.add(int(out.strip()))
                f_jv.append(f2 - f1)
            rows.append({
                "backend": name, "start": start,
                "jvdb_s": statistics.median(t_jvdb), "jvspatial_s": statistics.median(t_jv),
                "nodes_jvdb": sorted(n_jvdb), "nodes_jvspatial": sorted(n_jv),
                "finds_jvdb": sorted(set(f_jvdb)) if name == "mongodb" else None,
                "finds_jvspatial": sorted(set(f_jv)) if name == "mongodb" else None,
            })
        print(json.dumps(rows, indent=2))
        print("| backend | jvdb neighbors --depth 3 | jvspatial Node.neighborhood(3) | ratio | nodes (jvdb / jvspatial) | MongoDB finds (jvdb / jvspatial) |")
        print("|---|---:|---:|---:|---|---|")
        for r in rows:
            finds = f"{r['finds_jvdb']} / {r['finds_jvspatial']}" if r["finds_jvdb"] is not None else "–"
            print(f"| {r['backend']} | {r['jvdb_s']:.3f} s | {r['jvspatial_s']:.3f} s | "
                  f"{r['jvspatial_s'] / r['jvdb_s']:.1f}× | {r['nodes_jvdb']} / {r['nodes_jvspatial']} | {finds} |")
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        if pg_dir:
            subprocess.run(["bash", str(ROOT / "tests/pg/cluster.sh"), "stop", str(pg_dir)])


main()
