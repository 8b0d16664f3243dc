"""A live jvspatial application for tests/reliability_live.rs (imports the real library).

usage: reliability_live_writer.py BASE COLLECTION PROC INSTANCES PER_INSTANCE

Starts INSTANCES fresh JsonDB objects on BASE one after another, like INSTANCES application
starts: each one's first use sweeps every *.jvtmp file of other processes (jvspatial's
start-up sweep), then it saves PER_INSTANCE records
{"id": "py.P.I.J", "entity": "PyThing", "proc": P, "inst": I, "n": J, "by": "jvspatial"}.
Prints how many sweeps removed something, and the number of records written, on stdout.
"""

import asyncio
import sys

import jvspatial.db.jsondb as jsondb_module
from jvspatial.db.jsondb import JsonDB


async def main() -> int:
    if jsondb_module._HAS_ORJSON:
        print("orjson is installed: JsonDB would not write the stdlib encoding", file=sys.stderr)
        return 3
    base, coll = sys.argv[1], sys.argv[2]
    proc, instances, per = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    written = 0
    for inst in range(instances):
        db = JsonDB(base_path=base)  # a fresh start: its first save sweeps *.jvtmp
        for n in range(per):
            rec = {
                "id": f"py.{proc}.{inst}.{n}",
                "entity": "PyThing",
                "proc": proc,
                "inst": inst,
                "n": n,
                "by": "jvspatial",
            }
            await db.save(coll, rec)
            written += 1
    print(written)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
