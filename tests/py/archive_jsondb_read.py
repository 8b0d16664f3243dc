"""Read a directory that GNU tar extracted from a jvdb archive through jvspatial 0.2.2's own
JsonDB, and compare every record with the source store's files.

    python archive_jsondb_read.py EXTRACTED SOURCE

For every collection directory of SOURCE: JsonDB(EXTRACTED).find(c, {}) must return exactly
the records of SOURCE's files (equal as Python values, same ids), and JsonDB.get must return
each one by id. Prints a JSON object {collection: records read} on success; exits 1 naming
the first difference otherwise.
"""

import asyncio
import json
import os
import sys

from jvspatial.db.jsondb import JsonDB


async def main(extracted: str, source: str) -> int:
    db = JsonDB(extracted)
    counts = {}
    for coll in sorted(os.listdir(source)):
        cdir = os.path.join(source, coll)
        if not os.path.isdir(cdir):
            continue
        want = {}
        for name in os.listdir(cdir):
            if name.endswith(".json"):
                with open(os.path.join(cdir, name), "rb") as f:
                    rec = json.loads(f.read())
                want[rec["id"]] = rec
        got_list = await db.find(coll, {})
        got = {r["id"]: r for r in got_list}
        if len(got_list) != len(want) or got != want:
            missing = sorted(set(want) - set(got))[:3]
            extra = sorted(set(got) - set(want))[:3]
            differ = sorted(k for k in want if k in got and got[k] != want[k])[:3]
            print(
                f"{coll}: jvspatial read {len(got_list)} record(s), the source holds {len(want)}; "
                f"missing {missing}, extra {extra}, different {differ}",
                file=sys.stderr,
            )
            return 1
        for rid, rec in want.items():
            one = await db.get(coll, rid)
            if one != rec:
                print(f"{coll}/{rid}: JsonDB.get differs", file=sys.stderr)
                return 1
        counts[coll] = len(got_list)
    print(json.dumps(counts, sort_keys=True))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
