import json, os, random, sys, csv
# Synthetic JsonDB store of N City nodes (json.dumps indent=2, as JsonDB writes) and the CSV of the
# same rows for the psql \copy baseline: python3 make_synthetic.py OUT N -> OUT/ and OUT.csv.node
out = sys.argv[1]; n = int(sys.argv[2])
random.seed(7)
os.makedirs(f"{out}/node", exist_ok=True)
rows = open(f"{out}.csv.node", "w", newline="")
w = csv.writer(rows)
for k in range(n):
    rid = f"n.City.{k:024x}"
    rec = {"id": rid, "entity": "City", "context": {
        "name": f"City {k} " + random.choice(["Zürich", "São Paulo", "東京", "Lagos"]),
        "pop": random.randint(0, 10**7), "lat": random.uniform(-90, 90), "lon": random.uniform(-180, 180),
        "tags": [random.choice("abcdef") for _ in range(3)], "capital": k % 50 == 0,
        "meta": {"founded": random.randint(800, 2000), "area_km2": round(random.uniform(1, 5000), 2)}},
        "edges": []}
    with open(f"{out}/node/{rid}.json", "w") as f:
        f.write(json.dumps(rec, indent=2))
    w.writerow([rid, "City", None, json.dumps(rec)])
rows.close()
