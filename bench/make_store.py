"""Build a benchmark store through jvspatial 0.2.2's own API (GraphContext.save_batch, i.e.
JsonDB.bulk_save_detailed: per-file atomic writes, 32 in parallel).

    python bench/make_store.py CITIES OUT_DIR

What is in it (deterministic: fixed ids, values from random.Random(CITIES)):
  * node: Root + CITIES City nodes (name, country, population, area_km2, is_capital,
          elevation_m, tags, meta{geo{lat,lon}}); then every 50th city is deleted again with
          the low-level `Database.delete("node", id)` (the way an application that bypasses
          the cascade leaves dangling edges).  10,000 cities -> 9,801 nodes.
  * edge: 3 Highway edges per city (to i+1, i+97 and a pseudo-random city; direction out,
          in or both in turn, so a third are bidirectional) and 6 generic edges from Root.
          10,000 cities -> 30,006 edges, ~1,200 of them dangling.

The store is written to OUT_DIR.tmp and renamed to OUT_DIR at the end, so an interrupted
build never looks finished. Prints a JSON summary line.
"""

import asyncio
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

from jvspatial.core import Edge, GraphContext, Node, Root
from jvspatial.core.context import set_default_context
from jvspatial.db.jsondb import JsonDB

COUNTRIES = ["BR", "CH", "JP", "IS", "PL", "CA", "KE", "AU", "AR", "DE", "FR", "IN"]
TAGS = ["metro", "coastal", "historic", "planned", "port", "highland", "lake", "remote"]
BATCH = 5000


class City(Node):
    name: str = ""
    country: str = ""
    population: int = 0
    area_km2: float = 0.0
    is_capital: bool = False
    elevation_m: int = 0
    tags: List[str] = []
    meta: Dict[str, Any] = {}


class Highway(Edge):
    name: str = ""
    distance_km: float = 0.0
    lanes: int = 2
    toll: bool = False


def city_id(i: int) -> str:
    return f"n.City.{i:024x}"


def edge_id(kind: str, i: int) -> str:
    return f"e.{kind}.{i:024x}"


async def build(n: int, out: Path) -> Dict[str, Any]:
    tmp = out.with_name(out.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    rng = random.Random(n)
    ctx = GraphContext(database=JsonDB(str(tmp)))
    set_default_context(ctx)
    db = ctx.database
    t0 = time.monotonic()

    pending: List[Any] = []

    async def flush(force: bool = False) -> None:
        if pending and (force or len(pending) >= BATCH):
            saved = await ctx.save_batch(pending)
            if len(saved) != len(pending):
                raise SystemExit(f"save_batch saved {len(saved)} of {len(pending)}")
            pending.clear()

    root = await Root.get()
    for i in range(n):
        pending.append(
            City(
                id=city_id(i),
                name=f"City {i}",
                country=COUNTRIES[rng.randrange(len(COUNTRIES))],
                population=rng.randrange(1_000, 20_000_000),
                area_km2=round(rng.uniform(1.0, 9000.0), 2),
                is_capital=rng.random() < 0.02,
                elevation_m=rng.randrange(-50, 4000),
                tags=rng.sample(TAGS, rng.randrange(0, 3)),
                meta={"geo": {"lat": round(rng.uniform(-90, 90), 4), "lon": round(rng.uniform(-180, 180), 4)}},
            )
        )
        await flush()
    await flush(True)

    k = 0
    for i in range(n):
        for j, other in enumerate((i + 1, i + 97, rng.randrange(n))):
            other %= n
            if other == i:
                other = (i + 2) % n
            direction = ("out", "in", "both")[(i + j) % 3]
            # Edge(source=..., target=...) the way Node.connect builds them, minus its scan
            # for existing edges (which makes connect O(edges) per call).
            src, tgt = (city_id(i), city_id(other)) if direction != "in" else (city_id(other), city_id(i))
            k += 1
            pending.append(
                Highway(
                    id=edge_id("Highway", k),
                    source=src,
                    target=tgt,
                    bidirectional=direction == "both",
                    name=f"H{k}",
                    distance_km=round(rng.uniform(1.0, 2000.0), 1),
                    lanes=rng.randrange(1, 7),
                    toll=rng.random() < 0.3,
                )
            )
            await flush()
    for i in range(6):
        k += 1
        pending.append(Edge(id=edge_id("Edge", k), source=root.id, target=city_id(i * 7), bidirectional=False))
    await flush(True)

    deleted = 0
    for i in range(49, n, 50):
        await db.delete("node", city_id(i))
        deleted += 1

    counts = {c: await db.count(c) for c in ("node", "edge")}
    if out.exists():
        shutil.rmtree(out)
    os.rename(tmp, out)
    return {
        "cities": n,
        "deleted_cities": deleted,
        "nodes": counts["node"],
        "edges": counts["edge"],
        "seconds": round(time.monotonic() - t0, 1),
        "dir": str(out),
    }


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit("usage: make_store.py CITIES OUT_DIR")
    n = int(sys.argv[1])
    out = Path(sys.argv[2]).resolve()
    print(json.dumps(asyncio.run(build(n, out))))


if __name__ == "__main__":
    main()
