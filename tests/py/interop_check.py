"""Oracle side of jvdb's interop tests: reads and checks stores with the real jvspatial 0.2.2.

    interop_check.py list DIR                      lines "<collection>\\t<id>" in JsonDB.find order
    interop_check.py read-check DIR OUT            jvdb's outputs in OUT vs JsonDB (records, order, counts)
    interop_check.py bytes-check DIR               every record file == json.dumps(json.loads(raw), indent=2)
                                                   and == what JsonDB.save writes for that record
    interop_check.py expect DIR SPEC               records present/absent as SPEC says (JsonDB + entity API)
    interop_check.py py-save DIR COLL FILE         save the records of FILE (JSON array) with JsonDB.save
    interop_check.py snapshot DIR SNAP             file hashes + validate_graph report (run on a copy of DIR)
    interop_check.py unchanged DIR SNAP [NEW...]   every file byte-identical to the snapshot, none removed,
                                                   no new files but NEW (paths like node/<id>.json)
    interop_check.py removed DIR SNAP [GONE...]    exactly GONE removed, every other file byte-identical
    interop_check.py incident DIR NODE_ID          ids of the edges touching NODE_ID
    interop_check.py strip DIR                     JsonDB.strip_node_edges() (reference for --upgrade)
    interop_check.py cleanup-check DIR SNAP REPORT dry|applied
                                                   jvdb cleanup's JSON report vs validate_graph, and the files
Exit 0 when everything matches; otherwise every difference on stderr and exit 1.
Imports the installed jvspatial; copies none of its code.
"""

import asyncio
import hashlib
import json
import math
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))

import jvspatial.db.jsondb as jsondb_mod  # noqa: E402
from interop_model import ENTITY_CLASSES  # noqa: E402
from jvspatial.core import Edge, GraphContext, Node  # noqa: E402
from jvspatial.core.context import set_default_context  # noqa: E402
from jvspatial.core.validate import validate_graph  # noqa: E402
from jvspatial.db.jsondb import JsonDB  # noqa: E402

PROBLEMS: List[str] = []


def problem(msg: str) -> None:
    PROBLEMS.append(msg)


def diff(a: Any, b: Any, path: str = "$") -> List[str]:
    """Strict structural comparison: types, key order, floats by repr (NaN, -0.0)."""
    if type(a) is not type(b):
        return [f"{path}: {type(a).__name__} {a!r} != {type(b).__name__} {b!r}"]
    if isinstance(a, float):
        return [] if repr(a) == repr(b) else [f"{path}: {a!r} != {b!r}"]
    if isinstance(a, dict):
        out: List[str] = []
        if list(a.keys()) != list(b.keys()):
            out.append(f"{path}: keys {list(a.keys())} != {list(b.keys())}")
        for k in a:
            if k in b:
                out += diff(a[k], b[k], f"{path}.{k}")
        return out
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: length {len(a)} != {len(b)}: {a!r} != {b!r}"]
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += diff(x, y, f"{path}[{i}]")
        return out
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def collections_of(base: Path) -> List[str]:
    return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []


def record_files(base: Path) -> List[Path]:
    return sorted(f for c in collections_of(base) for f in (base / c).glob("*.json") if f.is_file())


def read_jsonl(path: Path) -> List[Any]:
    text = path.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.split("\n") if line.strip()]


async def cmd_list(base: Path) -> None:
    db = JsonDB(str(base))
    for c in collections_of(base):
        for r in await db.find(c, {}):
            print(f"{c}\t{r['id']}")


async def cmd_read_check(base: Path, out: Path) -> None:
    db = JsonDB(str(base))
    colls = collections_of(base)
    listed = [l for l in (out / "collections.txt").read_text(encoding="utf-8").split("\n") if l]
    if sorted(listed) != colls:
        problem(f"collections: jvdb {sorted(listed)} != directories {colls}")
    for c in colls:
        want = await db.find(c, {})
        got = read_jsonl(out / f"find.{c}.jsonl")
        if [r.get("id") for r in got] != [r.get("id") for r in want]:
            problem(f"find {c}: id order jvdb {[r.get('id') for r in got]} != jvspatial {[r.get('id') for r in want]}")
        by_id = {r.get("id"): r for r in got}
        for r in want:
            if r["id"] in by_id:
                for d in diff(by_id[r["id"]], r):
                    problem(f"find {c}/{r['id']}: {d}")
        n_want = await db.count(c)
        n_got = (out / f"count.{c}.txt").read_text(encoding="utf-8").strip()
        if n_got != str(n_want):
            problem(f"count {c}: jvdb {n_got!r} != jvspatial {n_want}")
        gets = read_jsonl(out / f"get.{c}.jsonl")
        for r, g in zip(want, gets):
            single = await db.get(c, r["id"])
            for d in diff(g, single):
                problem(f"get {c}/{r['id']}: {d}")
        if len(gets) != len(want):
            problem(f"get {c}: {len(gets)} records printed, {len(want)} asked for")


async def cmd_bytes_check(base: Path) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="jvdb-oracle-"))
    try:
        ref = JsonDB(str(tmp))
        for f in record_files(base):
            raw = f.read_bytes()
            rel = f.relative_to(base)
            try:
                rec = json.loads(raw)
            except ValueError as e:
                problem(f"{rel}: not JSON: {e}")
                continue
            canon = json.dumps(rec, indent=2).encode("utf-8")
            if raw != canon:
                problem(f"{rel}: bytes differ from json.dumps(indent=2): {raw[:200]!r} vs {canon[:200]!r}")
            if not isinstance(rec, dict) or rec.get("id") != f.name[: -len(".json")]:
                problem(f"{rel}: inner id {rec.get('id') if isinstance(rec, dict) else None!r} is not the file stem")
                continue
            await ref.save(rel.parts[0], rec)
            mine = (tmp / rel).read_bytes()
            if raw != mine:
                problem(f"{rel}: bytes differ from JsonDB.save's: {raw[:200]!r} vs {mine[:200]!r}")
        left = [str(p.relative_to(base)) for p in base.rglob("*.jvtmp")]
        if left:
            problem(f"temp files left behind: {left}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


async def cmd_expect(base: Path, spec_path: Path) -> None:
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    db = JsonDB(str(base))
    ctx = GraphContext(database=db)
    set_default_context(ctx)
    for c, records in spec.get("present", {}).items():
        for rec in records:
            got = await db.get(c, rec["id"])
            if got is None:
                problem(f"expect {c}/{rec['id']}: JsonDB.get found nothing")
                continue
            for d in diff(got, rec):
                problem(f"expect {c}/{rec['id']}: JsonDB: {d}")
            if not spec.get("entity", True):
                continue
            cls = ENTITY_CLASSES.get(rec.get("entity"))
            if c == "node" and "source" not in rec:
                if await GraphContext(database=db).get(Node, rec["id"]) is None:
                    problem(f"expect {c}/{rec['id']}: Node.get found nothing")
            if c == "edge" and "source" in rec and await GraphContext(database=db).get(Edge, rec["id"]) is None:
                problem(f"expect {c}/{rec['id']}: Edge.get found nothing")
            if cls is None or c not in ("node", "edge", "object") or (c == "edge") != ("source" in rec):
                continue
            ent = await GraphContext(database=db).get(cls, rec["id"])
            if ent is None:
                problem(f"expect {c}/{rec['id']}: {cls.__name__}.get found nothing")
                continue
            for k, v in (rec.get("context") or {}).items():
                if k in cls.model_fields:
                    for d in diff(getattr(ent, k), v, f"{cls.__name__}.{k}"):
                        problem(f"expect {c}/{rec['id']}: entity: {d}")
            if c == "edge":
                for k in ("source", "target", "bidirectional"):
                    if k in rec and getattr(ent, k) != rec[k]:
                        problem(f"expect {c}/{rec['id']}: entity {k} {getattr(ent, k)!r} != {rec[k]!r}")
    for c, ids in spec.get("absent", {}).items():
        for i in ids:
            if await db.get(c, i) is not None:
                problem(f"expect {c}/{i}: should be absent, JsonDB.get found it")
            if (base / c / f"{i}.json").exists():
                problem(f"expect {c}/{i}: should be absent, file exists")
    for c, n in spec.get("counts", {}).items():
        got = await db.count(c)
        if got != n:
            problem(f"expect count {c}: JsonDB.count {got} != {n}")


async def cmd_py_save(base: Path, coll: str, path: Path) -> None:
    db = JsonDB(str(base))
    for rec in json.loads(path.read_text(encoding="utf-8")):
        await db.save(coll, rec)


async def graph_report(base: Path) -> Dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="jvdb-validate-"))
    try:
        copy = tmp / "db"
        if base.exists():
            shutil.copytree(base, copy, symlinks=True)
        else:
            copy.mkdir()
        rep = await validate_graph(context=GraphContext(database=JsonDB(str(copy))))
        return {"dangling": rep.dangling_edge_ids, "orphans": rep.orphan_node_ids}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def file_hashes(base: Path) -> Dict[str, str]:
    if not base.exists():
        return {}
    return {str(p.relative_to(base)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(base.rglob("*")) if p.is_file()}


async def cmd_snapshot(base: Path, snap: Path) -> None:
    snap.write_text(json.dumps({"files": file_hashes(base), "graph": await graph_report(base)}, indent=2))


def compare_files(base: Path, snap: Dict[str, Any], removed: List[str]) -> None:
    now = file_hashes(base)
    before = dict(snap["files"])
    for r in removed:
        if r not in before:
            problem(f"{r}: expected to be removed but it was not in the snapshot")
        before.pop(r, None)
        if r in now:
            problem(f"{r}: should have been deleted, still there")
    for k, h in before.items():
        if k not in now:
            problem(f"{k}: removed, should not have been")
        elif now[k] != h:
            problem(f"{k}: content changed")
    for k in now:
        if k not in snap["files"]:
            problem(f"{k}: new file appeared")


async def cmd_unchanged(base: Path, snap_path: Path, *added: Path) -> None:
    """Every snapshot file byte-identical; new files only those named in ADDED (coll/id.json)."""
    snap = json.loads(snap_path.read_text())
    allowed = {str(a) for a in added}
    now = file_hashes(base)
    for k, h in snap["files"].items():
        if k not in now:
            problem(f"{k}: removed, should not have been")
        elif now[k] != h:
            problem(f"{k}: content changed")
    for k in now:
        if k not in snap["files"] and k not in allowed:
            problem(f"{k}: new file appeared")
    for a in allowed:
        if a not in now:
            problem(f"{a}: expected a new file, none")


async def cmd_removed(base: Path, snap_path: Path, *removed: Path) -> None:
    """Exactly the files REMOVED (coll/id.json) are gone; every other file byte-identical."""
    compare_files(base, json.loads(snap_path.read_text()), [str(r) for r in removed])


async def cmd_incident(base: Path, node_id: str) -> None:
    """Print the ids of edges whose source or target (top level, else context) is NODE_ID."""
    db = JsonDB(str(base))
    for e in await db.find("edge", {}):
        p = e if ("source" in e or "target" in e) else (e.get("context") or {})
        if node_id in (p.get("source"), p.get("target")):
            print(e["id"])


async def cmd_strip(base: Path) -> None:
    """Run jvspatial's own JsonDB.strip_node_edges on DIR (the reference for --upgrade)."""
    print(await JsonDB(str(base)).strip_node_edges())


async def cmd_cleanup_check(base: Path, snap_path: Path, report_path: Path, mode: str) -> None:
    snap = json.loads(snap_path.read_text())
    want = snap["graph"]
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except ValueError as e:
        problem(f"jvdb's report is not JSON: {e}: {report_path.read_text()[:300]!r}")
        return
    got_dangling = report.get("dangling_edges")
    if not isinstance(got_dangling, list) or sorted(got_dangling) != sorted(want["dangling"]):
        problem(f"dangling edges: jvdb {got_dangling} != validate_graph {want['dangling']}")
    if sorted(report.get("orphan_nodes") or []) != sorted(want["orphans"]):
        problem(f"orphan nodes: jvdb {report.get('orphan_nodes')} != validate_graph {want['orphans']}")
    if mode == "dry":
        if report.get("deleted") != 0:
            problem(f"dry run: deleted = {report.get('deleted')!r}, want 0")
        compare_files(base, snap, [])
        return
    if report.get("deleted") != len(want["dangling"]):
        problem(f"deleted = {report.get('deleted')!r}, want {len(want['dangling'])}")
    if "deleted_ids" in report and sorted(report["deleted_ids"]) != sorted(want["dangling"]):
        problem(f"deleted_ids {report['deleted_ids']} != {want['dangling']}")
    compare_files(base, snap, [f"edge/{i}.json" for i in want["dangling"]])
    after = await validate_graph(context=GraphContext(database=JsonDB(str(base))))
    if after.dangling_edge_ids:
        problem(f"after cleanup validate_graph still reports dangling edges {after.dangling_edge_ids}")
    if sorted(after.orphan_node_ids) != sorted(want["orphans"]):
        problem(f"after cleanup orphans {after.orphan_node_ids} != before {want['orphans']}")


def main() -> None:
    if jsondb_mod._HAS_ORJSON:
        raise SystemExit("orjson is importable: JsonDB would not use the stdlib encoder; remove orjson")
    args = sys.argv[1:]
    cmds = {
        "list": (cmd_list, 1), "read-check": (cmd_read_check, 2), "bytes-check": (cmd_bytes_check, 1),
        "expect": (cmd_expect, 2), "py-save": (cmd_py_save, 3), "snapshot": (cmd_snapshot, 2),
        "unchanged": (cmd_unchanged, 2), "cleanup-check": (cmd_cleanup_check, 4),
        "incident": (cmd_incident, 2), "strip": (cmd_strip, 1), "removed": (cmd_removed, 2),
    }
    variadic = {"unchanged", "removed"}
    if not args or args[0] not in cmds or (len(args) - 1 != cmds[args[0]][1] and not (args[0] in variadic and len(args) - 1 >= cmds[args[0]][1])):
        raise SystemExit(__doc__)
    fn, _ = cmds[args[0]]
    rest: List[Any] = [Path(a) for a in args[1:]]
    if args[0] == "py-save":
        rest[1] = args[2]  # a collection name, not a path
    if args[0] == "incident":
        rest[1] = args[2]  # a node id
    if args[0] == "cleanup-check":
        rest[3] = args[4]  # dry | applied
    asyncio.run(fn(*rest))
    if PROBLEMS:
        for p in PROBLEMS:
            print(p, file=sys.stderr)
        print(f"{len(PROBLEMS)} difference(s)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
