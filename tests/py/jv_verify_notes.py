"""Check the facts in jvspatial-0.2.2.md that jvdb depends on, against the real library.

Usage: python jv_verify_notes.py [WORKDIR]
Prints one line per check: `OK   <name>: <detail>` or `DIFF <name>: <detail>`; exit 1 if any DIFF.
Imports the installed jvspatial; copies none of its code.
"""

import asyncio
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

RESULTS: List[str] = []


def check(name: str, ok: bool, detail: Any = "") -> None:
    RESULTS.append(f"{'OK  ' if ok else 'DIFF'} {name}: {detail}")


async def encoding_and_atomic(base: Path) -> None:
    import jvspatial.db._atomic as atomic
    from jvspatial.db.jsondb import JsonDB, _HAS_ORJSON

    check("orjson absent (stdlib encoder in use)", not _HAS_ORJSON, f"_HAS_ORJSON={_HAS_ORJSON}")
    db = JsonDB(str(base / "enc"))
    seen: List[str] = []
    real_replace = os.replace

    def spy(src, dst, *a, **k):
        seen.append(os.path.basename(src))
        return real_replace(src, dst, *a, **k)

    atomic.os.replace = spy  # the module uses os.replace
    try:
        rec = {
            "id": "n.City.x",
            "entity": "City",
            "context": {
                "s": "Zürich 東京 😀 \u2028 \"q\" \\ /",
                "big": 2**70 + 1,
                "neg": -(2**80),
                "f": [1e16, 1e-07, 100.0, -0.0, 5e-324, 0.1, 1.5e300],
                "nan": float("nan"),
                "inf": float("inf"),
                "ninf": float("-inf"),
                "e": [],
                "o": {},
                "b": [True, False, None],
            },
        }
        await db.save("node", rec)
    finally:
        atomic.os.replace = real_replace
    raw = (base / "enc" / "node" / "n.City.x.json").read_bytes()
    check("file = json.dumps(indent=2).encode()", raw == json.dumps(rec, indent=2).encode("utf-8"), len(raw))
    check("no trailing newline", not raw.endswith(b"\n"), repr(raw[-3:]))
    check("ASCII only, surrogate pairs", raw.isascii() and b"\\ud83d\\ude00" in raw and b"\\u2028" in raw, "")
    check("NaN/Infinity bare tokens", b": NaN" in raw and b": Infinity" in raw and b": -Infinity" in raw, "")
    check("floats as repr", b"1e+16" in raw and b"1e-07" in raw and b"-0.0" in raw and b"5e-324" in raw, "")
    check("big ints exact", str(2**70 + 1).encode() in raw and str(-(2**80)).encode() in raw, "")
    pat = re.compile(r"^n\.City\.x\.json\.%d\.[0-9a-f]{12}\.jvtmp$" % os.getpid())
    check("tmp name <name>.<pid>.<12hex>.jvtmp", len(seen) == 1 and bool(pat.match(seen[0])), seen)
    mode = stat.S_IMODE((base / "enc" / "node" / "n.City.x.json").stat().st_mode)
    um = os.umask(0)
    os.umask(um)
    check("file mode 0644 & ~umask", mode == (0o644 & ~um), oct(mode))
    back = await db.get("node", "n.City.x")
    check("get round-trips big int/NaN", back["context"]["big"] == 2**70 + 1 and back["context"]["nan"] != back["context"]["nan"], "")


async def validation(base: Path) -> None:
    from jvspatial.db.jsondb import JsonDB

    db = JsonDB(str(base / "val"))
    bad = [5, None, "", ".", "..", "a/b", "a\\b", "a\x00b", "/abs"]
    msgs = {}
    for v in bad:
        for label, call in (("id", lambda v=v: db.get("node", v)), ("coll", lambda v=v: db.get(v, "x"))):
            try:
                await call()
                msgs[(label, repr(v))] = "accepted"
            except Exception as e:  # noqa: BLE001
                msgs[(label, repr(v))] = f"{type(e).__name__}: {e}"
    ok = all(m == "ValueError: Invalid record id" for (l, _), m in msgs.items() if l == "id") and all(
        m == "ValueError: Invalid collection" for (l, _), m in msgs.items() if l == "coll"
    )
    check("invalid id/collection messages", ok, {f"{k[0]} {k[1]}": m for k, m in msgs.items() if not m.startswith("ValueError: Invalid")})
    # order of checks: record id validated before collection
    try:
        await db.get("a/b", "x/y")
        m = "accepted"
    except Exception as e:  # noqa: BLE001
        m = str(e)
    check("get(bad coll, bad id) reports the id first", m == "Invalid record id", m)
    # save without id / non-str id
    for rec, want in (({"x": 1}, "KeyError"), ({"id": 5}, "ValueError")):
        try:
            await db.save("node", rec)
            got = "accepted"
        except Exception as e:  # noqa: BLE001
            got = type(e).__name__
        check(f"save({rec}) raises {want}", got == want, got)
    good = [" sp ace", "a:b", "weird id: ü €", ".hidden", "~x", "-", "a..b", "CON", "x" * 200]
    acc = []
    for g in good:
        try:
            await db.save("node", {"id": g})
            acc.append((await db.get("node", g)) == {"id": g})
        except Exception as e:  # noqa: BLE001
            acc.append(f"{g!r}: {e}")
    check("accepted ids", all(a is True for a in acc), acc)
    # symlink escapes
    outside = base / "outside"
    outside.mkdir()
    (base / "val" / "evil").symlink_to(outside)
    try:
        await db.get("evil", "x")
        m = "accepted"
    except Exception as e:  # noqa: BLE001
        m = str(e)
    check("symlinked collection dir escapes", m == "Collection path escapes database root", m)
    (outside / "t.json").write_text('{"id": "t"}')
    (base / "val" / "node" / "lnk.json").symlink_to(outside / "t.json")
    try:
        await db.get("node", "lnk")
        m = "accepted"
    except Exception as e:  # noqa: BLE001
        m = str(e)
    check("symlinked record escapes (get)", m == "Record path escapes database root", m)
    found = [r.get("id") for r in await db.find("node", {"id": "t"})]
    check("find() follows an escaping record symlink (no escape check on scan)", found == ["t"], found)
    (base / "val" / "node" / "lnk.json").unlink()
    # reading a missing collection creates it
    await db.get("fresh", "nope")
    check("get() on a missing collection mkdirs it", (base / "val" / "fresh").is_dir(), "")


async def find_count_malformed(base: Path) -> None:
    from jvspatial.db.jsondb import JsonDB

    root = base / "fc"
    db = JsonDB(str(root))
    ids = ["b", "a", "a.b", "B", "é", "z", "a-b", "a b", "_x", "10", "9", "x.json"]
    for i in ids:
        await db.save("c", {"id": i, "k": 1})
    got = [r["id"] for r in await db.find("c", {})]
    check("find order = sorted by file stem (code point)", got == sorted(ids), got)
    check("find order differs from plain file-name order", sorted(ids) != [n[:-5] for n in sorted(i + ".json" for i in ids)], "")
    d = root / "m"
    d.mkdir()
    files = {
        "empty.json": b"",
        "invalid.json": b"{nope",
        "list.json": b"[1, 2, 3]",
        "null.json": b"null",
        "str.json": b'"s"',
        "bom.json": b'\xef\xbb\xbf{"id": "bom", "k": 1}',
        "u16.json": '{"id": "u16", "k": 1}'.encode("utf-16"),
        "nan.json": b'{"id": "nan", "k": NaN}',
        "dup.json": b'{"id": "dup", "k": 0, "k": 1}',
        "inner.json": b'{"id": "other", "k": 1}',
        ".hidden.json": b'{"id": ".hidden", "k": 1}',
        "upper.JSON": b'{"id": "upper", "k": 1}',
        "t.txt": b'{"id": "t", "k": 1}',
        "raw.json": '{"id": "raw", "k": 1, "s": "Zürich\u2028"}'.encode("utf-8"),
        "surr.json": b'{"id": "surr", "k": 1, "s": "\\ud800"}',
    }
    for n, b in files.items():
        (d / n).write_bytes(b)
    (d / "sub").mkdir()
    (d / "sub" / "deep.json").write_bytes(b'{"id": "deep", "k": 1}')
    (d / "dir.json").mkdir()  # a directory whose name matches *.json
    (d / "w.json.1.0123456789ab.jvtmp").write_bytes(b'{"id": "w", "k": 1}')
    n_all = await db.count("m")
    n_empty_q = await db.count("m", {})
    n_q = await db.count("m", {"k": 1})
    found = [r.get("id") for r in await db.find("m", {})]
    n_json = len([p for p in d.iterdir() if p.name.endswith(".json")])
    check("count() = number of *.json dir entries (dirs included)", n_all == n_json, f"count()={n_all} entries={n_json}")
    check("count({}) == count()", n_empty_q == n_all, n_empty_q)
    check("count(q) = matching readable dict records", n_q == len([x for x in found if x != "nan"]), f"count(k=1)={n_q} found={found}")
    want_found = ["hidden", "bom", "dup", "other", "nan", "raw", "surr", "u16"]
    check("find skips malformed/non-dict, keeps BOM/UTF-16/NaN/dup/.hidden/raw UTF-8/lone surrogate", sorted(x.lstrip(".") for x in found) == sorted(want_found), found)
    g = {n: await db.get("m", n.rsplit(".json", 1)[0]) for n in ("empty.json", "invalid.json", "list.json", "null.json", "str.json", "inner.json")}
    check("get: invalid->None, list->list, null->None, str->str, inner id kept", g["empty.json"] is None and g["invalid.json"] is None and g["list.json"] == [1, 2, 3] and g["null.json"] is None and g["str.json"] == "s" and g["inner.json"]["id"] == "other", g)
    try:
        gd = await db.get("m", "dir")
    except Exception as e:  # noqa: BLE001
        gd = f"raised {e}"
    check("get on a directory named X.json -> None", gd is None, gd)
    check("dup keys: last wins", (await db.get("m", "dup"))["k"] == 1, "")
    check("jvtmp of another pid left alone by this instance after its sweep", (d / "w.json.1.0123456789ab.jvtmp").exists(), "")
    db2 = JsonDB(str(root))
    await db2.count("m")
    check("a new JsonDB sweeps other pids' *.jvtmp under the whole base", not (d / "w.json.1.0123456789ab.jvtmp").exists(), "")
    # limit quirks
    lim0 = await db.find("c", {}, limit=0)
    limn = [r["id"] for r in await db.find("c", {}, limit=-2)]
    check("limit=0 -> [] ; limit<0 -> slice [:limit]", lim0 == [] and limn == sorted(ids)[:-2], limn)
    # sort: missing/null last in both directions
    for i, v in (("s1", 3), ("s2", None), ("s3", 1), ("s4", "MISSING"), ("s5", 2)):
        rec = {"id": i} if v == "MISSING" else {"id": i, "v": v}
        await db.save("s", rec)
    up = [r["id"] for r in await db.find("s", {}, sort=[("v", 1)])]
    dn = [r["id"] for r in await db.find("s", {}, sort=[("v", -1)])]
    check("sort: missing/null last in both directions, stable", up == ["s3", "s5", "s1", "s2", "s4"] and dn == ["s1", "s5", "s3", "s2", "s4"], f"asc={up} desc={dn}")
    await db.save("s", {"id": "s6", "v": "str"})
    try:
        await db.find("s", {}, sort=[("v", 1)])
        m = "no error"
    except Exception as e:  # noqa: BLE001
        m = type(e).__name__
    check("sort over mixed types raises", m == "TypeError", m)


async def graph_and_entities(base: Path) -> None:
    from jvspatial.core import Edge, GraphContext, Node, Object, Root, Walker
    from jvspatial.core.context import set_default_context
    from jvspatial.core.validate import validate_graph
    from jvspatial.db.jsondb import JsonDB

    class VCity(Node):
        name: str = ""

    class VRoad(Edge):
        lanes: int = 1

    class VTourist(Walker):
        budget: int = 0

    class VConf(Object):
        key: str = ""

    db = JsonDB(str(base / "g"))
    ctx = GraphContext(database=db)
    set_default_context(ctx)
    root = await Root.get()
    raw_root = (base / "g" / "node" / "n.Root.root.json").read_bytes()
    check("Root file is 62 bytes", len(raw_root) == 62 and root.id == "n.Root.root", len(raw_root))
    a = await VCity.create(id="n.VCity.a", name="São Paulo — “x” 東京")
    b = await VCity.create(id="n.VCity.b", name="b")
    check("text normalization on entity save", (await db.get("node", "n.VCity.a"))["context"]["name"] == 'Sao Paulo - "x" ??', (await db.get("node", "n.VCity.a"))["context"]["name"])
    e_out = await a.connect(b, VRoad)
    e_in = await b.connect(root, VRoad, direction="in")
    e_both = await root.connect(a, VRoad, direction="both")
    e_ctor_in = VRoad(left=a, right=root, direction="in")
    await ctx.save(e_ctor_in)
    e_ctor_def = VRoad(left=b, right=a)
    await ctx.save(e_ctor_def)
    shapes = {}
    for name, e in (("connect default", e_out), ("connect in", e_in), ("connect both", e_both), ("Edge(in)", e_ctor_in), ("Edge() default", e_ctor_def)):
        r = await db.get("edge", e.id)
        shapes[name] = (r["source"], r["target"], r["bidirectional"], list(r.keys()))
    ok = (
        shapes["connect default"][:3] == ("n.VCity.a", "n.VCity.b", False)
        and shapes["connect in"][:3] == ("n.VCity.b", "n.Root.root", False)
        and shapes["connect both"][:3] == ("n.Root.root", "n.VCity.a", True)
        and shapes["Edge(in)"][:3] == ("n.Root.root", "n.VCity.a", False)
        and shapes["Edge() default"][:3] == ("n.VCity.b", "n.VCity.a", True)
        and all(s[3] == ["id", "entity", "context", "source", "target", "bidirectional"] for s in shapes.values())
    )
    check("edge direction shapes + key order", ok, shapes)
    w = VTourist(budget=3)
    await ctx.save(w)
    wdirs = sorted(p.name for p in (base / "g").iterdir())
    check("GraphContext.save(walker) writes collection 'w'", (base / "g" / "w" / f"{w.id}.json").exists(), wdirs)
    got_w = await GraphContext(database=db).get(VTourist, w.id)  # fresh context: no entity cache
    check("GraphContext.get(Walker) reads collection 'walker' (so misses what save wrote)", got_w is None and (base / "g" / "walker").is_dir(), got_w)
    o = await VConf.create(key="k")
    check("Object -> collection 'object'", (base / "g" / "object" / f"{o.id}.json").exists(), o.id)
    n = await Node.get("n.VCity.a")
    check("Node.get of a subclass record", n is not None and type(n).__name__ == "VCity", type(n).__name__ if n else None)
    # validate_graph dangling rules
    # a node whose stored id is the JSON number 7 (JsonDB.save refuses non-str ids; write the file directly)
    (base / "g" / "node" / "7.json").write_bytes(b'{"id": 7, "entity": "Num", "context": {}}')
    await db.save("node", {"id": "n.lonely", "entity": "VCity", "context": {"name": "l"}})
    cases = {
        "e.ok.top": {"source": "n.VCity.a", "target": "n.VCity.b"},
        "e.miss.src": {"source": "n.gone", "target": "n.VCity.b"},
        "e.miss.tgt": {"source": "n.VCity.a", "target": "n.gone"},
        "e.miss.both": {"source": "n.gone1", "target": "n.gone2"},
        "e.none.src": {"source": None, "target": "n.VCity.b"},
        "e.no.keys": {},
        "e.empty.src": {"source": "", "target": "n.VCity.b"},
        "e.obj.tgt": {"source": "n.VCity.a", "target": o.id},
        "e.int.src": {"source": 7, "target": "n.VCity.b"},
        "e.ctx.ok": {"context": {"source": "n.VCity.a", "target": "n.VCity.b"}},
        "e.ctx.bad": {"context": {"source": "n.VCity.a", "target": "n.gone"}},
        "e.mixed": {"source": "n.VCity.a", "context": {"target": "n.VCity.b"}},
        "e.ctx.null": {"context": None},
    }
    for eid, body in cases.items():
        rec = {"id": eid, "entity": "Edge"}
        rec.setdefault("context", {})
        rec.update(body)
        await db.save("edge", rec)
    (base / "g" / "edge" / "broken.json").write_bytes(b"{not json")
    (base / "g" / "node" / "n.broken.json").write_bytes(b"{not json")
    await db.save("edge", {"id": "e.to.broken", "entity": "Edge", "context": {}, "source": "n.VCity.a", "target": "n.broken", "bidirectional": False})
    rep = await validate_graph(context=ctx)
    want = sorted(["e.miss.src", "e.miss.tgt", "e.miss.both", "e.none.src", "e.no.keys", "e.empty.src", "e.obj.tgt", "e.ctx.bad", "e.mixed", "e.ctx.null", "e.to.broken"])
    check("validate_graph dangling set", rep.dangling_edge_ids == want, f"got={rep.dangling_edge_ids}")
    rep2 = await validate_graph(context=ctx, check_dangling_edges=False)
    check("check_dangling_edges=False still reports missing/None source/target", sorted(rep2.dangling_edge_ids) == sorted(["e.none.src", "e.no.keys", "e.mixed", "e.ctx.null"]), rep2.dangling_edge_ids)
    check("node id 7 (JSON number) matches edge source 7 via str(); orphans: reachable from Root in both directions, Root excluded", "n.Root.root" not in rep.orphan_node_ids and rep.orphan_node_ids == ["n.lonely"] and "n.VCity.a" not in rep.orphan_node_ids, rep.orphan_node_ids)


def env_resolution(base: Path) -> None:
    import subprocess

    py = sys.executable
    code = (
        "import os,json;from jvspatial.env import resolve_db_paths;"
        "from jvspatial.db.manager import DatabaseManager;"
        "m=DatabaseManager();d=m.get_prime_database();"
        "print(json.dumps([resolve_db_paths()[0],type(d).__name__,str(getattr(d,'base_path',''))]))"
    )

    def run(envs: Dict[str, str]) -> Any:
        e = {k: v for k, v in os.environ.items() if not k.startswith("JVSPATIAL_")}
        e.update(envs)
        out = subprocess.run([py, "-c", code], env=e, cwd=str(base), capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else out.stderr.strip().splitlines()[-1:]

    r0 = run({})
    check("default prime = JsonDB('jvdb') in CWD", r0 == ["jvdb", "JsonDB", str(base / "jvdb")], r0)
    r1 = run({"JVSPATIAL_DB_PATH": "/tmp/xx_jvdb"})
    check("JVSPATIAL_DB_PATH sets the JsonDB base", r1[2] == "/tmp/xx_jvdb", r1)
    r2 = run({"JVSPATIAL_JSONDB_PATH": "/tmp/yy_jvdb"})
    check("JVSPATIAL_JSONDB_PATH is NOT read in 0.2.2", r2[2] == str(base / "jvdb"), r2)
    r3 = run({"JVSPATIAL_DB_PATH": "   "})
    check("blank JVSPATIAL_DB_PATH -> default", r3[2] == str(base / "jvdb"), r3)
    r4 = run({"JVSPATIAL_DB_TYPE": "bogus", "JVSPATIAL_DB_PATH": "/tmp/zz"})
    check("unknown JVSPATIAL_DB_TYPE -> falls back to JsonDB(resolve_db_paths()[0])", r4[1:] == ["JsonDB", "/tmp/zz"], r4)
    r5 = run({"JVSPATIAL_DB_TYPE": " json ", "JVSPATIAL_DB_PATH": " /tmp/ws "})
    check("values are stripped", r5[1:] == ["JsonDB", "/tmp/ws"], r5)
    r6 = run({"JVSPATIAL_DB_TYPE": "JSON"})
    check("type is case-sensitive ('JSON' unknown -> JsonDB fallback anyway)", r6[1] == "JsonDB", r6)


async def main() -> None:
    work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="jvverify"))
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    await encoding_and_atomic(work)
    await validation(work)
    await find_count_malformed(work)
    await graph_and_entities(work)
    env_resolution(work)
    print("\n".join(RESULTS))
    sys.exit(1 if any(r.startswith("DIFF") for r in RESULTS) else 0)


if __name__ == "__main__":
    asyncio.run(main())
