"""Drive jvspatial 0.2.2's own MongoDB backend for tests/mongo.rs (never copies its code).

usage:
  mongo_interop.py write URI DB   # build a graph through jvspatial into DB; print the dump
  mongo_interop.py read URI DB    # read DB through jvspatial (Database and entity API); print the dump

The dump is {collection: [records sorted by id]} as jvspatial's `Database.find` returns them,
with the `_id` storage detail removed where it equals `id` (what jvdb shows). `read` also
checks, through the entity API, that every City loads with its stored fields (`City.get`) and
that `Node.edges(direction="out")` returns exactly the stored edges whose source is that node;
any difference exits non-zero.
"""

import asyncio
import json
import math
import sys

from jvspatial.core import Edge, GraphContext, Node, Object, Root
from jvspatial.core.context import set_default_context
from jvspatial.db.factory import create_database
from pymongo import MongoClient
from typing import Any


class City(Node):
    name: Any = None
    pop: Any = None
    ratio: Any = None
    tags: Any = None
    meta: Any = None


class Highway(Edge):
    name: str = ""
    lanes: int = 2


class Config(Object):
    key: str = ""
    value: Any = None


def cid(i: int) -> str:
    return f"n.City.{i:024x}"


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


async def dump(db, uri: str, name: str) -> dict:
    client = MongoClient(uri, serverSelectionTimeoutMS=5000)
    try:
        colls = sorted(c for c in client[name].list_collection_names() if not c.startswith("system."))
    finally:
        client.close()
    out = {}
    for c in colls:
        rows = await db.find(c, {})
        recs = []
        for r in rows:
            r = dict(r)
            if r.get("_id") == r.get("id"):
                del r["_id"]
            recs.append(r)
        recs.sort(key=lambda r: r["id"])
        out[c] = recs
    return out


async def write(uri: str, name: str) -> dict:
    db = create_database("mongodb", uri=uri, db_name=name)
    ctx = GraphContext(database=db)
    set_default_context(ctx)
    root = await Root.get()
    specs = [
        dict(name="Alpha", pop=10, ratio=1e16, tags=["a", "b"], meta={"geo": {"lat": -23.55, "lon": 46.6}, "z": []}),
        dict(name="Beta", pop=2**31 - 1, ratio=1e-7, tags=[], meta={}),
        dict(name="Gamma", pop=2**31, ratio=-0.0, tags=[1, 2.5, None, True, "x", [], {}], meta={"deep": {"deeper": [{"k": 1}]}}),
        dict(name="Delta", pop=-(2**31) - 1, ratio=5e-324, tags=None, meta=None),
        dict(name="Epsilon", pop=2**63 - 1, ratio=100.0, tags=["z"], meta={"b": 1, "a": 2}),
    ]
    cities = [await City.create(id=cid(i), **s) for i, s in enumerate(specs, start=1)]
    a, b, g, d, e = cities
    await root.connect(a)
    await a.connect(b, Highway, name="A-B", lanes=4)
    await b.connect(g, Highway, direction="both", name="B-G")
    await g.connect(d, Highway, name="G-D")
    await d.connect(a, Highway, name="D-A", lanes=1)
    await Config.create(key="settings", value={"theme": "dark", "n": [1, 2, 3]})
    # values the entity layer would fold: through the low-level Database.save
    await db.save("node", {"id": "n.City.unicode0000000000000000", "entity": "City", "context": {
        "name": "Zürich 東京 😀 \u2028 é", "pop": -(2**63), "ratio": 0.5, "tags": ["ü"], "meta": {"ключ": "значение"}}})
    await db.save("node", {"id": "n.City.nonfinite00000000000000000", "entity": "City", "context": {
        "name": "NaN town", "pop": 2, "ratio": float("nan"), "tags": [float("inf"), float("-inf")], "meta": {"x": 1.5}}})
    return await dump(db, uri, name)


async def read(uri: str, name: str) -> dict:
    db = create_database("mongodb", uri=uri, db_name=name)
    ctx = GraphContext(database=db)
    set_default_context(ctx)
    out = await dump(db, uri, name)
    problems = []
    for r in out.get("node", []):
        got = await db.get("node", r["id"])
        if got is None:
            problems.append(f"get node {r['id']}: missing")
            continue
        got = dict(got)
        if got.pop("_id", None) != r["id"]:
            problems.append(f"get node {r['id']}: _id is not the id")
        if not same(got, r):
            problems.append(f"get node {r['id']}: {got!r} != {r!r}")
        if r.get("entity") != "City":
            continue
        city = await City.get(r["id"])
        if city is None:
            problems.append(f"City.get({r['id']}) is None")
            continue
        for k, v in r["context"].items():
            if not same(getattr(city, k), v):
                problems.append(f"City.get({r['id']}).{k} = {getattr(city, k)!r}, stored {v!r}")
        want = sorted(x["id"] for x in out.get("edge", []) if x["source"] == r["id"])
        got_edges = sorted(x.id for x in await city.edges(direction="out"))
        if got_edges != want:
            problems.append(f"edges out of {r['id']}: {got_edges} != {want}")
    for x in out.get("edge", []):
        edge = await Edge.get(x["id"])
        if edge is None or edge.source != x["source"] or edge.target != x["target"]:
            problems.append(f"Edge.get({x['id']}) = {edge!r}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        raise SystemExit(1)
    return out


def main() -> int:
    mode, uri, name = sys.argv[1:4]
    if mode == "write":
        out = asyncio.run(write(uri, name))
    elif mode == "read":
        out = asyncio.run(read(uri, name))
    else:
        print(f"unknown mode {mode!r}", file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
