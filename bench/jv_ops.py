"""The benchmark operations done through jvspatial 0.2.2's own API, for comparison with jvdb.

    python bench/jv_ops.py count  STORE COLL QUERY_JSON      -> prints the count
    python bench/jv_ops.py find   STORE COLL QUERY_JSON      -> records as JSON lines on stdout
    python bench/jv_ops.py cleanup STORE                     -> dangling edge ids (validate_graph)
    python bench/jv_ops.py check  STORE                      -> validate_graph's report, as counts
    python bench/jv_ops.py stats  STORE [TOP]                -> `jvdb stats --format json`'s numbers
    python bench/jv_ops.py copy   SRC DST [bulk|loop]        -> every record of SRC into DST
    python bench/jv_ops.py save   STORE COLL JSONL [bulk|loop]
    python bench/jv_ops.py mongo_insert JSON_STORE URI DB BATCH  -> bare pymongo insert_many loop
    python bench/jv_ops.py mongo_to_json URI DB DST          -> jvspatial MongoDB -> JsonDB copy

`bulk` uses JsonDB.bulk_save (the path GraphContext.save_batch takes: 32 atomic writes in
parallel, chunks of 500 like save_batch); `loop` awaits Database.save per record, the plain
script. Everything reads with the library's own find (QueryEngine.match per record).
"""

import asyncio
import json
import sys
from pathlib import Path

from jvspatial.db.jsondb import JsonDB

CHUNK = 500


async def copy_records(src, dst, colls, mode: str) -> int:
    n = 0
    for c in colls:
        rows = await src.find(c, {})
        if mode == "loop":
            for r in rows:
                await dst.save(c, r)
        else:
            for i in range(0, len(rows), CHUNK):
                await dst.bulk_save(c, rows[i : i + CHUNK])
        n += len(rows)
    return n


def collections(base: Path):
    return sorted(p.name for p in base.iterdir() if p.is_dir())


async def main(argv) -> None:
    op = argv[0]
    if op == "count":
        db = JsonDB(argv[1])
        print(await db.count(argv[2], json.loads(argv[3])))
    elif op == "find":
        db = JsonDB(argv[1])
        out = sys.stdout
        for r in await db.find(argv[2], json.loads(argv[3])):
            out.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
    elif op == "cleanup":
        from jvspatial.core import GraphContext
        from jvspatial.core.validate import validate_graph

        ctx = GraphContext(database=JsonDB(argv[1]))
        rep = await validate_graph(context=ctx, check_root_cycles=False)
        for e in rep.dangling_edge_ids:
            print(e)
        print(f"orphans {len(rep.orphan_node_ids)}", file=sys.stderr)
    elif op == "check":
        # `jvdb check`'s graph findings through jvspatial: validate_graph (dangling edges and
        # orphans), as cleanup does; printed as counts.
        from jvspatial.core import GraphContext
        from jvspatial.core.validate import validate_graph

        ctx = GraphContext(database=JsonDB(argv[1]))
        rep = await validate_graph(context=ctx, check_root_cycles=False)
        print(json.dumps({"dangling": len(rep.dangling_edge_ids), "orphans": len(rep.orphan_node_ids)}))
    elif op == "stats":
        # `jvdb stats` through jvspatial: every collection loaded with Database.find, the same
        # numbers computed in Python (tests/py/stats_oracle.py's compute, the test oracle).
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests/py"))
        from stats_oracle import compute

        db = JsonDB(argv[1])
        top = int(argv[2]) if len(argv) > 2 else 10
        data = {c: await db.find(c, {}) for c in collections(Path(argv[1]))}
        json.dump(compute(data, top), sys.stdout, indent=2)
        print()
    elif op == "copy":
        src, dst = JsonDB(argv[1]), JsonDB(argv[2])
        mode = argv[3] if len(argv) > 3 else "bulk"
        n = await copy_records(src, dst, collections(Path(argv[1])), mode)
        print(n)
    elif op == "save":
        db = JsonDB(argv[1])
        coll, mode = argv[2], (argv[4] if len(argv) > 4 else "bulk")
        rows = []
        n = 0
        with open(argv[3], "rb") as f:
            for line in f:
                if not line.strip():
                    continue
                rows.append(json.loads(line))
                if mode == "loop":
                    await db.save(coll, rows.pop())
                    n += 1
                elif len(rows) >= CHUNK:
                    n += await db.bulk_save(coll, rows)
                    rows = []
        if rows:
            n += await db.bulk_save(coll, rows)
        print(n)
    elif op == "mongo_insert":
        # The bare driver baseline: read the JSON store, insert_many in batches of BATCH.
        import pymongo

        base, uri, dbname, batch = Path(argv[1]), argv[2], argv[3], int(argv[4])
        client = pymongo.MongoClient(uri)
        mdb = client[dbname]
        n = 0
        for c in collections(base):
            coll = mdb[c]
            docs = []
            for p in sorted(base.joinpath(c).glob("*.json"), key=lambda p: p.stem):
                d = json.loads(p.read_bytes())
                d["_id"] = d["id"]
                docs.append(d)
                if len(docs) >= batch:
                    coll.insert_many(docs, ordered=False)
                    n += len(docs)
                    docs = []
            if docs:
                coll.insert_many(docs, ordered=False)
                n += len(docs)
        print(n)
    elif op == "mongo_to_json":
        from jvspatial.db.mongodb import MongoDB

        uri, dbname, dst = argv[1], argv[2], JsonDB(argv[3])
        import pymongo

        src = MongoDB(uri=uri, db_name=dbname)
        names = sorted(pymongo.MongoClient(uri)[dbname].list_collection_names())
        print(await copy_records(src, dst, names, "bulk"))
    else:
        raise SystemExit(f"unknown op {op}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
