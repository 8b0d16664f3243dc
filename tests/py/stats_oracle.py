"""An independent computation of `jvdb stats --format json` from a JsonDB directory's files.

    python stats_oracle.py DIR [TOP] [NODE_COLL] [EDGE_COLL]

Reads every `<collection>/*.json` with the standard `json` module (no jvdb, no jvspatial) and
prints the `stats` document (without `store`) as JSON. Rules, written from jvspatial 0.2.2's
`validate_graph` and the definitions in jvdb's README ("Store statistics"):
bytes = len(json.dumps(record, indent=2)); degrees over non-dangling edges as stored;
nearest-rank percentiles; log2 histogram of total degree; top N by total degree, ties by id.
"""

import json
import math
import os
import sys


def load(d):
    out = []
    if not os.path.isdir(d):
        return out
    for name in sorted(os.listdir(d)):
        if name.endswith(".json"):
            with open(os.path.join(d, name), "rb") as f:
                out.append(json.loads(f.read()))
    return out


def entity(r):
    e = r.get("entity")
    return None if e is None else str(e)


def payload(e):
    if "source" in e or "target" in e:
        return e
    c = e.get("context")
    return c if isinstance(c, dict) else {}


def nearest(vals, p):
    n = len(vals)
    return vals[max(1, math.ceil(p * n / 100)) - 1]


def summary(vals):
    if not vals:
        return {k: None for k in ("min", "p50", "p90", "p99", "max", "mean")}
    v = sorted(vals)
    return {"min": v[0], "p50": nearest(v, 50), "p90": nearest(v, 90), "p99": nearest(v, 99), "max": v[-1], "mean": sum(v) / len(v)}


def ekey(e):
    return (e is not None, e or "")


def disk_usage(d):
    st = [os.lstat(os.path.join(d, f)) for f in os.listdir(d)]
    st = [s for s in st if (s.st_mode & 0o170000) == 0o100000]
    return {"files": len(st), "bytes": sum(s.st_size for s in st), "allocated_bytes": sum(s.st_blocks * 512 for s in st)}


def compute(data, top=10, nc="node", ec="edge", disk=None):
    """The stats document (without `store`) of `data` = {collection: [record, ...]};
    `disk` = {collection: usage} or None (a store not kept in files)."""
    colls = sorted(data)
    collections = []
    for c in colls:
        ents = {}
        for r in data[c]:
            ents[entity(r)] = ents.get(entity(r), 0) + 1
        collections.append({
            "name": c,
            "count": len(data[c]),
            "unreadable": 0,
            "bytes": sum(len(json.dumps(r, indent=2)) for r in data[c]),
            "entities": [{"entity": e, "count": ents[e]} for e in sorted(ents, key=ekey)],
            "disk": disk[c] if disk is not None else None,
        })
    nodes = data.get(nc, [])
    edges = data.get(ec, [])
    ids = sorted({str(n["id"]) for n in nodes if n.get("id") is not None})
    ent_of = {}
    for n in nodes:
        if n.get("id") is not None:
            ent_of.setdefault(str(n["id"]), entity(n))
    roots = [str(n["id"]) for n in nodes if n.get("id") is not None and str(n.get("entity")).lower() == "root"]
    idset = set(ids)
    indeg = {i: 0 for i in ids}
    outdeg = {i: 0 for i in ids}
    adj = {i: set() for i in ids}
    dangling = set()
    by = {}
    bidi = loops = 0
    for e in edges:
        p = payload(e)
        s, t = p.get("source"), p.get("target")
        b = bool(p.get("bidirectional"))
        loop = s is not None and t is not None and str(s) == str(t)
        ok = s is not None and t is not None and str(s) in idset and str(t) in idset
        x = by.setdefault(entity(e), {"count": 0, "bidirectional": 0, "self_loops": 0, "dangling": 0})
        x["count"] += 1
        x["bidirectional"] += b
        x["self_loops"] += loop
        bidi += b
        loops += loop
        if ok:
            outdeg[str(s)] += 1
            indeg[str(t)] += 1
            adj[str(s)].add(str(t))
            adj[str(t)].add(str(s))
        else:
            x["dangling"] += 1
            dangling.add(str(e.get("id", "")))
    # orphans: BFS from the Roots over non-dangling edges, both ways
    seen = set(r for r in roots)
    todo = list(seen)
    while todo:
        v = todo.pop()
        for w in adj[v]:
            if w not in seen:
                seen.add(w)
                todo.append(w)
    orphans = [i for i in ids if i not in seen] if roots else []
    totals = {i: indeg[i] + outdeg[i] for i in ids}
    hist = []
    if ids:
        mx = max(totals.values())
        nb = 0 if mx == 0 else mx.bit_length()
        for b in range(nb + 1):
            lo, hi = (0, 0) if b == 0 else (2 ** (b - 1), 2 ** b - 1)
            hist.append({"from": lo, "to": hi, "nodes": sum(1 for v in totals.values() if lo <= v <= hi)})
    ranked = sorted(ids, key=lambda i: (-totals[i], i.encode("utf-8", "surrogatepass")))[:top]
    graph = {
        "node_collection": nc,
        "edge_collection": ec,
        "nodes": len(ids),
        "roots": len(roots),
        "edges": len(edges),
        "bidirectional": bidi,
        "directed": len(edges) - bidi,
        "self_loops": loops,
        "dangling": len(dangling),
        "orphans": len(orphans),
        "edges_by_entity": [dict(entity=k, count=by[k]["count"], bidirectional=by[k]["bidirectional"], directed=by[k]["count"] - by[k]["bidirectional"], self_loops=by[k]["self_loops"], dangling=by[k]["dangling"]) for k in sorted(by, key=ekey)],
        "degree": {"in": summary(list(indeg.values())), "out": summary(list(outdeg.values())), "total": summary(list(totals.values()))},
        "histogram": hist,
        "top": [{"id": i, "entity": ent_of.get(i), "in": indeg[i], "out": outdeg[i], "total": totals[i]} for i in ranked],
    }
    total = None
    if disk is not None and collections:
        total = {k: sum(c["disk"][k] for c in collections) for k in ("files", "bytes", "allocated_bytes")}
    return {"collections": collections, "graph": graph, "disk": total}


def main():
    base = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    nc = sys.argv[3] if len(sys.argv) > 3 else "node"
    ec = sys.argv[4] if len(sys.argv) > 4 else "edge"
    colls = sorted(p for p in os.listdir(base) if os.path.isdir(os.path.join(base, p)))
    data = {c: load(os.path.join(base, c)) for c in colls}
    disk = {c: disk_usage(os.path.join(base, c)) for c in colls}
    print(json.dumps(compute(data, top, nc, ec, disk), indent=2))


if __name__ == "__main__":
    main()
