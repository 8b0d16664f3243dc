"""Oracle for tests/query_jvspatial_diff.rs: runs the REAL jvspatial 0.2.2 code.

stdin: one JSON document per line (read with json.loads, like JsonDB without orjson).
  mode "match": {"d": document, "q": query} -> QueryEngine.match(document, query)
  mode "sort":  {"r": [records], "k": [[field, direction], ...]}
                -> finalize_find_results(records, sort=[(field, direction), ...])
stdout: one JSON line per input line: ["T"] / ["F"] for match, ["OK", [input indices in
result order]] for sort, or ["E", exception class name, str(exception)].
"""
import json
import sys

from jvspatial.db.database import finalize_find_results
from jvspatial.db.query import QueryEngine


def main() -> None:
    mode = sys.argv[1]
    out = []
    for line in sys.stdin.buffer:
        case = json.loads(line)
        try:
            if mode == "match":
                res = ["T" if QueryEngine.match(case["d"], case["q"]) else "F"]
            else:
                records = case["r"]
                pos = {id(r): i for i, r in enumerate(records)}
                got = finalize_find_results(records, sort=[tuple(k) for k in case["k"]])
                res = ["OK", [pos[id(r)] for r in got]]
        except Exception as e:  # the class and message are what is compared
            res = ["E", type(e).__name__, str(e)]
        out.append(json.dumps(res))
    sys.stdout.write("\n".join(out) + ("\n" if out else ""))


if __name__ == "__main__":
    main()
