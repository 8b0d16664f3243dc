"""Build examples/legacy-0.0.17/store with the real jvspatial 0.0.17 (nodes carry `edges` arrays).

Run it with a Python that has jvspatial==0.0.17 installed, in a venv of its own, e.g.:
    python3 -m venv /tmp/jv017 && /tmp/jv017/bin/pip install jvspatial==0.0.17
    /tmp/jv017/bin/python examples/legacy-0.0.17/make_legacy_store.py examples/legacy-0.0.17/store
Ids are passed explicitly so re-running gives the same files byte for byte.
"""

import asyncio
import os
import shutil
import sys
from pathlib import Path

import jvspatial
from jvspatial.core import Edge, GraphContext, Node, Object, Root
from jvspatial.core.context import set_default_context
from jvspatial.db.jsondb import JsonDB


class City(Node):
    name: str = ""
    population: int = 0


class Highway(Edge):
    name: str = ""
    lanes: int = 2


class Config(Object):
    key: str = ""
    value: dict = {}


async def main(out: Path) -> None:
    if jvspatial.__version__ != "0.0.17":
        raise SystemExit(f"needs jvspatial 0.0.17, found {jvspatial.__version__}")
    if out.exists():
        shutil.rmtree(out)
    ctx = GraphContext(database=JsonDB(str(out)))
    set_default_context(ctx)
    root = await Root.get()
    alpha = await City.create(id="n.City.aaaaaaaaaaaaaaaaaaaaaaaa", name="Alpha", population=10)
    beta = await City.create(id="n.City.bbbbbbbbbbbbbbbbbbbbbbbb", name="Beta", population=20)
    gamma = await City.create(id="n.City.cccccccccccccccccccccccc", name="Gamma", population=30)
    await root.connect(alpha, id="e.Edge.000000000000000000000001")
    await alpha.connect(beta, Highway, name="A1", lanes=4, id="e.Highway.000000000000000000000002")
    await beta.connect(gamma, Highway, direction="both", name="B2", id="e.Highway.000000000000000000000003")
    await Config.create(id="o.Config.000000000000000000000004", key="theme", value={"dark": True})
    # one dangling edge: its target node is removed below the entity layer
    await gamma.connect(alpha, Highway, name="C3", id="e.Highway.000000000000000000000005")
    await ctx.database.delete("node", "n.City.cccccccccccccccccccccccc")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: make_legacy_store.py OUT_DIR")
    asyncio.run(main(Path(sys.argv[1])))
