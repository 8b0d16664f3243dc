"""Answer walk questions over a JsonDB directory with networkx (the oracle of tests/walk.rs).

    python walk_oracle.py DIR QUESTIONS_JSON

Reads the node and edge files with `json` (not through jvdb or jvspatial) and builds one
networkx DiGraph per direction by jvspatial's walking rules: an edge joins its top-level
string `source` and `target` when both are nodes; a directed edge goes source -> target, a
bidirectional one (`bidirectional` true or absent) both ways; `in` is the reverse graph and
`both` the undirected one. Questions: a list of
  {"neighbors": START, "depth": D, "direction": DIR, "entity": [E, ...]}  -> {id: depth}
  {"path": [A, B], "max_depth": D, "direction": DIR}                  -> length or null
Prints a JSON list of answers.
"""

import json
import sys
from pathlib import Path

import networkx as nx


def load(d: Path):
    nodes = set()
    for f in (d / "node").glob("*.json"):
        rec = json.loads(f.read_text())
        nodes.add(rec["id"])
    edges = []
    for f in (d / "edge").glob("*.json"):
        rec = json.loads(f.read_text())
        s, t = rec.get("source"), rec.get("target")
        if isinstance(s, str) and isinstance(t, str) and s in nodes and t in nodes:
            edges.append((s, t, bool(rec.get("bidirectional", True)), rec.get("entity")))
    return nodes, edges


def graph(nodes, edges, direction, entities):
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    for s, t, bidi, ent in edges:
        if entities and ent not in entities:
            continue
        pairs = [(s, t), (t, s)] if bidi or direction == "both" else (
            [(s, t)] if direction == "out" else [(t, s)])
        g.add_edges_from(pairs)
    return g


def main():
    nodes, edges = load(Path(sys.argv[1]))
    answers = []
    for q in json.loads(sys.argv[2]):
        g = graph(nodes, edges, q.get("direction", "both"), q.get("entity") or [])
        if "neighbors" in q:
            got = nx.single_source_shortest_path_length(g, q["neighbors"], cutoff=q["depth"])
            got.pop(q["neighbors"], None)
            answers.append(got)
        else:
            a, b = q["path"]
            try:
                n = nx.shortest_path_length(g, a, b)
                answers.append(n if n <= q["max_depth"] else None)
            except nx.NetworkXNoPath:
                answers.append(None)
    print(json.dumps(answers))


main()
