//! `--partition K/N` (issue 11 item 4, "past one machine"), through the real binary: the hash
//! (known values; PostgreSQL's server-side SQL gives the same partition as Rust), the proof
//! (4 concurrent `migrate --partition K/4` of a 100k-record PostgreSQL store into one target
//! equal a full migrate), copy/verify --partition on JSON, SQLite and MongoDB stores (pushed
//! down and in-process), unreadable records, and bad values (exit 2). Every command runs with a
//! hard time limit.

mod common;

use common::mongo_server::TestServer;
use common::pg_server::{fresh_schema, psql, spec_for};
use jvdb::partition::{Partition, partition_of};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `jvdb ARGS` in `cwd`, not yet started (no JVSPATIAL_* variables, stdin closed).
fn cmd(cwd: &Path, args: &[&str]) -> Command {
    let mut c = common::bin::jv(cwd);
    c.args(args);
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    c
}

/// Wait for `child` at most until `deadline`; past it the child is killed and the test fails.
fn wait_limited(mut child: Child, deadline: Instant, what: &str) -> Output {
    // Drain the pipes in threads, so a chatty child never blocks on a full pipe.
    let mut so = child.stdout.take().expect("stdout");
    let mut se = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = so.read_to_end(&mut b);
        b
    });
    let err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = se.read_to_end(&mut b);
        b
    });
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return Output {
                status,
                stdout: out.join().expect("stdout reader"),
                stderr: err.join().expect("stderr reader"),
            };
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running at its time limit; killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Run `jvdb ARGS` with a hard time limit.
fn run(cwd: &Path, args: &[&str], limit_secs: u64) -> Output {
    let child = cmd(cwd, args).spawn().expect("spawn jvdb");
    let what = format!("jvdb {}", args.join(" "));
    wait_limited(
        child,
        Instant::now() + Duration::from_secs(limit_secs),
        &what,
    )
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Run and require exit 0.
fn ok(cwd: &Path, args: &[&str], limit_secs: u64) -> Output {
    let o = run(cwd, args, limit_secs);
    assert_eq!(
        code(&o),
        0,
        "jvdb {}: {}{}",
        args.join(" "),
        out(&o),
        err(&o)
    );
    o
}

/// `collection -> (count, hash)` from `verify --format jsonl` (A side and B side).
type Sides = BTreeMap<String, ((i64, String), (i64, String))>;

fn verify_sides(cwd: &Path, extra: &[&str], a: &str, b: &str) -> (i32, Sides) {
    let mut args = vec!["verify", "--format", "jsonl"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&[a, b]);
    let o = run(cwd, &args, 240);
    let mut sides = Sides::new();
    for line in out(&o).lines() {
        let v = jvdb::json::parse_str(line).expect("jsonl");
        let s = |k: &str| match v.get(k) {
            Some(jvdb::Value::Str(s)) => s.clone(),
            other => panic!("{k}: {other:?}"),
        };
        let i = |k: &str| match v.get(k) {
            Some(jvdb::Value::Int(i)) => *i,
            other => panic!("{k}: {other:?}"),
        };
        sides.insert(
            s("collection"),
            ((i("count_a"), s("hash_a")), (i("count_b"), s("hash_b"))),
        );
    }
    (code(&o), sides)
}

/// `name: read N` per collection from a transfer's summary lines.
fn reads(stderr: &str) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for l in stderr.lines() {
        let t = l.trim();
        if let Some((name, rest)) = t.split_once(": read ")
            && let Some(n) = rest.split(',').next()
        {
            m.insert(name.to_string(), n.trim().parse().expect("count"));
        }
    }
    m
}

// ---------------------------------------------------------------------------------------
// (a) the hash

#[test]
fn hash_known_values() {
    // First 4 bytes of md5, big-endian, as an unsigned number (values from Python's hashlib).
    let known: &[(&str, u32)] = &[
        ("", 3558706393),
        ("abc", 2416005272),
        ("é", 1725812119),
        ("n:City:00000001", 2211142761),
        ("日本", 1304351462),
        ("😀", 704834243),
    ];
    for &(id, first) in known {
        for n in [1u32, 2, 3, 4, 7, 1000, u32::MAX] {
            assert_eq!(
                partition_of(id.as_bytes(), n),
                first % n + 1,
                "{id:?} of {n}"
            );
        }
    }
    // An id with a lone surrogate hashes its generalized UTF-8 bytes (ED A0 80 for U+D800).
    assert_eq!(partition_of(b"a\xed\xa0\x80", 5), 2702208662 % 5 + 1);
    assert_eq!(Partition::parse("3/8").unwrap().to_string(), "3/8");
}

/// Ids of every shape the tests use: ASCII, accents, CJK, emoji, quotes, spaces.
fn sample_ids(n: usize) -> Vec<String> {
    let shapes = [
        "n:City:{}",
        "e:Road:{}",
        "é-{}",
        "日本{}",
        "😀 {}",
        "o'clock {}",
        "x\"{}\"",
        "Ω{}ß",
    ];
    (0..n)
        .map(|i| shapes[i % shapes.len()].replace("{}", &format!("{i:x}")))
        .collect()
}

#[test]
fn postgres_sql_gives_the_same_partition_as_rust() {
    let schema = fresh_schema();
    let ids = sample_ids(3000);
    psql(&format!("CREATE TABLE {schema}.ids (id text PRIMARY KEY)"));
    let values: Vec<String> = ids
        .iter()
        .map(|id| format!("('{}')", id.replace('\'', "''")))
        .collect();
    psql(&format!(
        "INSERT INTO {schema}.ids (id) VALUES {}",
        values.join(",")
    ));
    // N above 2^31 as well: a signed reading of the 32 bits would give negative remainders.
    for n in [1u32, 2, 3, 4, 7, 16, 3_000_000_019] {
        let ks: Vec<u32> = if n <= 16 {
            (1..=n).collect()
        } else {
            let mut k: Vec<u32> = ids
                .iter()
                .take(40)
                .map(|i| partition_of(i.as_bytes(), n))
                .collect();
            k.sort();
            k.dedup();
            k
        };
        // The condition jvdb's PostgreSQL backend puts in its WHERE clause.
        let sql: Vec<String> = ks
            .iter()
            .map(|&k| {
                let cond = Partition::new(k, n).unwrap().postgres_condition("id");
                format!("SELECT {k}, id FROM {schema}.ids WHERE {cond}")
            })
            .collect();
        let rows = psql(&sql.join(" UNION ALL "));
        let mut got: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
        for line in rows.lines() {
            let (k, id) = line.split_once('|').expect("k|id");
            got.entry(k.parse().unwrap())
                .or_default()
                .insert(id.to_string());
        }
        for &k in &ks {
            let want: BTreeSet<String> = ids
                .iter()
                .filter(|i| partition_of(i.as_bytes(), n) == k)
                .cloned()
                .collect();
            let have = got.remove(&k).unwrap_or_default();
            assert_eq!(have, want, "partition {k}/{n}");
        }
        if n <= 16 {
            // every id in exactly one partition: the shares add up
            let total: usize = ks
                .iter()
                .map(|&k| {
                    ids.iter()
                        .filter(|i| partition_of(i.as_bytes(), n) == k)
                        .count()
                })
                .sum();
            assert_eq!(total, ids.len());
        }
    }
    psql(&format!("DROP SCHEMA {schema} CASCADE"));
}

// ---------------------------------------------------------------------------------------
// (b) the proof: 4 processes, one target, the union is a full migrate

fn write_big_store(dir: &Path, nodes: usize, edges: usize) -> (String, String) {
    let n = dir.join("nodes.jsonl");
    let e = dir.join("edges.jsonl");
    let mut s = String::with_capacity(nodes * 120);
    for i in 0..nodes {
        s.push_str(&format!(
            "{{\"id\": \"n:City:{i:08x}\", \"entity\": \"City\", \"context\": {{\"name\": \"city {i} é\", \"population\": {}, \"tags\": [\"a\", \"b\"], \"meta\": {{\"lat\": {}.5}}}}, \"edges\": []}}\n",
            i * 37,
            i % 90
        ));
    }
    fs::write(&n, s).unwrap();
    let mut s = String::with_capacity(edges * 160);
    for i in 0..edges {
        // (source, target, entity) unique: jvspatial's unique edge index in the target
        let (src, round) = (i % nodes, i / nodes);
        let dst = (src + 1 + round * 13) % nodes;
        s.push_str(&format!(
            "{{\"id\": \"e:Road:{i:08x}\", \"entity\": \"Road\", \"context\": {{\"km\": {}.25}}, \"source\": \"n:City:{src:08x}\", \"target\": \"n:City:{dst:08x}\", \"bidirectional\": {}}}\n",
            i % 500,
            i % 2 == 0
        ));
    }
    fs::write(&e, s).unwrap();
    (
        n.to_string_lossy().into_owned(),
        e.to_string_lossy().into_owned(),
    )
}

#[test]
fn four_concurrent_partitions_equal_one_full_migrate() {
    const NODES: usize = 40_000;
    const EDGES: usize = 60_000;
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    let (src_s, full_s, part_s) = (fresh_schema(), fresh_schema(), fresh_schema());
    let (src, full, part) = (spec_for(&src_s), spec_for(&full_s), spec_for(&part_s));
    let (nodes, edges) = write_big_store(dir, NODES, EDGES);
    ok(dir, &["save", "-q", "--db", &src, "node", &nodes], 180);
    ok(dir, &["save", "-q", "--db", &src, "edge", &edges], 180);

    let t0 = Instant::now();
    ok(dir, &["migrate", "--from", &src, "--to", &full], 300);
    let full_secs = t0.elapsed().as_secs_f64();

    // Four processes at once, one per partition, into one target.
    let t0 = Instant::now();
    let deadline = t0 + Duration::from_secs(300);
    let children: Vec<(u32, Child)> = (1..=4)
        .map(|k| {
            let p = format!("{k}/4");
            let args = ["migrate", "--from", &src, "--to", &part, "--partition", &p];
            (k, cmd(dir, &args).spawn().expect("spawn jvdb"))
        })
        .collect();
    let outs: Vec<(u32, Output)> = children
        .into_iter()
        .map(|(k, c)| {
            (
                k,
                wait_limited(c, deadline, &format!("migrate --partition {k}/4")),
            )
        })
        .collect();
    let part_secs = t0.elapsed().as_secs_f64();
    let mut sums: BTreeMap<String, u64> = BTreeMap::new();
    for (k, o) in &outs {
        let e = err(o);
        // each process verified its own share, in the target restricted to its partition
        assert_eq!(code(o), 0, "partition {k}/4: {e}");
        assert!(e.contains(&format!("partition {k}/4")), "{e}");
        assert!(
            e.contains(&format!(
                "of partition {k}/4 (in the target too): counts and content hashes match"
            )),
            "{e}"
        );
        let r = reads(&e);
        assert_eq!(r.len(), 2, "{e}");
        for (coll, n) in r {
            assert!(n > 0, "partition {k}/4 has no {coll}: {e}");
            *sums.entry(coll).or_default() += n;
        }
    }
    // The shares add up to the whole store, and each is one share (md5 spreads ids evenly).
    assert_eq!(sums.get("node"), Some(&(NODES as u64)));
    assert_eq!(sums.get("edge"), Some(&(EDGES as u64)));

    // The union equals the full migrate: same count and content hash per collection.
    let (c, sides) = verify_sides(dir, &[], &full, &part);
    assert_eq!(c, 0, "{sides:?}");
    assert_eq!(sides.len(), 2);
    for (coll, (a, b)) in &sides {
        assert_eq!(a, b, "{coll}");
    }
    assert_eq!(sides["node"].0.0, NODES as i64);
    assert_eq!(sides["edge"].0.0, EDGES as i64);
    // And the source equals the partitioned target.
    let (c, sides) = verify_sides(dir, &[], &src, &part);
    assert_eq!(c, 0, "{sides:?}");
    // verify --partition: each share on its own (pushed down to PostgreSQL on both sides).
    for (k, o) in &outs {
        let p = format!("{k}/4");
        let (c, sides) = verify_sides(dir, &["--partition", &p], &src, &part);
        assert_eq!(c, 0, "{p}: {sides:?}");
        for (coll, n) in reads(&err(o)) {
            assert_eq!(sides[&coll].0.0 as u64, n, "{p} {coll}");
            assert_eq!(sides[&coll].0, sides[&coll].1, "{p} {coll}");
        }
    }
    eprintln!(
        "partition proof: {} records; full migrate {full_secs:.1} s; 4 partitions concurrently {part_secs:.1} s (wall)",
        NODES + EDGES
    );
    for s in [src_s, full_s, part_s] {
        psql(&format!("DROP SCHEMA {s} CASCADE"));
    }
}

// ---------------------------------------------------------------------------------------
// (c) copy and verify --partition on JSON, SQLite and MongoDB stores

/// A JSON store of 60 nodes and 40 edges with varied ids, made with `jvdb save`.
fn small_json_store(dir: &Path) -> (String, Vec<String>, Vec<String>) {
    let ids = sample_ids(60);
    let mut nodes = String::new();
    for (i, id) in ids.iter().enumerate() {
        let rec = jvdb::json::to_line(&common::rec(
            id,
            &[
                ("entity", common::s("City")),
                ("context", common::obj(&[("i", jvdb::Value::Int(i as i64))])),
            ],
        ));
        nodes.push_str(&rec);
        nodes.push('\n');
    }
    let mut edges = String::new();
    let mut edge_ids = Vec::new();
    for i in 0..40 {
        let id = format!("e:Link:{i}");
        edges.push_str(&format!(
            "{{\"id\": \"{id}\", \"entity\": \"Link\", \"context\": {{}}, \"source\": {}, \"target\": {}}}\n",
            jvdb::json::to_line(&common::s(&ids[i])),
            jvdb::json::to_line(&common::s(&ids[i + 1]))
        ));
        edge_ids.push(id);
    }
    fs::write(dir.join("n.jsonl"), nodes).unwrap();
    fs::write(dir.join("e.jsonl"), edges).unwrap();
    let spec = format!("json:{}", dir.join("src").display());
    ok(dir, &["save", "-q", "--db", &spec, "node", "n.jsonl"], 60);
    ok(dir, &["save", "-q", "--db", &spec, "edge", "e.jsonl"], 60);
    (spec, ids, edge_ids)
}

fn share(ids: &[String], k: u32, n: u32) -> usize {
    ids.iter()
        .filter(|i| partition_of(i.as_bytes(), n) == k)
        .count()
}

/// Copy `from` into `to` partition by partition (3 processes, one after the other), checking
/// each copies exactly its share; then the union equals the source and each partition
/// verifies on its own.
fn copy_by_partition(dir: &Path, from: &str, to: &str, nodes: &[String], edges: &[String]) {
    for k in 1..=3u32 {
        let p = format!("{k}/3");
        let o = ok(
            dir,
            &["copy", "--from", from, "--to", to, "--partition", &p],
            120,
        );
        let r = reads(&err(&o));
        assert_eq!(r["node"], share(nodes, k, 3) as u64, "{p}: {}", err(&o));
        assert_eq!(r["edge"], share(edges, k, 3) as u64, "{p}: {}", err(&o));
        assert!(
            err(&o).contains(&format!("copying partition {p}")),
            "{}",
            err(&o)
        );
        // Up to here, the target holds partitions 1..=k only.
        let (c, _) = verify_sides(dir, &["--partition", &p], from, to);
        assert_eq!(c, 0, "{from} {to} {p}");
        if k < 3 {
            let next = format!("{}/3", k + 1);
            let (c, sides) = verify_sides(dir, &["--partition", &next], from, to);
            assert_eq!(c, 6, "{next} not copied yet: {sides:?}");
            assert_eq!(sides["node"].1.0, 0, "{next}: {sides:?}");
        }
    }
    let (c, sides) = verify_sides(dir, &[], from, to);
    assert_eq!(c, 0, "{from} -> {to}: {sides:?}");
    assert_eq!(sides["node"].0.0, nodes.len() as i64);
}

#[test]
fn copy_and_verify_partition_between_json_sqlite_and_mongodb() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    let (json, nodes, edges) = small_json_store(dir);
    let sqlite = format!("sqlite:{}", dir.join("t.db").display());
    let server = TestServer::start(0);
    let mongo = server.uri("part");
    // JSON source (share kept in its reader threads) into each kind of target.
    copy_by_partition(dir, &json, &sqlite, &nodes, &edges);
    copy_by_partition(dir, &json, &mongo, &nodes, &edges);
    copy_by_partition(
        dir,
        &json,
        &format!("json:{}", dir.join("j").display()),
        &nodes,
        &edges,
    );
    // SQLite source (jvdb_part(id, N) in its SQL) and MongoDB source (share kept after the
    // cursor) into JSON targets.
    copy_by_partition(
        dir,
        &sqlite,
        &format!("json:{}", dir.join("from_sqlite").display()),
        &nodes,
        &edges,
    );
    copy_by_partition(
        dir,
        &mongo,
        &format!("json:{}", dir.join("from_mongo").display()),
        &nodes,
        &edges,
    );

    // With a filter too (a find with the partition: SQLite's condition and the filter's; on
    // MongoDB the server filters and the share is kept here).
    let q = r#"{"context.i": {"$lt": 30}}"#;
    let want = nodes[..30]
        .iter()
        .filter(|i| partition_of(i.as_bytes(), 4) == 2)
        .count() as u64;
    for (name, from) in [("json", &json), ("sqlite", &sqlite), ("mongo", &mongo)] {
        let to = format!("json:{}", dir.join(format!("q_{name}")).display());
        let args = [
            "copy",
            "--from",
            from,
            "--to",
            &to,
            "-c",
            "node",
            "--query",
            q,
            "--partition",
            "2/4",
        ];
        let o = ok(dir, &args, 60);
        assert_eq!(reads(&err(&o))["node"], want, "{name}: {}", err(&o));
    }

    // verify --partition and --list --partition name only the differences of that share.
    let gone = &nodes[7];
    let k = partition_of(gone.as_bytes(), 3);
    let other = k % 3 + 1;
    let target = dir.join("j");
    let o = ok(
        dir,
        &[
            "delete",
            "--db",
            &format!("json:{}", target.display()),
            "node",
            gone,
        ],
        30,
    );
    drop(o);
    let j = format!("json:{}", target.display());
    let o = run(
        dir,
        &[
            "verify",
            "--list",
            "--partition",
            &format!("{k}/3"),
            &json,
            &j,
        ],
        60,
    );
    assert_eq!(code(&o), 6, "{}", err(&o));
    assert_eq!(out(&o).trim(), format!("- node/{gone}"), "{}", err(&o));
    let o = run(
        dir,
        &["diff", "--partition", &format!("{k}/3"), &json, &j],
        60,
    );
    assert_eq!(code(&o), 6, "{}", err(&o));
    assert_eq!(out(&o).trim(), format!("- node/{gone}"));
    let o = run(
        dir,
        &[
            "verify",
            "--list",
            "--partition",
            &format!("{other}/3"),
            &json,
            &j,
        ],
        60,
    );
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    assert!(out(&o).trim().is_empty(), "{}", out(&o));
    assert!(
        err(&o).contains(&format!("in partition {other}/3")),
        "{}",
        err(&o)
    );
    // The same share on MongoDB and SQLite still holds it.
    let o = run(
        dir,
        &["verify", "--partition", &format!("{k}/3"), &mongo, &sqlite],
        60,
    );
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    let o = run(
        dir,
        &["verify", "--partition", &format!("{k}/3"), &mongo, &j],
        60,
    );
    assert_eq!(code(&o), 6, "{}{}", out(&o), err(&o));
    assert!(
        err(&o).contains(&format!("verify --list --partition {k}/3")),
        "{}",
        err(&o)
    );
    drop(server);
}

#[test]
fn unreadable_and_unnamable_records_belong_to_one_partition() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    let (json, _, _) = small_json_store(dir);
    let node_dir = dir.join("src").join("node");
    // A file that does not parse: the partition of its stem.
    fs::write(node_dir.join("broken.json"), "{not json").unwrap();
    // A record whose id holds a lone surrogate (no target takes it): the partition of its
    // generalized UTF-8 bytes.
    fs::write(
        node_dir.join("sur.json"),
        r#"{"id": "a\ud800", "entity": "City", "context": {}}"#,
    )
    .unwrap();
    let broken = partition_of(b"broken", 2);
    let sur = partition_of(b"a\xed\xa0\x80", 2);
    for k in 1..=2u32 {
        let to = format!("json:{}", dir.join(format!("t{k}")).display());
        let p = format!("{k}/2");
        let o = run(
            dir,
            &["copy", "--from", &json, "--to", &to, "--partition", &p],
            60,
        );
        let e = err(&o);
        assert_eq!(
            e.contains("unreadable source record node/broken"),
            k == broken,
            "{p}: {e}"
        );
        assert_eq!(
            e.contains("not written node/a\\ud800"),
            k == sur,
            "{p}: {e}"
        );
        let expect = if k == broken || k == sur { 1 } else { 0 };
        assert_eq!(code(&o), expect, "{p}: {e}");
        // verify counts the unreadable file only in its own partition
        let (c, sides) = verify_sides(dir, &["--partition", &p], &json, &to);
        assert_eq!(c == 0, k != broken && k != sur, "{p}: {sides:?}");
    }
}

// ---------------------------------------------------------------------------------------
// (d) bad values

#[test]
fn bad_partition_values_exit_2_with_one_line() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    fs::create_dir(dir.join("a")).unwrap();
    for bad in [
        "0/4", "5/4", "1/0", "0/0", "x", "1/", "/4", "-1/4", "2/4/1", "1.5/4", "", "4",
    ] {
        for args in [
            vec!["migrate", "--from", "a", "--to", "b", "--partition", bad],
            vec!["copy", "--from", "a", "--to", "b", "--partition", bad],
            vec!["verify", "a", "b", "--partition", bad],
            vec!["diff", "--partition", bad, "a", "b"],
        ] {
            let o = run(dir, &args, 30);
            let e = err(&o);
            assert_eq!(code(&o), 2, "{args:?}: {e}");
            let first = e.lines().next().unwrap_or("");
            assert!(
                first.starts_with("jvdb: ") && first.contains("--partition"),
                "{args:?}: {e}"
            );
            assert!(
                first.contains("K/N") || first.contains("K <= N"),
                "{args:?}: {e}"
            );
            assert!(out(&o).is_empty());
            assert!(!dir.join("b").exists(), "{args:?} created the target");
        }
    }
}
