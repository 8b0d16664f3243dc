"""jvspatial 0.2.2's own PostgresDB (asyncpg) for the PostgreSQL interop tests.

    python pg_interop.py build DSN SCHEMA   build a graph through jvspatial's API, run
                                            ensure_indexes for Node and Edge; print the manifest
    python pg_interop.py dump DSN SCHEMA    every record of every collection as jvspatial reads
                                            it (PostgresDB.find(coll, {})), sorted by id, as JSON
    python pg_interop.py ddl DSN SCHEMA     the schema's index definitions and column
                                            definitions (schema name replaced by SCHEMA), as JSON
    python pg_interop.py traps DSN SCHEMA   what jvspatial itself does with NaN / Infinity /
                                            \\u0000 records (bulk_save): failed ids, as JSON
"""

import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import asyncpg  # noqa: E402
from interop_model import City, Config, Highway, Railway, Tourist  # noqa: E402
from jvspatial.core import Edge, GraphContext, Node, Root  # noqa: E402
from jvspatial.core.context import set_default_context  # noqa: E402
from jvspatial.core.entities.walker_components.trail_store import DBTrailStore  # noqa: E402
from jvspatial.db.postgres import PostgresDB  # noqa: E402


def cid(i: int) -> str:
    return f"n.City.{i:024x}"


async def build(dsn: str, schema: str) -> dict:
    db = PostgresDB(dsn, schema_name=schema)
    ctx = GraphContext(database=db)
    set_default_context(ctx)
    root = await Root.get()
    specs = [
        dict(name="Alpha", pop=10, big=2**64 + 1, ratio=1e16, flag=True, nothing=None, tags=["a", "b"], meta={"geo": {"lat": -23.55, "lon": 46.6}, "z": []}),
        dict(name="Sao Paulo", pop=-(2**70), big=-(2**63) - 1, ratio=1e-7, flag=False, nothing=None, tags=[], meta={}),
        dict(name="Gamma", pop=0, big=2**63 - 1, ratio=-0.0, flag=None, nothing=None, tags=[1, 2.5, None, True, "x", [], {}], meta={"deep": {"deeper": {"deepest": [{"k": 1}]}}}),
        dict(name="Delta \"quoted\" \\ back/slash\ttab\nnewline", pop=1, big=0, ratio=5e-324, flag=True, nothing=None, tags=["\u0001"], meta={"": "empty key", "a.b": 1, "$x": 2}),
        dict(name="Epsilon", pop=123456789012345678901234567890, big=1, ratio=1.7976931348623157e308, flag=False, nothing=None, tags=None, meta=None),
        dict(name="Zeta", pop=7, big=2, ratio=0.1, flag=True, nothing=None, tags=["z"], meta={"n": 100.0}),
        dict(name="Eta", pop=8, big=3, ratio=2.5, flag=False, nothing=None, tags=["to-delete"], meta={}),
    ]
    cities = [await City.create(id=cid(i), **s) for i, s in enumerate(specs, start=1)]
    a, b, g, d, e, z, eta = cities
    await db.save("node", {"id": "n.City.unicode0000000000000000", "entity": "City", "context": {
        "name": "Zürich 東京 😀 \u2028 é", "pop": 1, "big": 2**65, "ratio": 0.5, "flag": True,
        "nothing": None, "tags": ["ü", "🏙"], "meta": {"ключ": "значение"}}})
    await db.save("node", {"id": "weird id: ü € .json", "entity": "City", "context": {"name": "odd id"}})
    n = 0

    def eid(kind: str) -> str:
        nonlocal n
        n += 1
        return f"e.{kind}.{n:024x}"

    await root.connect(a, id=eid("Edge"))
    await a.connect(b, Highway, name="A-B", distance_km=1.5, lanes=4, id=eid("Highway"))
    await b.connect(g, Highway, direction="in", name="B-G in", id=eid("Highway"))
    await g.connect(d, Highway, direction="both", name="G-D", id=eid("Highway"))
    await ctx.save(Highway(left=d, right=e, direction="in", name="D-E ctor in", id=eid("Highway")))
    await ctx.save(Railway(left=e, right=z, line="E-Z default both", stops=["x"], id=eid("Railway")))
    await z.connect(a, Railway, line="Z-A", id=eid("Railway"))
    await a.connect(eta, Railway, line="A-Eta", id=eid("Railway"))
    await Config.create(id="o.Config.000000000000000000000001", key="theme", value={"dark": True, "n": [1, 2]})
    await Config.create(id="o.Config.000000000000000000000002", key="limits", value={"max": 2**66, "f": 1e-7})
    t = Tourist(id="w.Tourist.000000000000000000000001", budget=50, visited=[a.id, b.id])
    await ctx.save(t)
    trail = DBTrailStore(db)
    await trail.append(t.id, {"node_id": a.id, "edge_id": None})
    # a dangling edge: delete a node below the entity layer
    await db.delete("node", eta.id)
    await ctx.ensure_indexes(Node)
    await ctx.ensure_indexes(Edge)
    manifest = await dump(dsn, schema, db)
    await db.close()
    return manifest


async def collections(dsn: str, schema: str) -> list:
    c = await asyncpg.connect(dsn)
    try:
        rows = await c.fetch(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = $1 "
            "AND column_name = 'data' AND data_type = 'jsonb' ORDER BY 1",
            schema,
        )
        return [r["table_name"] for r in rows]
    finally:
        await c.close()


async def dump(dsn: str, schema: str, db=None) -> dict:
    own = db is None
    if own:
        db = PostgresDB(dsn, schema_name=schema)
    out = {}
    for coll in await collections(dsn, schema):
        recs = await db.find(coll, {})
        out[coll] = sorted(recs, key=lambda r: r["id"])
    if own:
        await db.close()
    return out


async def ddl(dsn: str, schema: str) -> dict:
    c = await asyncpg.connect(dsn)
    try:
        ix = await c.fetch(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY 1, 2",
            schema,
        )
        cols = await c.fetch(
            "SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default "
            "FROM information_schema.columns WHERE table_schema = $1 ORDER BY 1, 3",
            schema,
        )
        cons = await c.fetch(
            "SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint "
            "WHERE connamespace = $1::regnamespace ORDER BY 1, 2",
            schema,
        )
    finally:
        await c.close()

    def anon(s):
        return None if s is None else s.replace(f"{schema}.", "SCHEMA.")

    return {
        "indexes": [[r["tablename"], r["indexname"], anon(r["indexdef"])] for r in ix],
        "columns": [[r["table_name"], r["column_name"], r["ordinal_position"], r["data_type"], r["is_nullable"], r["column_default"]] for r in cols],
        "constraints": [[anon(r["t"]), r["conname"], r["def"]] for r in cons],
    }


async def traps(dsn: str, schema: str) -> dict:
    db = PostgresDB(dsn, schema_name=schema)
    res = await db.bulk_save_detailed("node", [
        {"id": "ok", "entity": "City", "context": {"x": 1}},
        {"id": "nan", "entity": "City", "context": {"x": float("nan")}},
        {"id": "inf", "entity": "City", "context": {"x": float("inf")}},
        {"id": "nul", "entity": "City", "context": {"x": "a\u0000b"}},
    ])
    await db.close()
    return {"saved": res.saved, "failed": sorted(res.failed_ids)}


def main() -> None:
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    cmd, dsn, schema = sys.argv[1:]
    fn = {"build": build, "dump": dump, "ddl": ddl, "traps": traps}[cmd]
    print(json.dumps(asyncio.run(fn(dsn, schema)), indent=1))


if __name__ == "__main__":
    main()
