#!/usr/bin/env python3
"""jvdb benchmark suite: jvdb vs jvspatial 0.2.2 vs a raw read of the files.

Run through bench/run.sh (it builds the release binary first). Environment:

  BENCH_DIR        where stores and scratch copies live (default /tmp/jvdb-bench; never the repo)
  BENCH_SIZES      city counts (default "10000 100000")
  BENCH_RUNS       timed runs per measurement, the median is reported (default 5)
  BENCH_SLOW_RUNS  runs for jvspatial's write operations on stores above 10k cities, which take
                   minutes each (default 1; the table marks them)
  BENCH_OPS        subset of: count find cleanup graph migrate save mongo sqlite postgres archive
                   (default: all); graph = check and stats (each also alone); archive = dump and
                   restore (issue 13): dump vs GNU tar --zstd, restore vs migrate, and dump vs
                   find on MongoDB (BENCH_MONGO_SIZES) and PostgreSQL (BENCH_PG_ARCHIVE_SIZES)
  BENCH_TOOLS      subset of: jvdb jvspatial bare python (default: all), for the sqlite/postgres ops
  BENCH_SQL_SKIP   comma-separated parts of operation names to leave out (e.g. "->json,\$size")
  BENCH_PG_DSN     PostgreSQL server for the postgres ops (default: a private cluster started by
                   tests/pg/cluster.sh in BENCH_DIR/pg-cluster with fsync, synchronous_commit and
                   full_page_writes on, i.e. durable as in production; stopped at the end)
  BENCH_PYTHON     python with jvspatial 0.2.2 (default: <repo>/.venv/bin/python, else a venv made
                   in BENCH_DIR/venv from tests/py/requirements.txt)
  BENCH_MONGO_SIZES  sizes with MongoDB measurements (default: the first size only)
  BENCH_PG_ARCHIVE_SIZES  sizes with the PostgreSQL dump measurements of `archive` (default: the
                   first size only)
  BENCH_MONGO_URI  MongoDB server for the mongo measurements (default: start the test server
                   tests/mongo_server/server.py when it exists, else skip them)
  JVDB             the binary (default <repo>/target/release/jvdb)

Every measurement: one warm-up run (page cache warm), then BENCH_RUNS timed runs; time is
wall clock, peak RSS is the child's ru_maxrss (wait4). `uptime` load is recorded per group.
Results go to BENCH_DIR/results-<timestamp>.json and a markdown table on stdout.
"""

import datetime
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(os.environ.get("BENCH_DIR", "/tmp/jvdb-bench")).resolve()
SIZES = [int(x) for x in os.environ.get("BENCH_SIZES", "10000 100000").split()]
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SLOW_RUNS = int(os.environ.get("BENCH_SLOW_RUNS", "1"))
OPS = os.environ.get("BENCH_OPS", "count find cleanup graph migrate save mongo sqlite postgres archive").split()
JVDB = os.environ.get("JVDB", str(REPO / "target/release/jvdb"))
INSERT_MANY = os.environ.get("BENCH_INSERT_MANY", str(REPO / "target/release/examples/bench_insert_many"))
MONGO_BATCH = 1000
# Write runs go to fresh directories, removed only after their group, then this many seconds
# pass before the next measurement: ext4 skips inodes freed in the last 60 s when it allocates
# new ones, and doing so right after an `rm -rf` of a 40,000-file target made the next write
# run 2-5x slower (perf: ext4_create -> recently_deleted).
SETTLE_S = float(os.environ.get("BENCH_SETTLE_S", "65"))
_fresh = [0]


def fresh_dir(base: Path) -> Path:
    _fresh[0] += 1
    return base / f"target-{os.getpid()}-{_fresh[0]}"
# The test server is mongomock in one Python process: every store above ~10k cities takes it
# minutes per run and gigabytes of memory, so by default only the first size is measured.
MONGO_SIZES = [int(x) for x in os.environ.get("BENCH_MONGO_SIZES", str(SIZES[0])).split()]
PG_ARCHIVE_SIZES = [int(x) for x in os.environ.get("BENCH_PG_ARCHIVE_SIZES", str(SIZES[0])).split()]

COUNT_Q = '{"bidirectional": true}'
FIND_Q = '{"context.country": "JP", "context.population": {"$gt": 5000000}}'

if str(BENCH).startswith(str(REPO) + os.sep) or BENCH == REPO:
    raise SystemExit(f"BENCH_DIR {BENCH} is inside the repository; choose another directory")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def python() -> str:
    p = os.environ.get("BENCH_PYTHON")
    if p:
        return p
    for cand in (REPO / ".venv/bin/python", BENCH / "venv/bin/python"):
        if cand.exists():
            return str(cand)
    venv = BENCH / "venv"
    log(f"making a venv with jvspatial in {venv}")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin/pip"), "install", "-q", "-r", str(REPO / "tests/py/requirements.txt")],
        check=True,
    )
    return str(venv / "bin/python")


PY = python()
JV = f"{shlex.quote(PY)} {shlex.quote(str(REPO / 'bench/jv_ops.py'))}"


def run_once(cmd: str) -> tuple:
    """Run a shell command; (seconds, peak RSS KiB, stdout tail).

    Peak RSS comes from GNU time (`%M`, the child's ru_maxrss): measuring from this Python
    process would count Python's own pages, which a forked child starts with.
    """
    rss_file = BENCH / "rss.txt"
    t0 = time.perf_counter()
    p = subprocess.run(
        ["/usr/bin/time", "-f", "%M", "-o", str(rss_file), "bash", "-c", cmd],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    dt = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        raise RuntimeError(f"command failed ({p.returncode}): {cmd}\n{p.stderr.decode()[-2000:]}")
    try:
        rss = int(rss_file.read_text().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        rss = 0
    return dt, rss, p.stdout.decode()[-200:].strip()


def measure_group(entries) -> list:
    """Measure several commands for one operation, interleaved: round r runs every command
    once (a command with fewer runs takes the middle rounds), so slow drifts of the shared
    machine (disk latency, other jobs) hit every tool alike. Each entry is a dict with
    cmd, setup ("" = none), runs, warmup. Returns one result dict per entry."""
    rounds = max(e["runs"] for e in entries)
    for e in entries:
        e["samples"], e["loads"] = [], []
        e["first"] = (rounds - e["runs"]) // 2
        if e["warmup"]:
            if e["setup"]:
                subprocess.run(["bash", "-c", e["setup"]], check=True)
            cmd = e["cmd"]
            if "@DST@" in cmd:
                # A write command's warm-up gets a fresh target of its own, removed with the rest.
                dst = fresh_dir(e["scratch"])
                e.setdefault("made", []).append(dst)
                cmd = cmd.replace("@DST@", q(dst))
            run_once(cmd)
    for r in range(rounds):
        for e in entries:
            if not e["first"] <= r < e["first"] + e["runs"]:
                continue
            setup, cmd = e["setup"], e["cmd"]
            if "@RERUN@" in cmd:
                # One target, completed by an untimed first run: every timed run is a rerun.
                dst = e["scratch"] / f"rerun-{os.getpid()}"
                if not e.get("made"):
                    e["made"] = [dst]
                setup, cmd = setup.replace("@RERUN@", q(dst)), cmd.replace("@RERUN@", q(dst))
            # Fresh SQLite file / PostgreSQL schema per run, named in both setup and command;
            # removed (file) or dropped (schema) after the group.
            if "@SQLITE@" in cmd or "@SQLITE@" in setup:
                f = fresh_dir(e["scratch"]).with_suffix(".db")
                e.setdefault("made_files", []).append(f)
                setup, cmd = setup.replace("@SQLITE@", q(f)), cmd.replace("@SQLITE@", q(f))
            if "@SCHEMA@" in cmd or "@SCHEMA@" in setup:
                _fresh[0] += 1
                s = f"bench_{os.getpid()}_{_fresh[0]}"
                e.setdefault("made_schemas", []).append(s)
                setup, cmd = setup.replace("@SCHEMA@", s), cmd.replace("@SCHEMA@", s)
            if setup:
                subprocess.run(["bash", "-c", setup], check=True)
            if "@DST@" in cmd:
                dst = fresh_dir(e["scratch"])
                e.setdefault("made", []).append(dst)
                cmd = cmd.replace("@DST@", q(dst))
            e["loads"].append(load())
            e["samples"].append(run_once(cmd))
            e["loads"].append(load())
    out = []
    for e in entries:
        times = [x[0] for x in e["samples"]]
        lo = min(float(x.split()[0]) for x in e["loads"])
        hi = max(float(x.split()[0]) for x in e["loads"])
        # Phases printed by bench/jv_sql.py as a JSON line (read_s, index_s, write_s, …):
        # the median of each over the runs.
        phases = {}
        for x in e["samples"]:
            try:
                d = json.loads(x[2].splitlines()[-1])
            except (ValueError, IndexError):
                continue
            if isinstance(d, dict):
                for k, v in d.items():
                    if isinstance(v, (int, float)):
                        phases.setdefault(k, []).append(v)
        out.append({
            "phases": {k: statistics.median(v) for k, v in phases.items()},
            "cmd": e["cmd"],
            "runs": e["runs"],
            "median_s": statistics.median(times),
            "min_s": min(times),
            "max_s": max(times),
            "rss_mib": max(x[1] for x in e["samples"]) / 1024,
            "out": e["samples"][-1][2],
            # 1-minute load average seen around the runs: lowest-highest
            "load": f"{lo:.1f}–{hi:.1f}",
        })
    return out


def ensure_store(n: int) -> Path:
    d = BENCH / f"store-{n}"
    if not d.exists():
        log(f"building the {n}-city store with jvspatial (takes ~{max(1, n // 10000)} min)...")
        subprocess.run([PY, str(REPO / "bench/make_store.py"), str(n), str(d)], check=True)
    return d


def files(d: Path, colls) -> int:
    return sum(1 for c in colls for p in (d / c).iterdir() if p.name.endswith(".json"))


def q(p) -> str:
    return shlex.quote(str(p))


def mongo_uri():
    uri = os.environ.get("BENCH_MONGO_URI")
    if uri:
        return uri, None
    server = REPO / "tests/mongo_server/server.py"
    if not server.exists():
        return None, None
    port_file = BENCH / "mongo.port"
    port_file.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [PY, str(server), "--port", "0", "--port-file", str(port_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        if port_file.exists() and port_file.read_text().strip():
            return f"mongodb://127.0.0.1:{port_file.read_text().strip()}", proc
        time.sleep(0.1)
    proc.kill()
    return None, None


def bench_size(n: int, mongo) -> list:
    store = ensure_store(n)
    scratch = BENCH / f"scratch-{n}"
    scratch.mkdir(exist_ok=True)
    nodes = files(store, ["node"])
    edges = files(store, ["edge"])
    total = files(store, [p.name for p in store.iterdir() if p.is_dir()])
    jsonl = BENCH / f"nodes-{n}.jsonl"
    if "save" in OPS and not jsonl.exists():
        subprocess.run(["bash", "-c", f"{q(JVDB)} -q --db {q(store)} find node --format jsonl > {q(jsonl)}"], check=True)
    slow = RUNS if n <= 10000 else SLOW_RUNS
    rows = []

    def row(op, tool, records, m, note=""):
        m.update(size=n, op=op, tool=tool, records=records, note=note, cmd=redact_pw(m["cmd"]))
        m["rec_per_s"] = records / m["median_s"] if m["median_s"] else 0
        log(f"  {n:>6} {op:<22} {tool:<22} {m['median_s']:8.3f}s  {m['rss_mib']:7.1f} MiB  load {m['load']}  {m['out'][-60:]!r}")
        rows.append(m)
        # Every finished row also goes to a file at once, so an interrupted run keeps its figures.
        with open(BENCH / f"rows-{os.getpid()}.jsonl", "a") as f:
            f.write(json.dumps(m) + "\n")

    cat = lambda colls: f"cd {q(store)} && find {' '.join(colls)} -name '*.json' -print0 | xargs -0 -P2 cat > /dev/null"
    jv = f"{q(JVDB)} -q --db {q(store)}"

    def group(op, records, items, settle=True):
        """items: (tool, cmd, setup, runs, warmup, note); `@DST@` in a command = a fresh
        target directory per run, all removed after the group (then SETTLE_S of quiet, unless
        settle=False: targets of a few files each, as the archives of `dump`, free too few
        inodes for ext4's recently-deleted skip to matter);
        `@SQLITE@` / `@SCHEMA@` = a fresh SQLite file / PostgreSQL schema per run (setup and
        command), removed / dropped after the group. Tools not in BENCH_TOOLS are left out."""
        if any(x and x in op for x in SQL_SKIP):
            log(f"  {op}: skipped (BENCH_SQL_SKIP)")
            return
        # BENCH_SLOW_RUNS=0 leaves jvspatial's slow writes out at the large sizes.
        items = [i for i in items if tool_kind(i[0]) in TOOLS and i[3] > 0]
        if not items:
            return
        entries = [dict(tool=t, cmd=c, setup=su, runs=ru, warmup=w, note=no, scratch=scratch) for t, c, su, ru, w, no in items]
        for e, m in zip(entries, measure_group(entries)):
            row(op, e["tool"], records, m, e["note"] if e["note"] else ("" if e["runs"] == RUNS else f"{e['runs']} run(s)"))
        for f in (f for e in entries for f in e.get("made_files", [])):
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(f) + suffix).unlink(missing_ok=True)
        schemas = [s for e in entries for s in e.get("made_schemas", [])]
        if schemas and PG["dsn"]:
            subprocess.run([PY, str(REPO / "bench/jv_sql.py"), "drop", PG["dsn"], *schemas], check=True)
        made = [d for e in entries for d in e.get("made", [])]
        if made:
            for d in made:
                shutil.rmtree(d, ignore_errors=True)
            os.sync()
            if settle:
                log(f"  removed {len(made)} target(s); settling {SETTLE_S:.0f} s")
                time.sleep(SETTLE_S)

    R = RUNS
    if "count" in OPS:
        group("count edge (filter)", edges, [
            ("jvdb", f"{jv} count edge --query {q(COUNT_Q)}", "", R, True, ""),
            ("jvspatial", f"{JV} count {q(store)} edge {q(COUNT_Q)}", "", R, False, ""),
            ("xargs -P2 cat", cat(["edge"]), "", R, False, ""),
        ])
    if "find" in OPS:
        group("find node (2 fields)", nodes, [
            ("jvdb", f"{jv} find node --query {q(FIND_Q)} --format jsonl > /dev/null", "", R, True, ""),
            ("jvdb (count)", f"{jv} find node --query {q(FIND_Q)} --count", "", R, False, ""),
            ("jvspatial", f"{JV} find {q(store)} node {q(FIND_Q)} > /dev/null", "", R, False, ""),
            ("xargs -P2 cat", cat(["node"]), "", R, False, ""),
        ])
    if "cleanup" in OPS:
        group("cleanup --dry-run", nodes + edges, [
            ("jvdb", f"{jv} cleanup --dry-run | wc -l", "", R, True, ""),
            ("jvspatial", f"{JV} cleanup {q(store)} | wc -l", "", R, False, ""),
            ("xargs -P2 cat", cat(["node", "edge"]), "", R, False, ""),
        ])
    # `graph` = check and stats; `check` or `stats` alone picks one.
    if "graph" in OPS or "check" in OPS:
        # `jvdb check` exits 7 when it has findings (the stores have dangling edges); any
        # other code fails the run (exit 99: run_once accepts only 0 and 1).
        group("check", nodes + edges, [
            ("jvdb", f"{jv} check --format json > /dev/null; rc=$?; [ $rc -eq 0 -o $rc -eq 7 ] || exit 99", "", R, True, ""),
            ("jvspatial", f"{JV} check {q(store)}", "", R, False, ""),
        ])
    if "graph" in OPS or "stats" in OPS:
        group("stats --format json", total, [
            ("jvdb", f"{jv} stats --format json > /dev/null", "", R, True, ""),
            ("jvspatial", f"{JV} stats {q(store)} > /dev/null", "", R, False, ""),
            ("xargs -P2 cat", cat([p.name for p in store.iterdir() if p.is_dir()]), "", R, False, ""),
        ])
    # Writes: no warm-up (the source is in the page cache from the reads), target removed
    # before every run (not timed).
    if "migrate" in OPS:
        group("migrate json->json", total, [
            ("jvdb", f"{q(JVDB)} -q migrate --from {q(store)} --to @DST@", "", R, False, ""),
            ("jvdb --no-verify", f"{q(JVDB)} -q migrate --no-verify --from {q(store)} --to @DST@", "", R, False, ""),
            # The same command again on a target that a first run completed: records already
            # identical are compared, not rewritten (issue 9 item 7: at most 15% of the first run).
            ("jvdb rerun (complete target)", f"{q(JVDB)} -q migrate --from {q(store)} --to @RERUN@",
             f"[ -d @RERUN@ ] || {q(JVDB)} -q migrate --from {q(store)} --to @RERUN@", R, False, ""),
            ("jvspatial bulk_save", f"{JV} copy {q(store)} @DST@ bulk", "", slow, False, ""),
        ])
    if "save" in OPS:
        items = [
            ("jvdb", f"{q(JVDB)} -q --db @DST@ save node {q(jsonl)}", "", R, False, ""),
            ("jvspatial bulk_save", f"{JV} save @DST@ node {q(jsonl)} bulk", "", slow, False, ""),
        ]
        if n <= 10000:
            items.append(("jvspatial save() loop", f"{JV} save @DST@ node {q(jsonl)} loop", "", 1, False, ""))
        group("save JSONL (nodes)", nodes, items)
    if "mongo" in OPS and mongo[0] and n in MONGO_SIZES:
        uri = mongo[0]
        dbname = f"bench{n}"
        drop = f"{q(PY)} -c " + q(f"import pymongo; pymongo.MongoClient({uri!r}).drop_database({dbname!r})")
        target = f"{uri}/{dbname}"
        # Like for like with the bare loop: no index creation (on the mongomock test server
        # every index makes each insert scan the collection), no read-back verification.
        # The verified jvdb run goes last in each round: its result feeds mongodb -> json.
        group("migrate json->mongodb", total, [
            ("bare insert_many", f"{q(INSERT_MANY)} {q(store)} {q(uri)} {dbname} {MONGO_BATCH}", drop, R, True, ""),
            ("pymongo insert_many", f"{JV} mongo_insert {q(store)} {q(uri)} {dbname} {MONGO_BATCH}", drop, R, True, ""),
            ("jvdb", f"{q(JVDB)} -q migrate --no-indexes --no-verify --batch-size {MONGO_BATCH} --from {q(store)} --to {q(target)}", drop, R, True, "--no-indexes --no-verify"),
            ("jvdb verified", f"{q(JVDB)} -q migrate --no-indexes --batch-size {MONGO_BATCH} --from {q(store)} --to {q(target)}", drop, R, True, "--no-indexes"),
        ])
        group("migrate mongodb->json", total, [
            ("jvdb", f"{q(JVDB)} -q migrate --from {q(target)} --to @DST@", "", R, False, ""),
            ("jvspatial bulk_save", f"{JV} mongo_to_json {q(uri)} {dbname} @DST@", "", slow, False, ""),
        ])
        subprocess.run(["bash", "-c", drop], check=True)
    if "sqlite" in OPS:
        bench_sql(n, store, scratch, total, nodes, edges, group, "sqlite")
    if "postgres" in OPS and PG["dsn"]:
        bench_sql(n, store, scratch, total, nodes, edges, group, "postgres")
    if "archive" in OPS:
        bench_archive(n, store, scratch, total, group, mongo)
    return rows


# --- SQLite and PostgreSQL (issue 10) ---------------------------------------------------------
# Queries that jvspatial's SQLite translator cannot push down (it falls back to QueryEngine.match
# on every row of the collection); on PostgreSQL jvspatial pushes all of them down.
NONPUSH_Q = [
    ("$regex", '{"context.name": {"$regex": "^City 12"}}'),
    ("$size", '{"context.tags": {"$size": 2}}'),
    ("$all", '{"context.tags": {"$all": ["metro", "port"]}}'),
    ("numeric path", '{"context.tags.0": "metro"}'),
]
TOOLS = os.environ.get("BENCH_TOOLS", "jvdb jvspatial bare python").split()
# Operations left out: each word a part of an operation's name, e.g. "->json" (comma-separated).
# BENCH_SQL_NO_SRC=1: PostgreSQL only, no source schema is built by jvspatial (it takes minutes
# at 100k cities): only the migrate json->postgresql group runs.
NO_SRC = os.environ.get("BENCH_SQL_NO_SRC") == "1"
SQL_SKIP = [x.strip() for x in os.environ.get("BENCH_SQL_SKIP", "").split(",")]
# PostgreSQL: BENCH_PG_DSN, else a private durable cluster (tests/pg/cluster.sh) in BENCH_DIR.
PG = {"dsn": os.environ.get("BENCH_PG_DSN"), "dir": None, "pw": None}
PG_SETTINGS = "-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
JVS = f"{shlex.quote(PY)} {shlex.quote(str(REPO / 'bench/jv_sql.py'))}"
HAS_JVDB = {}


def tool_kind(tool: str) -> str:
    for k in ("jvdb", "jvspatial", "bare", "python"):
        if tool.startswith(k):
            return k
    return "other"


def pg_start() -> None:
    if PG["dsn"] or not ("postgres" in OPS or ("archive" in OPS and set(SIZES) & set(PG_ARCHIVE_SIZES))):
        return
    d = BENCH / "pg-cluster"
    subprocess.run([str(REPO / "tests/pg/cluster.sh"), "stop", str(d)], check=False)
    shutil.rmtree(d, ignore_errors=True)
    env = dict(os.environ, JVDB_PG_SETTINGS=PG_SETTINGS)
    p = subprocess.run([str(REPO / "tests/pg/cluster.sh"), "start", str(d)], env=env, check=True,
                       capture_output=True, text=True)
    PG["dsn"], PG["dir"] = p.stdout.strip().splitlines()[-1], d
    log(f"PostgreSQL cluster in {d} ({PG_SETTINGS})")


def pg_stop() -> None:
    if PG["dir"]:
        subprocess.run([str(REPO / "tests/pg/cluster.sh"), "stop", str(PG["dir"])], check=False)


def pg_spec(schema: str) -> str:
    return f"{PG['dsn']}{'&' if '?' in PG['dsn'] else '?'}schema={schema}"


def redact_pw(text: str) -> str:
    import re
    return re.sub(r"(postgres(?:ql)?://[^:/@]+:)[^@]+@", r"\1***@", text)


def jvdb_speaks(spec: str) -> bool:
    """True when this jvdb binary opens `spec` (a store jvspatial made) and counts it."""
    p = subprocess.run([JVDB, "-q", "--db", spec, "count", "node"], capture_output=True, text=True)
    if p.returncode != 0:
        log(f"  jvdb cannot read {redact_pw(spec)} ({p.returncode}: {redact_pw(p.stderr.strip())[:160]}); jvdb rows skipped")
    return p.returncode == 0


def bench_sql(n, store, scratch, total, nodes, edges, group, backend) -> None:
    """migrate json->X, X->json, count/find/cleanup on X, with jvspatial's own API and the bare
    driver as anchors (bench/jv_sql.py). Sources for the reads are built by jvspatial itself
    (JsonDB.find + bulk_save into the backend, with its ensure_indexes indexes) and cached."""
    R = RUNS
    slow = RUNS if n <= 10000 else SLOW_RUNS
    J = q(JVDB)
    if backend == "sqlite":
        src_file = BENCH / f"sqlite-src-{n}.db"
        if not src_file.exists():
            tmp = BENCH / f"sqlite-src-{n}.tmp.db"
            for sfx in ("", "-wal", "-shm"):
                Path(str(tmp) + sfx).unlink(missing_ok=True)
            log(f"building the {n}-city SQLite source with jvspatial...")
            subprocess.run(["bash", "-c", f"{JVS} to_sql {q(store)} sqlite:{q(tmp)} indexes"], check=True)
            os.rename(tmp, src_file)
        src = f"sqlite:{src_file}"
        new = "sqlite:@SQLITE@"
        bare = [
            ("bare executemany (indexes)", f"{JVS} sqlite_bare {q(store)} @SQLITE@", f"{JVS} prepare sqlite:@SQLITE@ indexes", R, False, ""),
            ("bare executemany (no indexes)", f"{JVS} sqlite_bare {q(store)} @SQLITE@", f"{JVS} prepare sqlite:@SQLITE@ base", R, False, ""),
        ]
        mk = ""
        name = "sqlite"
    else:
        schema = f"src_{n}"
        src = pg_spec(schema)
        cnt = subprocess.run(["psql", PG["dsn"], "-Atqc", f"SELECT (SELECT count(*) FROM {schema}.node) + (SELECT count(*) FROM {schema}.edge)"],
                             capture_output=True, text=True)
        if NO_SRC:
            pass
        elif cnt.returncode != 0 or not cnt.stdout.strip() or int(cnt.stdout.strip()) < total - 100:
            log(f"building the {n}-city PostgreSQL source schema {schema} with jvspatial...")
            subprocess.run([PY, str(REPO / "bench/jv_sql.py"), "drop", PG["dsn"], schema], check=True)
            subprocess.run(["psql", PG["dsn"], "-qc", f"CREATE SCHEMA {schema}"], check=True)
            subprocess.run(["bash", "-c", f"{JVS} to_sql {q(store)} {q(src)} indexes 2>/dev/null"], check=True)
        copyf = BENCH / f"pgcopy-{n}"
        if not Path(f"{copyf}.edge.uniq").exists():
            subprocess.run([PY, str(REPO / "bench/jv_sql.py"), "pg_copyfile", str(store), str(copyf)], check=True)
        mk = f"psql {q(PG['dsn'])} -qc 'CREATE SCHEMA @SCHEMA@'"
        new = q(pg_spec("@SCHEMA@"))
        copy = lambda edge_file: (f"psql {q(PG['dsn'])} -v ON_ERROR_STOP=1 -q "
                                  f"-c {q(chr(92) + 'copy @SCHEMA@.node (id, entity, tenant_id, data) FROM ' + repr(str(copyf) + '.node'))} "
                                  f"-c {q(chr(92) + 'copy @SCHEMA@.edge (id, entity, tenant_id, data) FROM ' + repr(edge_file))}")
        bare = [
            # With ensure_indexes' unique (source, target, entity) index a COPY of the two
            # records that share endpoints would abort: that file leaves the second one out.
            ("bare psql \\copy (indexes)", copy(f"{copyf}.edge.uniq"), f"{mk} && {JVS} prepare {new} indexes", R, False, ""),
            ("bare psql \\copy (no indexes)", copy(f"{copyf}.edge"), f"{mk} && {JVS} prepare {new} base", R, False, ""),
        ]
        name = "postgresql"
    if NO_SRC:
        HAS_JVDB[backend] = True
    if backend not in HAS_JVDB:
        HAS_JVDB[backend] = jvdb_speaks(src)
    has = HAS_JVDB[backend]
    keep = lambda items: [i for i in items if has or tool_kind(i[0]) != "jvdb"]
    srcq = q(src)
    jv = f"{J} -q --db {srcq}"
    op = lambda s: f"{name}: {s}"

    group(op(f"migrate json->{name}"), total, keep([
        ("jvdb", f"{J} -q migrate --from {q(store)} --to {new}", mk, R, False, ""),
        ("jvdb --no-verify", f"{J} -q migrate --no-verify --from {q(store)} --to {new}", mk, R, False, ""),
        ("jvdb --no-indexes --no-verify", f"{J} -q migrate --no-indexes --no-verify --from {q(store)} --to {new}", mk, R, False, ""),
        ("jvdb read only (migrate to memory:)", f"{J} -q migrate --no-verify --from {q(store)} --to memory:", "", R, False, ""),
        ("jvspatial bulk_save (indexes)", f"{JVS} to_sql {q(store)} {new} indexes 2>/dev/null", mk, R, False, ""),
        ("jvspatial bulk_save (no indexes)", f"{JVS} to_sql {q(store)} {new} base 2>/dev/null", mk, R, False, ""),
        *bare,
    ]))
    if NO_SRC:
        log(f"  {name}: reads and {name}->json skipped (BENCH_SQL_NO_SRC: no source built)")
        return
    reads = [
        ("count edge (filter)", "count", "edge", COUNT_Q),
        ("find node (2 fields)", "find", "node", FIND_Q),
    ] + [(f"find node ({k})", "find", "node", v) for k, v in NONPUSH_Q]
    for title, kind, coll, query in reads:
        if kind == "count":
            jcmd = f"{jv} count {coll} --query {q(query)}"
            pcmd = f"{JVS} count {srcq} {coll} {q(query)}"
        else:
            jcmd = f"{jv} find {coll} --query {q(query)} --format jsonl | wc -l"
            pcmd = f"{JVS} find {srcq} {coll} {q(query)} 2>/dev/null | wc -l"
        group(op(title), edges if coll == "edge" else nodes, keep([
            ("jvdb", jcmd, "", R, True, ""),
            ("jvspatial", pcmd, "", R, False, ""),
            ("python + import (jvspatial)", f"{JVS} import", "", R, False, ""),
        ]))
    group(op("cleanup --dry-run"), nodes + edges, keep([
        ("jvdb", f"{jv} cleanup --dry-run | wc -l", "", R, True, ""),
        ("jvspatial", f"{JVS} cleanup {srcq} 2>/dev/null | wc -l", "", R, False, ""),
    ]))
    group(op(f"migrate {name}->json"), total, keep([
        ("jvdb", f"{J} -q migrate --from {srcq} --to @DST@", "", R, False, ""),
        ("jvdb --no-verify", f"{J} -q migrate --no-verify --from {srcq} --to @DST@", "", R, False, ""),
        ("jvspatial bulk_save", f"{JVS} to_json {srcq} @DST@ 2>/dev/null", "", slow, False, ""),
    ]))


# --- Archives: dump and restore (issue 13) -----------------------------------------------------
# The reference each archive operation is compared with (time of this ÷ time of that).
ARCHIVE_REF = {
    "archive: dump json": "bare GNU tar --zstd",
    "archive: restore json": "jvdb migrate json->json",
    "archive: dump mongodb": "jvdb find (every collection)",
    "archive: dump postgresql": "jvdb find (every collection)",
}


def bench_archive(n, store, scratch, total, group, mongo) -> None:
    """`jvdb dump` of the JSON store against `tar --zstd` of the same directory; `restore` of
    that archive against `migrate` of the store (both durable, verified); `dump` of a MongoDB
    and a PostgreSQL store (loaded by `jvdb migrate`) against jvdb's own `find` of every
    collection. Each dump run writes a fresh file (dump refuses an existing one) and prints
    the archive's size in bytes (`stat`, inside the timed command for every tool alike)."""
    R = RUNS
    J = q(JVDB)
    colls = sorted(p.name for p in store.iterdir() if p.is_dir())
    size = lambda f: f" && stat -c %s {f}"
    dump = lambda spec, extra="": (f"mkdir @DST@ && {J} -q --db {q(spec)} dump{extra} -o @DST@/b.tar.zst"
                                   + size("@DST@/b.tar.zst"))
    # Reads: one warm-up each (page cache, server caches), as the other read groups.
    group("archive: dump json", total, [
        ("jvdb dump", dump(store), "", R, True, ""),
        ("jvdb dump --no-verify", dump(store, " --no-verify"), "", R, True, "--no-verify"),
        ("bare GNU tar --zstd", f"mkdir @DST@ && tar --zstd -cf @DST@/t.tar.zst -C {q(store)} ." + size("@DST@/t.tar.zst"), "", R, True, ""),
    ], settle=False)

    def db_dump(name, spec, records):
        finds = (f"for c in {' '.join(q(c) for c in colls)}; do {J} -q --db {q(spec)} find \"$c\" --format jsonl || exit $?; "
                 f"done > /dev/null")
        group(f"archive: dump {name}", records, [
            ("jvdb dump", dump(spec), "", R, True, ""),
            ("jvdb dump --no-verify", dump(spec, " --no-verify"), "", R, True, "--no-verify"),
            ("jvdb find (every collection)", finds, "", R, True, "--format jsonl"),
        ], settle=False)

    if mongo[0] and n in MONGO_SIZES:
        uri, dbname = mongo[0], f"bencharchive{n}"
        target = f"{uri}/{dbname}"
        drop = f"{q(PY)} -c " + q(f"import pymongo; pymongo.MongoClient({uri!r}).drop_database({dbname!r})")
        # Loaded as the `mongo` group's verified run loads it (no index creation on mongomock).
        log(f"  loading the {n}-city store into {target} (jvdb migrate --no-indexes)")
        subprocess.run(["bash", "-c", f"{drop} && {J} -q migrate --no-indexes --batch-size {MONGO_BATCH} --from {q(store)} --to {q(target)}"], check=True)
        db_dump("mongodb", target, total)
        subprocess.run(["bash", "-c", drop], check=True)
    if PG["dsn"] and n in PG_ARCHIVE_SIZES:
        schema = f"archive_{n}"
        spec = pg_spec(schema)
        log(f"  loading the {n}-city store into PostgreSQL schema {schema} (jvdb migrate)")
        subprocess.run([PY, str(REPO / "bench/jv_sql.py"), "drop", PG["dsn"], schema], check=True)
        subprocess.run(["psql", PG["dsn"], "-qc", f"CREATE SCHEMA {schema}"], check=True)
        # Exit 1: the stores' two edges that share (source, target, entity) with another are
        # refused by jvspatial's unique index (see the SQLite and PostgreSQL section); the
        # rest is written. Records = what the schema holds.
        p = subprocess.run([JVDB, "-q", "migrate", "--from", str(store), "--to", spec], capture_output=True, text=True)
        if p.returncode not in (0, 1):
            raise RuntimeError(f"migrate into {schema} failed ({p.returncode}): {redact_pw(p.stderr)[-2000:]}")
        held = subprocess.run(["psql", PG["dsn"], "-Atqc", "SELECT " + " + ".join(f"(SELECT count(*) FROM {schema}.{c})" for c in colls)],
                              capture_output=True, text=True, check=True)
        db_dump("postgresql", spec, int(held.stdout.strip()))
        subprocess.run([PY, str(REPO / "bench/jv_sql.py"), "drop", PG["dsn"], schema], check=True)

    # Restore: the archive of the store (untimed), restored into a fresh directory, against
    # migrate of the store itself into one; both durable and verified, no warm-up (writes).
    arch = scratch / f"archive-{n}.tar.zst"
    arch.unlink(missing_ok=True)
    subprocess.run([JVDB, "-q", "--db", str(store), "dump", "-o", str(arch)], check=True)
    group("archive: restore json", total, [
        ("jvdb restore", f"{J} -q restore {q(arch)} --to @DST@", "", R, False, ""),
        ("jvdb migrate json->json", f"{J} -q migrate --from {q(store)} --to @DST@", "", R, False, ""),
    ])
    arch.unlink(missing_ok=True)


def archive_bytes(r):
    try:
        return int(r["out"].split()[-1])
    except (ValueError, IndexError):
        return None


def archive_table(rows) -> str:
    out = ["| cities | operation | tool | median s | min–max s | runs | records/s | peak RSS MiB | archive bytes | time ÷ reference | load (1-min) |",
           "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    by = {(r["size"], r["op"], r["tool"]): r for r in rows}
    ref = lambda r: by.get((r["size"], r["op"], ARCHIVE_REF.get(r["op"], "")))
    for r in rows:
        b = archive_bytes(r) if "dump" in r["op"] and "find" not in r["tool"] else None
        f = ref(r)
        ratio = f"{r['median_s'] / f['median_s']:.2f}×" if f and f is not r and f["median_s"] else ("(reference)" if f is r else "")
        out.append(f"| {r['size']:,} | {r['op'][len('archive: '):]} | {r['tool']} | {r['median_s']:.3f} | {r['min_s']:.3f}–{r['max_s']:.3f} | "
                   f"{r['runs']} | {r['rec_per_s']:,.0f} | {r['rss_mib']:.1f} | {f'{b:,}' if b else ''} | {ratio} | {r['load']} |")
    out += ["", "Targets (issue 13, item 6):", ""]
    met = lambda ok: "met" if ok else "**missed**"
    for n in sorted({r["size"] for r in rows}):
        d, dn, t = (by.get((n, "archive: dump json", k)) for k in ("jvdb dump", "jvdb dump --no-verify", "bare GNU tar --zstd"))
        if d and t:
            x = d["median_s"] / t["median_s"]
            out.append(f"- {n:,}: dump ÷ tar time {d['median_s']:.3f} ÷ {t['median_s']:.3f} s = {x:.2f}× (≤ 1.3×): {met(x <= 1.3)}"
                       + (f"; `--no-verify` {dn['median_s'] / t['median_s']:.2f}×" if dn else ""))
            out.append(f"- {n:,}: dump peak RSS {d['rss_mib']:.1f} MiB (≤ 64 MiB): {met(d['rss_mib'] <= 64)}"
                       + (f"; `--no-verify` {dn['rss_mib']:.1f} MiB" if dn else ""))
            bd, bt = archive_bytes(d), archive_bytes(t)
            if bd and bt:
                out.append(f"- {n:,}: archive size dump ÷ tar {bd:,} ÷ {bt:,} = {bd / bt:.3f} (≤ 1.10): {met(bd / bt <= 1.10)}")
        rs, mg = by.get((n, "archive: restore json", "jvdb restore")), by.get((n, "archive: restore json", "jvdb migrate json->json"))
        if rs and mg:
            out.append(f"- {n:,}: restore ÷ migrate time {rs['median_s']:.3f} ÷ {mg['median_s']:.3f} s = {rs['median_s'] / mg['median_s']:.2f}× "
                       f"(≈ 1); restore peak RSS {rs['rss_mib']:.1f} MiB")
        for name in ("mongodb", "postgresql"):
            op = f"archive: dump {name}"
            d, dn, fd = (by.get((n, op, k)) for k in ("jvdb dump", "jvdb dump --no-verify", "jvdb find (every collection)"))
            if d and fd:
                x = fd["median_s"] / d["median_s"]
                out.append(f"- {n:,} {name}: dump {d['rec_per_s']:,.0f} records/s ÷ find {fd['rec_per_s']:,.0f} records/s = {x:.0%} (≥ 80%): {met(x >= 0.8)}"
                           + (f"; `--no-verify` {dn['rec_per_s']:,.0f} records/s = {fd['median_s'] / dn['median_s']:.0%}" if dn else ""))
    return "\n".join(out)


def sql_table(rows) -> str:
    out = ["| cities | operation | tool | median s | min–max s | runs | records/s | peak RSS MiB | jvspatial ÷ this | phases (median s) | load (1-min) |",
           "|---:|---|---|---:|---:|---:|---:|---:|---:|---|---|"]
    ref = {}
    for r in rows:
        if r["tool"].startswith("jvspatial"):
            ref.setdefault((r["size"], r["op"]), r)
    for r in rows:
        jr = ref.get((r["size"], r["op"]))
        ratio = f"{jr['median_s'] / r['median_s']:.1f}×" if jr and r["median_s"] else ""
        ph = r.get("phases") or {}
        phs = ", ".join(f"{k} {v:.3f}" for k, v in ph.items() if k.endswith("_s"))
        extra = [f"{k} {int(v)}" for k, v in ph.items() if k in ("failed", "rows") and v]
        out.append(f"| {r['size']:,} | {r['op']} | {r['tool']} | {r['median_s']:.3f} | {r['min_s']:.3f}–{r['max_s']:.3f} | {r['runs']} | "
                   f"{r['rec_per_s']:,.0f} | {r['rss_mib']:.1f} | {ratio} | {'; '.join(x for x in [phs, ', '.join(extra)] if x)} | {r['load']} |")
    return "\n".join(out)


def table(rows) -> str:
    by = {(r["size"], r["op"], r["tool"]): r for r in rows}
    out = ["| cities | operation | tool | median s | runs | records/s | peak RSS MiB | jvspatial ÷ jvdb | cat ÷ jvdb | load (1-min, during runs) |",
           "|---:|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        jvr = by.get((r["size"], r["op"], "jvdb"))
        ratio_jv = ratio_cat = ""
        if r["tool"] == "jvdb":
            for (s, o, t), other in by.items():
                if s == r["size"] and o == r["op"] and t.startswith("jvspatial") and "loop" not in t:
                    ratio_jv = f"{other['median_s'] / r['median_s']:.1f}×"
                if s == r["size"] and o == r["op"] and t in ("xargs -P2 cat", "bare insert_many"):
                    ratio_cat = f"{other['median_s'] / r['median_s']:.2f}"
        elif r["tool"].startswith("jvspatial") and jvr:
            ratio_jv = f"({r['median_s'] / jvr['median_s']:.1f}×)"
        out.append(
            f"| {r['size']:,} | {r['op']} | {r['tool']}{' `' + r['note'] + '`' if r['note'].startswith('--') else ''} | {r['median_s']:.3f} | {r['runs']} | "
            f"{r['rec_per_s']:,.0f} | {r['rss_mib']:.1f} | {ratio_jv} | {ratio_cat} | {r['load']} |"
        )
    if len(SIZES) >= 2:
        a, b = SIZES[0], SIZES[-1]
        out += ["", f"Scaling {a:,} → {b:,} cities (time ratio ÷ record ratio; 1.00 = linear):", "",
                "| operation | tool | t small s | t large s | records ratio | time ratio | scaling | RSS small → large MiB |",
                "|---|---|---:|---:|---:|---:|---:|---|"]
        for r in rows:
            if r["size"] != a:
                continue
            big = by.get((b, r["op"], r["tool"]))
            if not big:
                continue
            rr = big["records"] / r["records"]
            tr = big["median_s"] / r["median_s"]
            out.append(f"| {r['op']} | {r['tool']} | {r['median_s']:.3f} | {big['median_s']:.3f} | {rr:.2f} | {tr:.2f} | {tr / rr:.2f} | {r['rss_mib']:.1f} → {big['rss_mib']:.1f} |")
    for n in SIZES:
        first = by.get((n, "migrate json->json", "jvdb"))
        again = by.get((n, "migrate json->json", "jvdb rerun (complete target)"))
        if first and again:
            out += ["", f"migrate rerun ÷ first run at {n:,} cities: {again['median_s']:.3f} s ÷ {first['median_s']:.3f} s = "
                    f"{again['median_s'] / first['median_s']:.1%} (target ≤ 15%)"]
    return "\n".join(out)


def main():
    BENCH.mkdir(parents=True, exist_ok=True)
    if not Path(JVDB).exists():
        raise SystemExit(f"{JVDB} not found: run bench/run.sh (it builds the release binary)")
    mongo = (None, None)
    if "mongo" in OPS or ("archive" in OPS and set(SIZES) & set(MONGO_SIZES)):
        mongo = mongo_uri()
        if not mongo[0]:
            log("no MongoDB server (set BENCH_MONGO_URI); skipping the mongo measurements")
    started = datetime.datetime.now().astimezone()
    head = {
        "date": started.isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, {platform.platform()}",
        "commit": subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
        "load_start": load(),
        "runs": RUNS,
    }
    log(f"jvdb bench {head}")
    rows = []
    try:
        pg_start()
        for n in SIZES:
            rows += bench_size(n, mongo)
    finally:
        if mongo[1]:
            mongo[1].terminate()
        pg_stop()
    head["load_end"] = load()
    stamp = started.strftime("%Y%m%d-%H%M%S")
    (BENCH / f"results-{stamp}.json").write_text(json.dumps({"head": head, "rows": rows}, indent=2))
    print(f"jvdb {head['commit']}, {head['date']}, {head['machine']}; median of {RUNS} runs; "
          f"load {head['load_start']} at start, {head['load_end']} at end\n")
    sql = [r for r in rows if r["op"].startswith(("sqlite: ", "postgresql: "))]
    arc = [r for r in rows if r["op"].startswith("archive: ")]
    rest = [r for r in rows if r not in sql and r not in arc]
    if rest:
        print(table(rest))
    if sql:
        print("\nSQLite and PostgreSQL (issue 10):\n")
        print(sql_table(sql))
    if arc:
        print("\nArchives: dump and restore (issue 13):\n")
        print(archive_table(arc))


if __name__ == "__main__":
    main()
