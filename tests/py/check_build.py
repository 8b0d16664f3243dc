"""Build a graph through jvspatial 0.2.2's API, damage it with low-level writes, and say what
`jvdb check` must find: for tests/check.rs.

    python check_build.py BACKEND MODE LOCATION [NAME]

BACKEND: json (LOCATION = directory), sqlite (LOCATION = file), postgres (LOCATION = DSN,
NAME = schema), mongodb (LOCATION = URI, NAME = database).
MODE:
  clean    a valid graph made through the entity API only
  damaged  the same graph, then one instance of every damage the backend can hold
  values   JSON only: records holding NaN, Infinity, \\u0000, a lone surrogate and 2**70

Prints one JSON object: {"expected": [[kind, collection, id], ...] (the findings every damage
must produce), "validate_graph": {"dangling": [...], "orphans": [...]}} where the last are
jvspatial's own `validate_graph` report on the damaged store.
"""

import asyncio
import json
import os
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from interop_model import City, Config, Highway, Railway  # noqa: E402
from jvspatial.core import GraphContext, Root  # noqa: E402
from jvspatial.core.context import set_default_context  # noqa: E402
from jvspatial.core.validate import validate_graph  # noqa: E402


def cid(i: int) -> str:
    return f"n.City.{i:024x}"


def open_db(backend: str, loc: str, name: str):
    if backend == "json":
        from jvspatial.db.jsondb import JsonDB

        return JsonDB(loc)
    if backend == "sqlite":
        from jvspatial.db.sqlite import SQLiteDB

        return SQLiteDB(loc)
    if backend == "postgres":
        from jvspatial.db.postgres import PostgresDB

        return PostgresDB(loc, schema_name=name)
    if backend == "mongodb":
        from jvspatial.db.factory import create_database

        return create_database("mongodb", uri=loc, db_name=name)
    raise SystemExit(f"unknown backend {backend}")


async def graph(db):
    ctx = GraphContext(database=db)
    set_default_context(ctx)
    root = await Root.get()
    c = [await City.create(id=cid(i), name=f"c{i}", pop=i) for i in range(1, 9)]
    await root.connect(c[0], id="e.Edge.000000000000000000000001")
    await c[0].connect(c[1], Highway, name="1-2", id="e.Highway.000000000000000000000002")
    await c[1].connect(c[2], Railway, line="2-3", id="e.Railway.000000000000000000000003")
    await c[2].connect(c[3], Highway, name="3-4", id="e.Highway.000000000000000000000004")
    await c[3].connect(c[4], Highway, name="4-5", id="e.Highway.000000000000000000000005")
    # c7 and c8 know only each other: orphans.
    await c[6].connect(c[7], Highway, name="7-8", id="e.Highway.000000000000000000000006")
    await Config.create(id="o.Config.000000000000000000000001", key="k")
    return ctx, root, c


async def raw_object(backend: str, db, loc: str, name: str, rid: str, data: str) -> None:
    """A record of collection `object` written below jvspatial's API: `rid` names it, `data`
    is its stored text (which need not hold an id, nor parse)."""
    if backend == "json":
        Path(loc, "object", f"{rid}.json").write_text(data)
    elif backend == "sqlite":
        con = sqlite3.connect(loc)
        con.execute("INSERT INTO records (collection, id, data) VALUES ('object', ?, ?)", (rid, data))
        con.commit()
        con.close()
    elif backend == "postgres":
        import asyncpg

        con = await asyncpg.connect(loc)
        await con.execute(
            f"INSERT INTO {name}.object (id, entity, data) VALUES ($1, '', $2::jsonb)", rid, data
        )
        await con.close()
    elif backend == "mongodb":
        from pymongo import MongoClient

        doc = json.loads(data)
        doc["_id"] = rid
        MongoClient(loc)[name]["object"].insert_one(doc)


async def damage(backend: str, db, loc: str, name: str, c) -> list:
    exp = []
    # dangling: a node deleted below the API (its two edges stay)
    await db.delete("node", c[3].id)
    exp += [["dangling_edge", "edge", "e.Highway.000000000000000000000004"],
            ["dangling_edge", "edge", "e.Highway.000000000000000000000005"],
            ["orphan_node", "node", c[4].id]]
    # c6 has no edge, c7 and c8 only their own
    exp += [["orphan_node", "node", c[i].id] for i in (5, 6, 7)]
    # a legacy node `edges` array (connected, so not an orphan)
    await db.save("node", {"id": cid(20), "entity": "City", "context": {"name": "legacy"},
                           "edges": ["e.Edge.000000000000000000000020"]})
    await db.save("edge", {"id": "e.Edge.000000000000000000000020", "entity": "Edge", "context": {},
                           "source": c[0].id, "target": cid(20), "bidirectional": True})
    exp.append(["legacy_edges_array", "node", cid(20)])
    # a record without entity, one whose id prefix is another collection's, one whose class
    # is not its entity (both nodes, connected to the graph)
    await db.save("object", {"id": "o.Config.000000000000000000000002", "context": {"key": "x"}})
    exp.append(["missing_entity", "object", "o.Config.000000000000000000000002"])
    await db.save("node", {"id": "e.City.000000000000000000000021", "entity": "City", "context": {}})
    await db.save("node", {"id": "n.Town.000000000000000000000022", "entity": "City", "context": {}})
    for i, t in ((21, "e.City.000000000000000000000021"), (22, "n.Town.000000000000000000000022")):
        await db.save("edge", {"id": f"e.Edge.{i:024x}", "entity": "Edge", "context": {},
                               "source": c[0].id, "target": t, "bidirectional": True})
    exp.append(["entity_mismatch", "node", "e.City.000000000000000000000021"])
    exp.append(["entity_mismatch", "node", "n.Town.000000000000000000000022"])
    # a record without an id, and one that cannot be read, below the API
    await raw_object(backend, db, loc, name, "o.Config.000000000000000000000003",
                     json.dumps({"entity": "Config", "context": {"key": "no id"}}))
    noid = "o.Config.000000000000000000000003" if backend == "json" else ""
    exp.append(["missing_id", "object", noid])
    if backend == "json":
        await raw_object(backend, db, loc, name, "o.Config.000000000000000000000004", "{not json")
        exp.append(["unreadable", "object", "o.Config.000000000000000000000004"])
    elif backend in ("sqlite", "postgres"):
        # valid JSON that is not an object (SQLite's json_extract indexes refuse bad JSON)
        await raw_object(backend, db, loc, name, "o.Config.000000000000000000000004", "[1, 2]")
        exp.append(["unreadable", "object", "o.Config.000000000000000000000004"])
    if backend == "json":
        # duplicate edge (the unique index of the other backends refuses it)
        dup = json.loads(Path(loc, "edge", "e.Highway.000000000000000000000002.json").read_text())
        dup["id"] = "e.Highway.000000000000000000000099"
        await db.save("edge", dup)
        exp.append(["duplicate_edge", "edge", "e.Highway.000000000000000000000099"])
        # a file not named after its id: jvspatial's get misses it, its find reads it
        os.rename(Path(loc, "node", f"{c[1].id}.json"), Path(loc, "node", "renamed.json"))
        exp.append(["file_name_mismatch", "node", c[1].id])
    return exp


async def main() -> None:
    backend, mode, loc = sys.argv[1:4]
    name = sys.argv[4] if len(sys.argv) > 4 else ""
    db = open_db(backend, loc, name)
    ctx, root, c = await graph(db)
    exp = []
    if mode == "damaged":
        exp = await damage(backend, db, loc, name, c)
    elif mode == "values":
        assert backend == "json"
        await City.create(id=cid(30), name="nan", pop=float("nan"))
        await City.create(id=cid(31), name="inf", pop=float("inf"))
        await City.create(id=cid(32), name="a\x00b", pop=1)
        await City.create(id=cid(33), name="big", pop=2**70)
        # jvspatial's entity API writes a lone surrogate as "?": saved below it
        await db.save("node", {"id": cid(34), "entity": "City", "context": {"name": "\ud800"}})
        for i in range(30, 35):
            await root.connect(await City.get(cid(i)), id=f"e.Edge.{i:024x}")
        exp = [["nan_infinity", "node", cid(30)], ["nan_infinity", "node", cid(31)],
               ["nul_character", "node", cid(32)], ["lone_surrogate", "node", cid(34)],
               ["int_beyond_64_bits", "node", cid(33)], ["lone_surrogate", "node", cid(34)]]
    rep = await validate_graph(context=GraphContext(database=open_db(backend, loc, name)))
    if mode == "damaged" and backend == "json":
        # A jvspatial process deletes other processes' temp files when it opens a store:
        # made last, after validate_graph's JsonDB. Pid 2**22+1 is above Linux's pid_max.
        Path(loc, "node", f"{c[0].id}.json.4194305.0123456789ab.jvtmp").write_text("{")
        exp.append(["stale_temp_file", "node", f"{c[0].id}.json.4194305.0123456789ab.jvtmp"])
    print(json.dumps({
        "expected": exp,
        "validate_graph": {"dangling": sorted(rep.dangling_edge_ids),
                           "orphans": sorted(rep.orphan_node_ids)},
    }))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except BaseException:
        import traceback

        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)
    sys.stdout.flush()
    # aiosqlite's worker thread would keep the process alive.
    os._exit(0)
