"""Drive jvspatial 0.2.2's real JsonDB for tests/json_store_interop.rs (never copies its code).

usage:
  jsondb_interop.py write BASE COLLECTION RECORDS.jsonl   # await db.save(coll, rec) per line
  jsondb_interop.py read BASE COLLECTION                  # print find/get/count as JSON
"""

import asyncio
import json
import sys

import jvspatial.db.jsondb as jsondb_module
from jvspatial.db.jsondb import JsonDB


async def main() -> int:
    if jsondb_module._HAS_ORJSON:
        print("orjson is installed: JsonDB would not write the stdlib encoding", file=sys.stderr)
        return 3
    mode = sys.argv[1]
    if mode == "write":
        base, coll, src = sys.argv[2:5]
        db = JsonDB(base_path=base)
        with open(src, "rb") as f:
            for line in f.read().decode("utf-8").splitlines():
                if line.strip():
                    await db.save(coll, json.loads(line))
        return 0
    if mode == "read":
        base, coll = sys.argv[2:4]
        db = JsonDB(base_path=base)
        found = await db.find(coll, {})
        gets = [await db.get(coll, r["id"]) for r in found]
        out = {"find": found, "get": gets, "count": await db.count(coll)}
        sys.stdout.write(json.dumps(out, indent=2))
        return 0
    print(f"unknown mode {mode!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
