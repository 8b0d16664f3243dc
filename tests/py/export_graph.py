"""Oracles for tests/export.rs (`jvdb export`), all real tools: jvspatial 0.2.2 and networkx.

    python export_graph.py build DIR OUT   build a graph through jvspatial's API into a JsonDB
                                           at DIR (awkward names and ids); write jvspatial's own
                                           export_graph(format="dot"|"mermaid") to OUT/jv.dot
                                           and OUT/jv.mmd
    python export_graph.py nx FORMAT FILE  read FILE with networkx read_graphml / read_gexf;
                                           print a JSON summary (counts, every attribute with
                                           its Python type)
    python export_graph.py bfs DIR START DEPTH DIRECTION
                                           networkx's breadth-first neighbourhood over the JSON
                                           files of DIR (every edge, as validate_graph reads
                                           them); print the sorted node ids
    python export_graph.py svg FILE        parse FILE as XML (SVG); print the node and edge
                                           counts of Graphviz's groups and every <text>
"""

import asyncio
import json
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, List


def cid(i: int) -> str:
    return f"n.City.{i:024x}"


# Names that each format must escape in its own way.
AWKWARD = [
    'Quote "q" city',
    "Back\\slash town",
    "Zürich 東京 😀",
    "a<b>&c",
    "two\nlines",
    "tab\there",
    "apos ' city",
    "#quot; hash `tick`",
    "brackets [x] {y} (z) |pipe|",
]


async def build(out: Path, oracle_dir: Path) -> None:
    # The entity layer would fold text to ASCII: keep the names as given.
    os.environ["JVSPATIAL_TEXT_NORMALIZATION_ENABLED"] = "false"
    from jvspatial.core import Edge, GraphContext, Node, Root
    from jvspatial.core.context import set_default_context
    from jvspatial.db.jsondb import JsonDB

    class City(Node):
        name: str = ""
        population: int = 0
        area: float = 0.0
        capital: bool = False
        tags: List[str] = []
        note: Any = None

    class Highway(Edge):
        name: str = ""
        lanes: int = 2

    class Railway(Edge):
        line: str = ""

    db = JsonDB(str(out))
    ctx = GraphContext(database=db)
    set_default_context(ctx)
    root = await Root.get()
    cities = []
    for i, name in enumerate(AWKWARD, start=1):
        cities.append(
            await City.create(
                id=cid(i),
                name=name,
                population=1000 * i,
                area=1.5 * i,
                capital=i % 2 == 0,
                tags=[f"t{i}", "x"],
                # mixed types on purpose: int, string, float -> string in GraphML/GEXF
                note=[7, "seven", 7.5][i % 3],
            )
        )
    # Awkward ids, through the API too.
    odd_ids = ["n.City.Zürich-東京", 'n.City.with"quote', "n.City.new\nline", "n.City.a b&<c>"]
    for j, nid in enumerate(odd_ids):
        cities.append(await City.create(id=nid, name=f"odd {j}", population=j, area=float(j)))
    c = cities
    await root.connect(c[0])
    await root.connect(c[1])
    await c[0].connect(c[1], Highway, name="A1", lanes=4)
    await c[1].connect(c[2], Highway, direction="both", name="B2")
    await c[2].connect(c[3], Railway, line="R3")
    await c[3].connect(c[4], Railway, direction="both", line="R4")
    await c[4].connect(c[5])
    await c[5].connect(c[6], Highway, name="H6")
    await c[6].connect(c[7], Railway, line="R7")
    await c[7].connect(c[8], Highway, direction="both", name="H8")
    await c[8].connect(c[9])
    await c[9].connect(c[10], Railway, line="R10")
    await c[10].connect(c[11], Highway, name="H11")
    await c[11].connect(c[12])
    await c[12].connect(c[0], Railway, line="R12")
    await c[3].connect(c[3], Highway, name="loop")  # a self-loop
    oracle_dir.mkdir(parents=True, exist_ok=True)
    (oracle_dir / "jv.dot").write_text(await ctx.export_graph(format="dot"), encoding="utf-8")
    (oracle_dir / "jv.mmd").write_text(await ctx.export_graph(format="mermaid"), encoding="utf-8")


def typed(v: Any) -> list:
    return [type(v).__name__, v]


def nx_summary(fmt: str, path: str) -> dict:
    import networkx as nx

    g = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    return {
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "directed": g.is_directed(),
        "node_attrs": {n: {k: typed(v) for k, v in d.items()} for n, d in g.nodes(data=True)},
        "edge_attrs": [
            [u, v, {k: typed(x) for k, x in d.items()}] for u, v, d in g.edges(data=True)
        ],
    }


def bfs(store: str, start: str, depth: int, direction: str) -> list:
    import networkx as nx

    g = nx.MultiDiGraph()
    nodes = set()
    for f in (Path(store) / "node").glob("*.json"):
        nodes.add(json.loads(f.read_text(encoding="utf-8"))["id"])
    g.add_nodes_from(nodes)
    for f in (Path(store) / "edge").glob("*.json"):
        e = json.loads(f.read_text(encoding="utf-8"))
        s, t = e.get("source"), e.get("target")
        if s in nodes and t in nodes:
            g.add_edge(s, t)
            if e.get("bidirectional"):
                g.add_edge(t, s)
    if direction == "both":
        g = g.to_undirected(as_view=True)
    elif direction == "in":
        g = g.reverse(copy=False)
    return sorted(nx.single_source_shortest_path_length(g, start, cutoff=depth))


def svg(path: str) -> dict:
    ns = "{http://www.w3.org/2000/svg}"
    root = ET.parse(path).getroot()
    groups = [g.get("class") for g in root.iter(f"{ns}g")]
    return {
        "root": root.tag,
        "nodes": groups.count("node"),
        "edges": groups.count("edge"),
        "texts": [t.text or "" for t in root.iter(f"{ns}text")],
    }


def main() -> None:
    cmd = sys.argv[1]
    if cmd == "build":
        asyncio.run(build(Path(sys.argv[2]), Path(sys.argv[3])))
    elif cmd == "nx":
        print(json.dumps(nx_summary(sys.argv[2], sys.argv[3]), ensure_ascii=False))
    elif cmd == "bfs":
        print(json.dumps(bfs(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]), ensure_ascii=False))
    elif cmd == "svg":
        print(json.dumps(svg(sys.argv[2]), ensure_ascii=False))
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
