"""The SQLite / PostgreSQL benchmark operations done through jvspatial 0.2.2's own API, and the
bare-driver baselines, for comparison with jvdb (issue 10). Run by bench/run.py.

A target is named by a spec as jvdb names it: `sqlite:FILE` or `postgresql://…?schema=NAME`
(the `schema` parameter is jvspatial's `schema_name`; it is taken out of the DSN handed to
asyncpg). Write operations print one JSON line with their phases on stdout:
  {"n": records, "read_s": JsonDB.find of every collection, "index_s": ensure_indexes,
   "write_s": the writes alone (bulk_save calls / executemany+commit / COPY), "rows": rows after}

    python bench/jv_sql.py import                          -> nothing (process start + imports)
    python bench/jv_sql.py prepare SPEC base|indexes       -> empty target with jvspatial's DDL
                                                              (+ its ensure_indexes indexes)
    python bench/jv_sql.py to_sql STORE SPEC base|indexes  -> what a jvspatial user writes:
          JsonDB.find(c, {}) then bulk_save in batches of 1,000 into SQLiteDB / PostgresDB;
          `indexes` runs GraphContext.ensure_indexes for the store's classes first
    python bench/jv_sql.py sqlite_bare STORE FILE          -> bare baseline: the same rows
          (collection, id, json.dumps(record)) in one executemany transaction from Python's
          sqlite3, into a FILE made by `prepare` (WAL, synchronous=NORMAL as jvspatial sets)
    python bench/jv_sql.py pg_copyfile STORE OUT           -> COPY text file of the same rows
          (id, entity, tenant_id, data = json.dumps(record)) for the `psql \\copy` baseline
    python bench/jv_sql.py count SPEC COLL QUERY_JSON      -> Database.count
    python bench/jv_sql.py find  SPEC COLL QUERY_JSON      -> Database.find, JSON lines on stdout
    python bench/jv_sql.py cleanup SPEC                    -> validate_graph's dangling edge ids
    python bench/jv_sql.py to_json SPEC DST                -> every record into a new JsonDB
          (find(c, {}) then JsonDB.bulk_save in chunks of 500, as bench/jv_ops.py copy)
    python bench/jv_sql.py drop DSN SCHEMA...              -> DROP SCHEMA … CASCADE
"""

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jvspatial.core import Edge, GraphContext, Node, Root
from jvspatial.db.jsondb import JsonDB

BATCH = 1000
JSON_CHUNK = 500
COLLS_SQL = ("node", "edge")


def split_pg(spec: str):
    """`postgresql://…?schema=S&x=y` -> (DSN without schema, S)."""
    u = urlsplit(spec)
    params = parse_qsl(u.query, keep_blank_values=True)
    schema = "public"
    rest = []
    for k, v in params:
        if k == "schema":
            schema = v
        else:
            rest.append((k, v))
    return urlunsplit((u.scheme, u.netloc, u.path, urlencode(rest), u.fragment)), schema


def open_db(spec: str):
    if spec.startswith("sqlite:"):
        from jvspatial.db.sqlite import SQLiteDB

        path = spec[len("sqlite:"):]
        if path.startswith("///"):
            path = path[2:]
        return SQLiteDB(path)
    if spec.startswith(("postgresql://", "postgres://")):
        from jvspatial.db.postgres import PostgresDB

        dsn, schema = split_pg(spec)
        return PostgresDB(dsn, schema_name=schema)
    return JsonDB(spec)


def store_classes():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from make_store import City, Highway

    return (Node, Edge, Root, City, Highway)


async def ensure_indexes(db) -> float:
    t0 = time.perf_counter()
    ctx = GraphContext(database=db)
    for cls in store_classes():
        await ctx.ensure_indexes(cls)
    return time.perf_counter() - t0


async def prepare(db, mode: str) -> None:
    if hasattr(db, "_get_connection"):
        await db._get_connection()
    else:
        for c in COLLS_SQL:
            await db._bootstrap_collection(c)
    if mode == "indexes":
        await ensure_indexes(db)


def collections(base: Path):
    return sorted(p.name for p in base.iterdir() if p.is_dir())


async def read_store(store: str):
    src = JsonDB(store)
    out = {}
    for c in collections(Path(store)):
        out[c] = await src.find(c, {})
    return out


async def count_rows(db) -> int:
    return sum([await db.count(c) for c in COLLS_SQL])


async def to_sql(store: str, spec: str, mode: str) -> dict:
    t0 = time.perf_counter()
    data = await read_store(store)
    t1 = time.perf_counter()
    db = open_db(spec)
    await prepare(db, "base")
    index_s = await ensure_indexes(db) if mode == "indexes" else 0.0
    write_s = 0.0
    failed = 0
    for c, rows in data.items():
        for i in range(0, len(rows), BATCH):
            tw = time.perf_counter()
            if hasattr(db, "_get_connection"):
                await db.bulk_save(c, rows[i : i + BATCH])
            else:
                # PostgresDB.bulk_save = bulk_save_detailed(...).saved; keep the failures
                res = await db.bulk_save_detailed(c, rows[i : i + BATCH])
                failed += len(res.failed_ids)
            write_s += time.perf_counter() - tw
    rows_after = await count_rows(db)
    await db.close()
    return {"n": sum(len(r) for r in data.values()), "read_s": round(t1 - t0, 4),
            "index_s": round(index_s, 4), "write_s": round(write_s, 4), "failed": failed,
            "rows": rows_after}


def bare_rows(data):
    return [(c, str(r["id"]), json.dumps({**r, "id": str(r["id"])})) for c, rows in data.items() for r in rows]


async def sqlite_bare(store: str, path: str) -> dict:
    import sqlite3

    t0 = time.perf_counter()
    rows = bare_rows(await read_store(store))
    t1 = time.perf_counter()
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("BEGIN")
    con.executemany("INSERT OR REPLACE INTO records (collection, id, data) VALUES (?, ?, ?)", rows)
    con.execute("COMMIT")
    con.close()
    t2 = time.perf_counter()
    n = sqlite3.connect(path).execute("SELECT COUNT(*) FROM records").fetchone()[0]
    return {"n": len(rows), "read_s": round(t1 - t0, 4), "index_s": 0.0, "write_s": round(t2 - t1, 4), "rows": n}


def copy_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_line(r) -> str:
    """One row of PostgresDB's COPY (id, entity, tenant_id, data) as _split_payload makes it."""
    tenant = r.get("tenant_id")
    return "\t".join((
        copy_escape(str(r["id"])),
        copy_escape(str(r.get("entity") or "")),
        "\\N" if tenant is None else copy_escape(str(tenant)),
        copy_escape(json.dumps(r)),
    )) + "\n"


async def pg_copyfile(store: str, out: str) -> dict:
    data = await read_store(store)
    n = 0
    for c, rows in data.items():
        tmp = f"{out}.{c}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(copy_line(r))
                n += 1
        os.rename(tmp, f"{out}.{c}")
    # The same edges without the later of two that share (source, target, entity): a COPY into
    # a table with ensure_indexes' unique edge index aborts on them.
    seen, dropped = set(), 0
    with open(f"{out}.edge.tmp", "w", encoding="utf-8") as f:
        for r in data.get("edge", []):
            key = (r.get("source"), r.get("target"), r.get("entity"))
            if key in seen:
                dropped += 1
                continue
            seen.add(key)
            f.write(copy_line(r))
    os.rename(f"{out}.edge.tmp", f"{out}.edge.uniq")
    return {"n": n, "dup_edges": dropped}


async def main(argv) -> None:
    op = argv[0]
    if op == "import":
        import jvspatial.db.postgres  # noqa: F401
        import jvspatial.db.sqlite  # noqa: F401
        return
    if op == "prepare":
        db = open_db(argv[1])
        await prepare(db, argv[2])
        await db.close()
    elif op == "to_sql":
        print(json.dumps(await to_sql(argv[1], argv[2], argv[3])))
    elif op == "sqlite_bare":
        print(json.dumps(await sqlite_bare(argv[1], argv[2])))
    elif op == "pg_copyfile":
        print(json.dumps(await pg_copyfile(argv[1], argv[2])))
    elif op == "count":
        db = open_db(argv[1])
        print(await db.count(argv[2], json.loads(argv[3])))
        await db.close()
    elif op == "find":
        db = open_db(argv[1])
        out = sys.stdout
        n = 0
        for r in await db.find(argv[2], json.loads(argv[3])):
            out.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
            n += 1
        await db.close()
        print(f"found {n}", file=sys.stderr)
    elif op == "cleanup":
        from jvspatial.core.validate import validate_graph

        db = open_db(argv[1])
        ctx = GraphContext(database=db)
        rep = await validate_graph(context=ctx, check_root_cycles=False)
        for e in rep.dangling_edge_ids:
            print(e)
        print(f"orphans {len(rep.orphan_node_ids)}", file=sys.stderr)
        await db.close()
    elif op == "to_json":
        src, dst = open_db(argv[1]), JsonDB(argv[2])
        n = 0
        for c in COLLS_SQL:
            rows = await src.find(c, {})
            for i in range(0, len(rows), JSON_CHUNK):
                await dst.bulk_save(c, rows[i : i + JSON_CHUNK])
            n += len(rows)
        await src.close()
        print(n)
    elif op == "drop":
        import asyncpg

        con = await asyncpg.connect(argv[1])
        for s in argv[2:]:
            await con.execute(f'DROP SCHEMA IF EXISTS "{s}" CASCADE')
        await con.close()
    else:
        raise SystemExit(f"unknown op {op}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
