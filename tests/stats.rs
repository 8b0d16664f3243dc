//! `jvdb stats` (issue 12, item 2): its `--format json` numbers equal an independent
//! computation in Python over the files of a jvspatial-built store with damage (dangling
//! edges, orphans, self-loops, bidirectional and legacy edges; tests/py/stats_build_graph.py,
//! tests/py/stats_oracle.py), and the same numbers come out of the same data on SQLite,
//! MongoDB (the project's test server) and PostgreSQL after `jvdb migrate`, all but the
//! JSON-only on-disk fields.

mod common;

use common::bin::{code, err, jv, out, run};
use common::mongo_server::TestServer;
use common::pg_server::{fresh_schema, spec_for};
use common::{py_script, python};
use jvdb::value::{Map, Value};
use std::path::Path;
use std::process::Command;

fn build(dir: &Path) {
    let o = Command::new(python())
        .arg(py_script("stats_build_graph.py"))
        .arg(dir)
        .output()
        .expect("run python");
    assert!(
        o.status.success(),
        "build: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn oracle(dir: &Path, top: usize) -> Value {
    let o = Command::new(python())
        .arg(py_script("stats_oracle.py"))
        .arg(dir)
        .arg(top.to_string())
        .output()
        .expect("run python");
    assert!(
        o.status.success(),
        "oracle: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    jvdb::json::parse_str(&String::from_utf8_lossy(&o.stdout)).expect("oracle JSON")
}

fn stats(cwd: &Path, db: &str, top: usize) -> Value {
    let o = run(jv(cwd).args([
        "--db",
        db,
        "stats",
        "--format",
        "json",
        "--top",
        &top.to_string(),
    ]));
    assert_eq!(code(&o), 0, "stats on {db}: {}", err(&o));
    jvdb::json::parse_str(&out(&o)).expect("stats JSON")
}

fn get<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| {
        v.get(k).unwrap_or_else(|| panic!("no {k} in {v:?}"))
    })
}

fn int(v: &Value, path: &[&str]) -> i64 {
    match get(v, path) {
        Value::Int(i) => *i,
        other => panic!("{path:?} is {other:?}"),
    }
}

/// The document without `store` and without the on-disk fields (JSON stores only).
fn portable(v: &Value) -> Value {
    let Value::Object(m) = v else {
        panic!("not an object")
    };
    let mut out = Map::new();
    for (k, x) in m {
        match k.as_str() {
            "store" | "disk" => {}
            "collections" => {
                let Value::Array(cs) = x else {
                    panic!("collections")
                };
                let cs = cs
                    .iter()
                    .map(|c| {
                        let Value::Object(c) = c else {
                            panic!("collection")
                        };
                        let mut c = c.clone();
                        c.shift_remove("disk");
                        Value::Object(c)
                    })
                    .collect();
                out.insert(k.clone(), Value::Array(cs));
            }
            _ => {
                out.insert(k.clone(), x.clone());
            }
        }
    }
    Value::Object(out)
}

fn without_store(v: &Value) -> Value {
    let Value::Object(m) = v else {
        panic!("not an object")
    };
    let mut m = m.clone();
    m.shift_remove("store");
    Value::Object(m)
}

#[track_caller]
fn assert_eq_docs(what: &str, got: &Value, want: &Value) {
    if got != want {
        panic!(
            "{what} differs:\n got: {}\nwant: {}",
            jvdb::json::to_pretty(got),
            jvdb::json::to_pretty(want)
        );
    }
}

#[test]
fn stats_json_equals_python_oracle_on_damaged_jvspatial_store() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("s");
    build(&store);
    for top in [10, 3, 0, 100] {
        let got = stats(d.path(), store.to_str().unwrap(), top);
        assert_eq_docs(
            &format!("stats --top {top}"),
            &without_store(&got),
            &oracle(&store, top),
        );
    }
    let got = stats(d.path(), store.to_str().unwrap(), 10);
    // The damage is there (so the equality above says something) ...
    assert_eq!(int(&got, &["graph", "nodes"]), 42);
    assert_eq!(int(&got, &["graph", "edges"]), 81);
    assert_eq!(int(&got, &["graph", "self_loops"]), 3);
    assert_eq!(int(&got, &["graph", "bidirectional"]), 24);
    assert_eq!(int(&got, &["graph", "dangling"]), 10);
    assert_eq!(int(&got, &["graph", "orphans"]), 4);
    assert_eq!(int(&got, &["graph", "degree", "total", "max"]), 22);
    // ... and dangling/orphans are the sets cleanup reports.
    let o = run(jv(d.path()).args([
        "--db",
        store.to_str().unwrap(),
        "cleanup",
        "--dry-run",
        "--format",
        "json",
    ]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let c = jvdb::json::parse_str(&out(&o)).unwrap();
    let len = |k: &str| match c.get(k) {
        Some(Value::Array(a)) => a.len() as i64,
        other => panic!("{k}: {other:?}"),
    };
    assert_eq!(len("dangling_edges"), int(&got, &["graph", "dangling"]));
    assert_eq!(len("orphan_nodes"), int(&got, &["graph", "orphans"]));
}

#[test]
fn stats_same_numbers_on_sqlite_mongodb_postgres_after_migrate() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("s");
    build(&store);
    let src = format!("json:{}", store.display());
    let want = portable(&stats(d.path(), &src, 10));
    assert_eq_docs(
        "json vs oracle",
        &without_store(&stats(d.path(), &src, 10)),
        &oracle(&store, 10),
    );
    let server = TestServer::start(0);
    let targets = vec![
        (
            "sqlite",
            format!("sqlite:{}", d.path().join("s.db").display()),
        ),
        ("mongodb", server.uri("jvdb_stats")),
        ("postgresql", spec_for(&fresh_schema())),
    ];
    for (name, spec) in targets {
        let o = run(jv(d.path()).args(["migrate", "--from", &src, "--to", &spec]));
        assert_eq!(code(&o), 0, "migrate to {name}: {}", err(&o));
        let got = stats(d.path(), &spec, 10);
        assert_eq!(
            get(&got, &["disk"]),
            &Value::Null,
            "{name} has no disk usage"
        );
        assert_eq_docs(&format!("stats on {name}"), &portable(&got), &want);
    }
}

#[test]
fn stats_table_shows_sections_histogram_and_top() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("s");
    build(&store);
    let o = run(jv(d.path()).args(["--db", store.to_str().unwrap(), "stats", "--top", "3"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let t = out(&o);
    for want in [
        "collection",
        "on disk",
        "graph: 42 nodes (1 root(s)) in node, 81 edges in edge",
        "24 bidirectional, 57 directed, 3 self-loop(s), 10 dangling, 4 orphan(s)",
        "total degree (nodes per log2 bucket):",
        "16-31 │",
        "top 3 node(s) by total degree:",
        "n.City.000000000000000000000000",
    ] {
        assert!(t.contains(want), "{want:?} not in:\n{t}");
    }
    // A collection name that cannot name a collection is refused before any read.
    let o = run(jv(d.path()).args([
        "--db",
        store.to_str().unwrap(),
        "stats",
        "--node-collection",
        "../x",
    ]));
    assert_eq!(code(&o), 2, "{}", err(&o));
}
