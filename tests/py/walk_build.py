"""Build a random graph through jvspatial 0.2.2's API into a JsonDB at DIR (for the walk tests).

    python walk_build.py DIR SEED CITIES

Cities (Node), directed Highways and bidirectional Railways (Edge subclasses, created with
`Edge.create(source=…, target=…, direction=…)` as `Node.connect` does), a few self-loops, a
separate component, and dangling edges made by low-level `Database.delete` of nodes. Prints
the ids of the nodes that remain, one per line.
"""

import asyncio
import os
import random
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import jvspatial.db.jsondb as jsondb_mod  # noqa: E402
from interop_model import City, Highway, Railway  # noqa: E402
from jvspatial.core import GraphContext, Root  # noqa: E402
from jvspatial.core.context import set_default_context  # noqa: E402
from jvspatial.db.jsondb import JsonDB  # noqa: E402


async def build(out: Path, seed: int, n: int) -> None:
    if jsondb_mod._HAS_ORJSON:
        raise SystemExit("orjson is importable; remove it")
    if out.exists():
        shutil.rmtree(out)
    db = JsonDB(str(out))
    ctx = GraphContext(database=db)
    set_default_context(ctx)
    rng = random.Random(seed)
    root = await Root.get()
    ids = [f"n.City.{i:024x}" for i in range(1, n + 1)]
    for i, cid in enumerate(ids):
        await City.create(id=cid, name=f"City {i}", pop=rng.randint(1, 10**7))
    k = 0

    def eid(kind: str) -> str:
        nonlocal k
        k += 1
        return f"e.{kind}.{k:024x}"

    main = ids[: n - n // 10]  # the last tenth is a separate component
    side = ids[n - n // 10 :]
    for cid in rng.sample(main, 3):
        await Highway.create(id=eid("Highway"), source=root.id, target=cid, direction="out")
    pairs = set()  # one edge per (source, target, class): jvspatial's unique index on SQL/MongoDB
    for part in (main, side):
        for _ in range(len(part) * 2):
            a, b = rng.choice(part), rng.choice(part)
            if a == b or (a, b) in pairs:
                continue
            pairs.add((a, b))
            if rng.random() < 0.6:
                await Highway.create(id=eid("Highway"), source=a, target=b, direction="out", name="h")
            else:
                await Railway.create(id=eid("Railway"), source=a, target=b, direction="both", line="r")
    for cid in rng.sample(main, 3):
        if (cid, cid) in pairs:
            continue
        pairs.add((cid, cid))
        await Highway.create(id=eid("Highway"), source=cid, target=cid, direction="out", name="loop")
    # Dangling edges: nodes deleted below the entity layer.
    gone = rng.sample(main, max(2, n // 40))
    for cid in gone:
        await db.delete("node", cid)
    for cid in [root.id] + [c for c in ids if c not in gone]:
        print(cid)


if __name__ == "__main__":
    asyncio.run(build(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))
