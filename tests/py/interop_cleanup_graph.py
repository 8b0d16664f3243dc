"""Build a graph with dangling edges through jvspatial 0.2.2, for `jvdb cleanup` interop tests.

    python interop_cleanup_graph.py DIR MODE

MODE:
  full         every dangling shape validate_graph knows: missing source, missing target, both,
               null source, no endpoints, empty-string source, a legacy edge with source/target only
               in `context` (one dangling, one valid), an edge whose target is an Object id (exists,
               but not in `node`), plus valid edges of every direction and two orphan nodes
  three        a valid graph plus exactly three dangling edges
  no-nodes     edges only: the node collection directory does not exist
  empty-nodes  edges, and an empty node collection directory
"""

import asyncio
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from interop_model import City, Config, Highway, Railway  # noqa: E402
from jvspatial.core import GraphContext, Root  # noqa: E402
from jvspatial.core.context import set_default_context  # noqa: E402
from jvspatial.db.jsondb import JsonDB  # noqa: E402


async def base_graph(db: JsonDB):
    ctx = GraphContext(database=db)
    set_default_context(ctx)
    root = await Root.get()
    cities = [await City.create(id=f"n.City.{i:024x}", name=f"c{i}", pop=i) for i in range(1, 8)]
    c1, c2, c3, c4, c5, c6, c7 = cities
    await root.connect(c1, id="e.Edge.000000000000000000000001")
    await c1.connect(c2, Highway, name="out", id="e.Highway.000000000000000000000002")
    await c2.connect(c3, Highway, direction="in", name="in", id="e.Highway.000000000000000000000003")
    await c3.connect(c4, Railway, direction="both", line="both", id="e.Railway.000000000000000000000004")
    await c4.connect(c5, Railway, line="to be cut", id="e.Railway.000000000000000000000005")
    await c6.connect(c7, Highway, name="orphans' own edge", id="e.Highway.000000000000000000000006")
    return ctx, root, cities


async def build(out: Path, mode: str) -> None:
    if out.exists():
        shutil.rmtree(out)
    db = JsonDB(str(out))
    if mode in ("no-nodes", "empty-nodes"):
        for i in range(3):
            await db.save("edge", {"id": f"e.Edge.{i:024x}", "entity": "Edge", "context": {},
                                   "source": f"n.City.{i:024x}", "target": "n.Root.root", "bidirectional": False})
        if mode == "empty-nodes":
            (out / "node").mkdir()
        return
    ctx, root, cities = await base_graph(db)
    c1, c2, c3, c4, c5, c6, c7 = cities
    if mode == "three":
        await c1.connect(c3, Highway, name="x", id="e.Highway.00000000000000000000000a")
        await c2.connect(c4, Highway, name="y", id="e.Highway.00000000000000000000000b")
        await db.delete("node", c3.id)  # cuts 0003, 0004, 000a
        return
    conf = await Config.create(id="o.Config.000000000000000000000001", key="k")
    # missing source / target / both, via low-level deletes
    gone = await City.create(id="n.City.gone00000000000000000001", name="gone")
    gone2 = await City.create(id="n.City.gone00000000000000000002", name="gone too")
    await gone.connect(c1, Highway, name="missing source", id="e.Highway.dangling0000000000000001")
    await c1.connect(gone2, Railway, line="missing target", id="e.Railway.dangling0000000000000002")
    await gone.connect(gone2, Highway, name="missing both", id="e.Highway.dangling0000000000000003")
    await db.delete("node", gone.id)
    await db.delete("node", gone2.id)
    await db.delete("node", c5.id)  # cuts e.Railway.0005 (target missing)
    # shapes only a low-level writer makes
    await db.save("edge", {"id": "e.Edge.nullsource00000000000001", "entity": "Edge", "context": {},
                           "source": None, "target": c1.id, "bidirectional": False})
    await db.save("edge", {"id": "e.Edge.noendpoints0000000000001", "entity": "Edge", "context": {}})
    await db.save("edge", {"id": "e.Edge.emptysource000000000001", "entity": "Edge", "context": {},
                           "source": "", "target": c1.id, "bidirectional": False})
    await db.save("edge", {"id": "e.Edge.legacyok0000000000000001", "entity": "Edge",
                           "context": {"source": c1.id, "target": c2.id}})
    await db.save("edge", {"id": "e.Edge.legacybad000000000000001", "entity": "Edge",
                           "context": {"source": c1.id, "target": "n.City.nowhere00000000000001"}})
    await db.save("edge", {"id": "e.Edge.toobject00000000000000001", "entity": "Edge", "context": {},
                           "source": c1.id, "target": conf.id, "bidirectional": False})


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[2] not in ("full", "three", "no-nodes", "empty-nodes"):
        raise SystemExit(__doc__)
    asyncio.run(build(Path(sys.argv[1]), sys.argv[2]))


if __name__ == "__main__":
    main()
