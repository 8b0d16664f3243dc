"""Differential oracle for jvdb's `mongo` query dialect: evaluates generated queries and sorts
with mongomock (an independent Python implementation of MongoDB's query language).

stdin: one JSON document {"sets": [{"docs": [...], "queries": [...], "sorts": [[[path, dir], ...], ...]}]}
stdout: one line per query, "Q <set> <query> ok <matching indices...>" or "Q <set> <query> err <message>",
then one line per sort, "S <set> <sort> <indices in mongomock's order>".
Documents are inserted with their index as `_id` (in order), so ties keep insertion order.
"""
import json
import sys

import mongomock


def main():
    payload = json.load(sys.stdin)
    client = mongomock.MongoClient()
    out = []
    for si, case in enumerate(payload["sets"]):
        coll = client.db["c%d" % si]
        docs = []
        for i, d in enumerate(case["docs"]):
            d = dict(d)
            d["_id"] = i
            docs.append(d)
        if docs:
            coll.insert_many(docs)
        for qi, q in enumerate(case["queries"]):
            try:
                ids = sorted(d["_id"] for d in coll.find(q, {"_id": 1}))
                out.append("Q %d %d ok %s" % (si, qi, " ".join(map(str, ids))))
            except Exception as e:  # the error itself is the answer
                msg = ("%s: %s" % (type(e).__name__, e)).replace("\n", " ")
                out.append("Q %d %d err %s" % (si, qi, msg))
        for ki, spec in enumerate(case.get("sorts", [])):
            try:
                ids = [d["_id"] for d in coll.find({}, {"_id": 1}, sort=[(p, int(o)) for p, o in spec])]
                out.append("S %d %d ok %s" % (si, ki, " ".join(map(str, ids))))
            except Exception as e:
                out.append("S %d %d err %s" % (si, ki, str(e).replace("\n", " ")))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
