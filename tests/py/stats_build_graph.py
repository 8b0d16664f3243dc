"""Build the `jvdb stats` test graph through jvspatial 0.2.2 into a JsonDB at DIR, then damage it.

    python stats_build_graph.py DIR

Through the entity API: a Root, 40 City nodes with a hub (many edges), Highway and Railway
edges in every direction shape (out, in, both), self-loops, parallel edges, an Object
collection and a walker. Damage by low-level `Database` writes: nodes deleted under their
edges (dangling edges), an island of nodes reachable from no Root (orphans), an edge whose
source is missing, a legacy edge with its endpoints in `context`, a node without `entity`.
Values stay within what every backend keeps as given (no ints past 64 bits, no NaN, no -0.0,
no floats >= 1e16), so the same numbers are expected on every backend after a migrate.
"""

import asyncio
import os
import shutil
import sys
from typing import List

import jvspatial.db.jsondb as jsondb_mod
from jvspatial.core import Edge, GraphContext, Node, Object, Root
from jvspatial.core.context import set_default_context
from jvspatial.db.jsondb import JsonDB


class City(Node):
    name: str = ""
    population: int = 0
    tags: List[str] = []


class Highway(Edge):
    name: str = ""
    lanes: int = 2


class Railway(Edge):
    line: str = ""


class Setting(Object):
    key: str = ""
    value: float = 0.0


def cid(i: int) -> str:
    return f"n.City.{i:024x}"


async def build(out: str) -> None:
    if jsondb_mod._HAS_ORJSON:
        raise SystemExit("orjson is importable: JsonDB would not use the stdlib encoder")
    if os.path.exists(out):
        shutil.rmtree(out)
    db = JsonDB(out)
    ctx = GraphContext(database=db)
    set_default_context(ctx)
    root = await Root.get()
    cities = [await City.create(id=cid(i), name=f"City {i}", population=1000 * i, tags=["t"] * (i % 3)) for i in range(40)]
    n = 0

    def eid(kind: str) -> str:
        nonlocal n
        n += 1
        return f"e.{kind}.{n:024x}"

    for i in range(0, 40, 4):
        await root.connect(cities[i], id=eid("Edge"))
    hub = cities[0]
    for i in range(1, 25):
        await hub.connect(cities[i], Highway, direction=("out", "in", "both")[i % 3], name=f"hub-{i}", lanes=i % 5, id=eid("Highway"))
    for i in range(1, 39):
        await cities[i].connect(cities[i + 1], Railway, direction="both" if i % 4 == 0 else "out", line=f"R{i}", id=eid("Railway"))
    # parallel edges (of two entities: the SQL and MongoDB unique indexes on source, target,
    # entity take no exact duplicates) and self-loops through the entity layer
    await ctx.save(Highway(source=cities[5].id, target=cities[6].id, name="parallel", id=eid("Highway")))
    await ctx.save(Edge(source=cities[5].id, target=cities[6].id, id=eid("Edge")))
    await ctx.save(Highway(source=cities[7].id, target=cities[7].id, name="loop", id=eid("Highway")))
    await ctx.save(Railway(source=cities[8].id, target=cities[8].id, bidirectional=True, line="loop both", id=eid("Railway")))
    await Setting.create(id="o.Setting.000000000000000000000001", key="a", value=1.5)
    await Setting.create(id="o.Setting.000000000000000000000002", key="b", value=2.25)
    # damage, below the entity layer
    # 1. nodes deleted under their edges: dangling edges (one of them a self-loop)
    for i in (9, 10, 23):
        await db.delete("node", cid(i))
    await ctx.save(Highway(source=cities[23].id, target=cities[23].id, name="dangling loop", id=eid("Highway")))
    # 2. an island: three nodes linked to each other, reachable from no Root
    for i in range(100, 103):
        await db.save("node", {"id": cid(i), "entity": "City", "context": {"name": f"Island {i} ü", "population": i, "tags": []}})
    await db.save("edge", {"id": eid("Highway"), "entity": "Highway", "source": cid(100), "target": cid(101), "bidirectional": False, "context": {"name": "island", "lanes": 1}})
    await db.save("edge", {"id": eid("Highway"), "entity": "Highway", "source": cid(102), "target": cid(101), "bidirectional": True, "context": {"name": "island both", "lanes": 1}})
    # 3. a lone orphan without entity, and an edge without a source
    await db.save("node", {"id": "n.City.noentity00000000000000", "context": {"name": "no entity"}})
    await db.save("edge", {"id": eid("Edge"), "entity": "Edge", "target": cid(1), "bidirectional": False, "context": {}})
    # 4. a legacy edge: endpoints in context
    await db.save("edge", {"id": eid("Railway"), "entity": "Railway", "context": {"source": cid(2), "target": cid(3), "bidirectional": True, "line": "legacy"}})


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: stats_build_graph.py DIR")
    asyncio.run(build(sys.argv[1]))
