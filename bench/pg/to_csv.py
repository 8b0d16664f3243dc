import json, os, sys, csv
# The rows (id, entity, tenant_id, data) jvspatial's _split_payload makes of a JsonDB store, as CSV per
# collection for psql \copy: python3 to_csv.py STORE OUT_PREFIX -> OUT_PREFIX.<collection>
src, out = sys.argv[1], sys.argv[2]
for c in sorted(os.listdir(src)):
    with open(f"{out}.{c}", "w", newline="") as f:
        w = csv.writer(f)
        for name in sorted(os.listdir(f"{src}/{c}")):
            rec = json.load(open(f"{src}/{c}/{name}"))
            t = rec.get("tenant_id")
            w.writerow([rec["id"], str(rec.get("entity") or ""), None if t is None else str(t), json.dumps(rec)])
