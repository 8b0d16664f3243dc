"""An application writing through jvspatial 0.2.2's own database API while jvdb writes the
same store (issue 11 §3, two writers).

    python app_writer.py KIND TARGET COUNT START_FILE DONE_FILE

KIND is mongodb (TARGET = URI with the database name), postgres (TARGET = DSN#SCHEMA) or
sqlite (TARGET = file). Once START_FILE exists, it saves COUNT node records `app.<i>` one by one
(db.save, the call every jvspatial entity save ends in): half of them, then it writes
START_FILE.ready (the test starts jvdb then) and saves the rest while jvdb works. Then it writes
DONE_FILE with the number saved. Prints nothing else; any exception fails the process.
"""

import asyncio
import json
import os
import sys
import time


def open_db(kind: str, target: str):
    if kind == "mongodb":
        from jvspatial.db.mongodb import MongoDB

        uri, _, name = target.rpartition("/")
        return MongoDB(uri=target, db_name=name)
    if kind == "postgres":
        from jvspatial.db.postgres import PostgresDB

        dsn, _, schema = target.partition("#")
        return PostgresDB(dsn, schema_name=schema or "public")
    if kind == "sqlite":
        from jvspatial.db.sqlite import SQLiteDB

        return SQLiteDB(db_path=target)
    raise SystemExit(f"unknown kind {kind}")


def record(i: int) -> dict:
    return {
        "id": f"app.{i:05d}",
        "entity": "AppThing",
        "context": {"n": i, "by": "jvspatial", "name": f"app record {i}"},
    }


async def main() -> None:
    kind, target, count, start, done = sys.argv[1:6]
    db = open_db(kind, target)
    deadline = time.time() + 120
    while not os.path.exists(start):
        if time.time() > deadline:
            raise SystemExit("start file never appeared")
        await asyncio.sleep(0.01)
    n = 0
    for i in range(int(count)):
        if i == int(count) // 2:
            with open(start + ".ready", "w") as f:
                f.write(str(n))
        await db.save("node", record(i))
        n += 1
    close = getattr(db, "close", None)
    if close is not None:
        res = close()
        if asyncio.iscoroutine(res):
            await res
    with open(done + ".tmp", "w") as f:
        json.dump({"saved": n}, f)
    os.replace(done + ".tmp", done)


asyncio.run(main())
