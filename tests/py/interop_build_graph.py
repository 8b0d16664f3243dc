"""Build an interop test graph through jvspatial 0.2.2 into a JsonDB at DIR; print a manifest.

    python interop_build_graph.py DIR

Nodes carry strings, ints beyond 64 bits, floats (1e16, 1e-7, -0.0), bools, nulls, lists and
nested objects through the entity API; non-ASCII text and NaN/Infinity go through the low-level
`Database.save` (the entity layer folds text to ASCII). Edges of several classes in every
direction shape, objects, a walker (collection `w`), walker_trail steps, and dangling edges made
by low-level deletes. The manifest (JSON on stdout) lists every collection and id written.
"""

import asyncio
import json
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import jvspatial.db.jsondb as jsondb_mod  # noqa: E402
from interop_model import City, Config, Highway, Railway, Tourist  # noqa: E402
from jvspatial.core import Edge, GraphContext, Root  # noqa: E402
from jvspatial.core.context import set_default_context  # noqa: E402
from jvspatial.core.entities.walker_components.trail_store import DBTrailStore  # noqa: E402
from jvspatial.db.jsondb import JsonDB  # noqa: E402


def cid(i: int) -> str:
    return f"n.City.{i:024x}"


async def build(out: Path) -> dict:
    if jsondb_mod._HAS_ORJSON:
        raise SystemExit("orjson is importable: JsonDB would not use the stdlib encoder; remove orjson")
    if out.exists():
        shutil.rmtree(out)
    os.environ["JVSPATIAL_TEXT_NORMALIZATION_ENABLED"] = "true"
    db = JsonDB(str(out))
    ctx = GraphContext(database=db)
    set_default_context(ctx)
    root = await Root.get()
    specs = [
        dict(name="Alpha", pop=10, big=2**64 + 1, ratio=1e16, flag=True, nothing=None, tags=["a", "b"], meta={"geo": {"lat": -23.55, "lon": 46.6}, "z": []}),
        dict(name="São Paulo", pop=-(2**70), big=-(2**63) - 1, ratio=1e-7, flag=False, nothing=None, tags=[], meta={}),
        dict(name="Gamma", pop=0, big=2**63 - 1, ratio=-0.0, flag=None, nothing=None, tags=[1, 2.5, None, True, "x", [], {}], meta={"deep": {"deeper": {"deepest": [{"k": 1}]}}}),
        dict(name="Delta \"quoted\" \\ back/slash\ttab\nnewline", pop=1, big=0, ratio=5e-324, flag=True, nothing=None, tags=["\u0001"], meta={"": "empty key", "a.b": 1, "$x": 2}),
        dict(name="Epsilon", pop=123456789012345678901234567890, big=1, ratio=1.7976931348623157e308, flag=False, nothing=None, tags=None, meta=None),
        dict(name="Zeta", pop=7, big=2, ratio=0.1, flag=True, nothing=None, tags=["z"], meta={"n": 100.0}),
        dict(name="Eta", pop=8, big=3, ratio=2.5, flag=False, nothing=None, tags=["to-delete"], meta={}),
        dict(name="Theta", pop=9, big=4, ratio=3.5, flag=False, nothing=None, tags=["to-delete"], meta={}),
        dict(name="Iota (orphan)", pop=11, big=5, ratio=4.5, flag=False, nothing=None, tags=[], meta={}),
    ]
    cities = [await City.create(id=cid(i), **s) for i, s in enumerate(specs, start=1)]
    a, b, g, d, e, z, eta, theta, iota = cities
    # non-ASCII and non-finite floats past the entity layer: low-level saves
    await db.save("node", {"id": "n.City.unicode0000000000000000", "entity": "City", "context": {
        "name": "Zürich 東京 😀 \u2028 é", "pop": 1, "big": 2**65, "ratio": 0.5, "flag": True,
        "nothing": None, "tags": ["ü", "🏙"], "meta": {"ключ": "значение"}}})
    await db.save("node", {"id": "n.City.nonfinite00000000000000000", "entity": "City", "context": {
        "name": "NaN town", "pop": 2, "big": 3, "ratio": float("nan"), "flag": False, "nothing": None,
        "tags": [float("inf"), float("-inf"), float("nan")], "meta": {"x": float("inf")}}})
    await db.save("node", {"id": "weird id: ü € .json", "entity": "City", "context": {"name": "odd id"}})
    n = 0

    def eid(kind: str) -> str:
        nonlocal n
        n += 1
        return f"e.{kind}.{n:024x}"

    await root.connect(a, id=eid("Edge"))                                   # out
    await a.connect(b, Highway, name="A-B", distance_km=1.5, lanes=4, id=eid("Highway"))
    await b.connect(g, Highway, direction="in", name="B-G in", id=eid("Highway"))   # not swapped
    await g.connect(d, Highway, direction="both", name="G-D", id=eid("Highway"))
    await ctx.save(Highway(left=d, right=e, direction="in", name="D-E ctor in", id=eid("Highway")))  # swapped
    await ctx.save(Railway(left=e, right=z, line="E-Z default both", stops=["x"], id=eid("Railway")))
    await z.connect(a, Railway, line="Z-A", id=eid("Railway"))
    await a.connect(eta, Railway, line="A-Eta", id=eid("Railway"))
    await theta.connect(a, Highway, name="Theta-A", id=eid("Highway"))
    await eta.connect(theta, Highway, name="Eta-Theta", id=eid("Highway"))
    await a.connect(await City.get("n.City.unicode0000000000000000") or a, Highway, name="to unicode", id=eid("Highway"))
    await Config.create(id="o.Config.000000000000000000000001", key="theme", value={"dark": True, "n": [1, 2]})
    await Config.create(id="o.Config.000000000000000000000002", key="limits", value={"max": 2**66, "f": 1e-7})
    t = Tourist(id="w.Tourist.000000000000000000000001", budget=50, visited=[a.id, b.id])
    await ctx.save(t)
    trail = DBTrailStore(db)
    await trail.append(t.id, {"node_id": a.id, "edge_id": None})
    await trail.append(t.id, {"node_id": b.id, "edge_id": "e.Highway.000000000000000000000002"})
    # dangling edges: delete two nodes below the entity layer
    await db.delete("node", eta.id)
    await db.delete("node", theta.id)
    manifest = {"base": str(out), "collections": {}}
    for coll in sorted(p.name for p in out.iterdir() if p.is_dir()):
        manifest["collections"][coll] = [r["id"] for r in await db.find(coll, {})]
    return manifest


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: interop_build_graph.py DIR")
    manifest = asyncio.run(build(Path(sys.argv[1])))
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
