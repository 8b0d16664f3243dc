"""Drive jvspatial 0.2.2's real SQLiteDB for tests/sqlite.rs (never copies its code).

usage:
  sqlite_interop.py build DB            # a graph built through jvspatial's API; prints a manifest
  sqlite_interop.py dump DB             # every collection as SQLiteDB reads it: find/get/count
  sqlite_interop.py schema DB           # sqlite_master rows [type, name, tbl_name, sql]
  sqlite_interop.py rows DB             # the raw rows [collection, id, data]
  sqlite_interop.py write DB COLL FILE  # await db.save(coll, rec) for each JSONL line
  sqlite_interop.py lock DB SECONDS     # hold BEGIN IMMEDIATE (a writer) for SECONDS
  sqlite_interop.py walhold DB SECONDS  # SQLiteDB saves a record and stays connected
  sqlite_interop.py query DB COLL QUERY # db.find / db.count with a query (JSON)
"""

import asyncio
import json
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from jvspatial.db.sqlite import SQLiteDB  # noqa: E402


def cid(i: int) -> str:
    return f"n.City.{i:024x}"


async def build(path: str) -> dict:
    from interop_model import City, Config, Highway, Railway, Tourist
    from jvspatial.core import GraphContext, Root
    from jvspatial.core.context import set_default_context
    from jvspatial.core.entities.walker_components.trail_store import DBTrailStore

    db = SQLiteDB(path)
    ctx = GraphContext(database=db)
    set_default_context(ctx)
    root = await Root.get()
    specs = [
        dict(name="Alpha", pop=10, big=2**64 + 1, ratio=1e16, flag=True, nothing=None, tags=["a", "b"], meta={"geo": {"lat": -23.55, "lon": 46.6}, "z": []}),
        dict(name="Sao Paulo", pop=-(2**70), big=-(2**63) - 1, ratio=1e-7, flag=False, nothing=None, tags=[], meta={}),
        dict(name="Gamma", pop=0, big=2**63 - 1, ratio=-0.0, flag=None, nothing=None, tags=[1, 2.5, None, True, "x", [], {}], meta={"deep": {"deeper": {"deepest": [{"k": 1}]}}}),
        dict(name="Delta \"quoted\" \\ back/slash\ttab\nnewline", pop=1, big=0, ratio=5e-324, flag=True, nothing=None, tags=["\u0001"], meta={"": "empty key", "a.b": 1, "$x": 2}),
        dict(name="Epsilon", pop=123456789012345678901234567890, big=1, ratio=1.7976931348623157e308, flag=False, nothing=None, tags=None, meta=None),
        dict(name="Eta", pop=8, big=3, ratio=2.5, flag=False, nothing=None, tags=["to-delete"], meta={}),
    ]
    cities = [await City.create(id=cid(i), **s) for i, s in enumerate(specs, start=1)]
    a, b, g, d, e, eta = cities
    # non-ASCII text below the entity layer (which folds text to ASCII)
    await db.save("node", {"id": "n.City.unicode0000000000000000", "entity": "City", "context": {
        "name": "Zürich 東京 😀 \u2028 é", "pop": 1, "big": 2**65, "ratio": 0.5, "flag": True,
        "nothing": None, "tags": ["ü", "🏙"], "meta": {"ключ": "значение"}}})
    # A lone surrogate below the entity layer. (NaN/Infinity cannot be saved here: every row
    # of `records` is in the json_extract indexes, and the SQLite of this Python (3.40, before
    # JSON5) refuses them with "malformed JSON".)
    await db.save("object", {"id": "o.Thing.lone", "entity": "Thing", "context": {
        "lone": "a\ud800b", "nested": {"k": ["\udfff"]}}})
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
    await ctx.save(Railway(left=e, right=a, line="E-A default both", stops=["x"], id=eid("Railway")))
    await a.connect(eta, Railway, line="A-Eta", id=eid("Railway"))
    await Config.create(id="o.Config.000000000000000000000001", key="theme", value={"dark": True, "n": [1, 2]})
    await Config.create(id="o.Config.000000000000000000000002", key="limits", value={"max": 2**66, "f": 1e-7})
    t = Tourist(id="w.Tourist.000000000000000000000001", budget=50, visited=[a.id, b.id])
    await ctx.save(t)
    trail = DBTrailStore(db)
    await trail.append(t.id, {"node_id": a.id, "edge_id": None})
    # a dangling edge: delete a node below the entity layer
    await db.delete("node", eta.id)
    conn = await db._get_connection()
    cur = await conn.execute("SELECT DISTINCT collection FROM records ORDER BY collection")
    colls = [r[0] for r in await cur.fetchall()]
    manifest = {"collections": {c: [r["id"] for r in await db.find(c, {})] for c in colls}}
    await db.close()
    return manifest


async def dump(path: str) -> dict:
    if not Path(path).exists():
        raise SystemExit(f"no database {path}")
    db = SQLiteDB(path)
    conn = await db._get_connection()
    cur = await conn.execute("SELECT DISTINCT collection FROM records ORDER BY collection")
    colls = [r[0] for r in await cur.fetchall()]
    out = {}
    for c in colls:
        found = await db.find(c, {})
        out[c] = {
            "find": found,
            "get": [await db.get(c, r["id"]) for r in found],
            "count": await db.count(c),
        }
    await db.close()
    return out


async def write(path: str, coll: str, src: str) -> None:
    db = SQLiteDB(path)
    with open(src, "rb") as f:
        for line in f.read().decode("utf-8").splitlines():
            if line.strip():
                await db.save(coll, json.loads(line))
    await db.close()


async def query(path: str, coll: str, q: str) -> dict:
    db = SQLiteDB(path)
    qq = json.loads(q)
    out = {"find": await db.find(coll, qq), "count": await db.count(coll, qq)}
    await db.close()
    return out


def main() -> int:
    mode = sys.argv[1]
    if mode == "build":
        print(json.dumps(asyncio.run(build(sys.argv[2]))))
    elif mode == "dump":
        print(json.dumps(asyncio.run(dump(sys.argv[2]))))
    elif mode == "schema":
        c = sqlite3.connect(sys.argv[2])
        print(json.dumps([list(r) for r in c.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")]))
    elif mode == "rows":
        c = sqlite3.connect(sys.argv[2])
        print(json.dumps([list(r) for r in c.execute("SELECT collection, id, data FROM records ORDER BY collection, id")]))
    elif mode == "write":
        asyncio.run(write(sys.argv[2], sys.argv[3], sys.argv[4]))
    elif mode == "query":
        print(json.dumps(asyncio.run(query(sys.argv[2], sys.argv[3], sys.argv[4]))))
    elif mode == "walhold":
        # jvspatial's SQLiteDB writing one record and staying connected (its WAL not yet
        # checkpointed into the database file)
        async def hold() -> None:
            db = SQLiteDB(sys.argv[2])
            await db.save("node", {"id": "n.Root.root", "entity": "Root", "context": {}})
            print("ready", flush=True)
            await asyncio.sleep(float(sys.argv[3]))
            await db.close()

        asyncio.run(hold())
    elif mode == "lock":
        c = sqlite3.connect(sys.argv[2], isolation_level=None)
        c.execute("BEGIN IMMEDIATE")
        print("locked", flush=True)
        time.sleep(float(sys.argv[3]))
        c.execute("ROLLBACK")
    else:
        print(f"unknown mode {mode!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
