//! The SQLite store (jvspatial 0.2.2's `SQLiteDB` layout): the store contract on a file and on
//! `sqlite::memory:`, interop with the real library (tests/py/sqlite_interop.py, run with
//! `JVDB_TEST_PYTHON`), the duplicate-edge trap, bad input, and the real binary.

mod common;
#[path = "common/contract_suite.rs"]
mod contract_suite;

use common::bin::*;
use common::*;
use contract_suite::*;
use jvdb::error::ErrorKind;
use jvdb::store::sqlite::SqliteStore;
use jvdb::store::{GetResult, Item, OpenOptions, SaveMode, Saved, Store, StoreSpec};
use jvdb::value::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

struct Harness {
    store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
}

fn create() -> OpenOptions {
    OpenOptions {
        create: true,
        ..Default::default()
    }
}

fn file() -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("sub/jvspatial.db");
    let store = SqliteStore::open(path.to_str().unwrap(), &create()).expect("open sqlite");
    Harness {
        store: Arc::new(store),
        _dir: Some(dir),
    }
}

fn memory() -> Harness {
    Harness {
        store: Arc::new(SqliteStore::memory()),
        _dir: None,
    }
}

macro_rules! contract {
    ($backend:ident: $($t:ident),* $(,)?) => {
        mod $backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $t() {
                    let h = super::$backend();
                    super::$t(&*h.store).await;
                }
            )*
        }
    };
}

// Every scenario but t_delete, which checks that an emptied collection is still listed: a
// collection of jvspatial's SQLiteDB is only the `collection` value of its rows, so it is gone
// with its last record (`emptied_collection_is_gone` checks the rest of t_delete).
macro_rules! contract_sqlite {
    ($($t:ident),* $(,)?) => {
        contract!(file: $($t),*);
        contract!(memory: $($t),*);
    };
}

contract_sqlite!(
    t_replace_and_get,
    t_insert_conflict,
    t_skip_existing,
    t_merge,
    t_duplicates_in_batch,
    t_bad_records,
    t_invalid_names,
    t_accepted_names,
    t_scan_order,
    t_scan_drop_early,
    t_find,
    t_count_and_collections,
    t_value_fidelity,
    t_inner_id_kept,
    t_edges_touching,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emptied_collection_is_gone() {
    let h = file();
    let s = &*h.store;
    save_ok(s, "c", vec![rec("a", &[]), rec("b", &[])]).await;
    let r = s
        .delete_many("c", vec!["a".into(), "zz".into(), "a".into()])
        .await
        .unwrap();
    assert_eq!(r, vec![Ok(true), Ok(false), Ok(false)]);
    assert_eq!(get(s, "c", "a").await, GetResult::Missing);
    assert_eq!(scan_ids(s, "c").await, vec!["b"]);
    let r = s.delete_many("missing", vec!["a".into()]).await.unwrap();
    assert_eq!(r, vec![Ok(false)]);
    s.delete_many("c", vec!["b".into()]).await.unwrap();
    assert_eq!(s.count("c", None).await.unwrap().count, 0);
    assert!(s.collections().await.unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Python helpers

fn py(args: &[&str]) -> String {
    let out = Command::new(python())
        .arg(py_script("sqlite_interop.py"))
        .args(args)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "python {args:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn py_json(args: &[&str]) -> Value {
    jvdb::json::parse_str(&py(args)).expect("python printed JSON")
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn open_sqlite(path: &Path) -> SqliteStore {
    SqliteStore::open(p(path), &OpenOptions::default()).expect("open sqlite")
}

async fn all_records(s: &dyn Store, coll: &str) -> Vec<Value> {
    items(s.scan(coll).await.unwrap())
        .await
        .into_iter()
        .map(|it| match it {
            Item::Record(v) => v,
            other => panic!("unreadable: {other:?}"),
        })
        .collect()
}

fn as_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        other => panic!("not a list: {other:?}"),
    }
}

/// Every collection of `store` equals what jvspatial's SQLiteDB reads from `db` (find, get and
/// count), values compared exactly (key order, NaN, -0.0).
async fn assert_jvspatial_reads(db: &Path, store: &dyn Store) {
    let dump = py_json(&["dump", p(db)]);
    let dump = dump.as_object().expect("dump object");
    let colls: Vec<String> = dump.keys().cloned().collect();
    assert_eq!(store.collections().await.unwrap(), colls);
    for c in &colls {
        let want = all_records(store, c).await;
        let got = dump.get(c).unwrap();
        // SQLiteDB.find without a sort has no ORDER BY (SQLite picks an index order): compare
        // in id order
        let by_id = |v: &Value| {
            let mut l = as_list(v);
            l.sort_by(|a, b| a.record_id().cmp(&b.record_id()));
            l
        };
        let find = by_id(got.get("find").unwrap());
        assert_eq!(find.len(), want.len(), "collection {c}");
        for (a, b) in find.iter().zip(&want) {
            assert_same(a, b);
        }
        let gets = by_id(got.get("get").unwrap());
        assert_eq!(gets.len(), want.len(), "collection {c}");
        for (a, b) in gets.iter().zip(&want) {
            assert_same(a, b);
        }
        assert_eq!(
            got.get("count"),
            Some(&Value::Int(want.len() as i64)),
            "count {c}"
        );
    }
}

fn rows(db: &Path) -> Vec<Value> {
    as_list(&py_json(&["rows", p(db)]))
}

fn schema(db: &Path) -> Vec<Value> {
    as_list(&py_json(&["schema", p(db)]))
}

// ---------------------------------------------------------------------------------------------
// Layout: the same bytes and schema as jvspatial

/// The `data` text jvdb stores is byte for byte what jvspatial's `json.dumps(record)` stores,
/// for the awkward values (big ints, NaN/Infinity, -0.0, unicode, control characters, lone
/// surrogates) and jvspatial's own table DDL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_bytes_equal_jvspatial() {
    let d = tempfile::tempdir().unwrap();
    let mut lone = b"x".to_vec();
    jvdb::wtf8::push_code_point(&mut lone, 0xDC80);
    let mut recs = vec![awkward("x1"), awkward("n.City.0000000000000000000000a1")];
    recs.push(rec("lone", &[("s", Value::from_wtf8(lone))]));
    recs.push(rec("plain ü", &[("k", s("v"))]));
    let jsonl: String = recs
        .iter()
        .map(|r| jvdb::json::to_python_compact(r) + "\n")
        .collect();
    let src = d.path().join("recs.jsonl");
    std::fs::write(&src, jsonl).unwrap();
    let theirs = d.path().join("theirs.db");
    py(&["write", p(&theirs), "v", p(&src)]);
    let ours = d.path().join("ours.db");
    let s = SqliteStore::open(p(&ours), &create()).unwrap();
    save_ok(&s, "v", recs.clone()).await;
    drop(s);
    let (a, b) = (rows(&theirs), rows(&ours));
    assert_eq!(a.len(), recs.len());
    assert_eq!(a, b, "rows differ");
    // the raw text, not only the parsed values
    let conn = rusqlite::Connection::open(&ours).unwrap();
    let data: String = conn
        .query_row("SELECT data FROM records WHERE id = 'x1'", [], |r| r.get(0))
        .unwrap();
    assert!(data.starts_with("{\"id\": \"x1\", \"zeta\": "), "{data}");
    assert!(data.contains("\"nan\": NaN, \"inf\": Infinity, \"ninf\": -Infinity"));
    assert!(data.contains("\"big\": 18446744073709551617"));
    assert!(data.is_ascii());
    assert_eq!(schema(&theirs), schema(&ours), "table DDL");
}

/// `migrate` into a fresh file creates exactly the schema jvspatial's `ensure_indexes` makes
/// for a graph (table, index names, expressions, UNIQUE, `__sort_` companions, statement
/// text), and the same rows.
#[test]
fn migrate_creates_jvspatial_schema() {
    let d = tempfile::tempdir().unwrap();
    let theirs = d.path().join("theirs.db");
    py(&["build", p(&theirs)]);
    let o = run(jv(d.path()).args(["migrate", "--from", "sqlite:theirs.db", "--to", "json:j"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = run(jv(d.path()).args(["migrate", "--from", "json:j", "--to", "sqlite:ours.db"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).contains("verified"), "{}", err(&o));
    let ours = d.path().join("ours.db");
    let (a, b) = (schema(&theirs), schema(&ours));
    assert!(
        a.iter()
            .any(|r| as_list(r)[1] == s("idx_edge_source_target_entity__sort_a8d7803e")),
        "{a:?}"
    );
    assert_eq!(a, b, "sqlite_master differs");
    assert_eq!(rows(&theirs), rows(&ours), "rows differ");
    // --no-indexes: only the table and its collection index
    let o = run(jv(d.path()).args([
        "migrate",
        "--no-indexes",
        "--from",
        "json:j",
        "--to",
        "sqlite:bare.db",
    ]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let names: Vec<Value> = schema(&d.path().join("bare.db"))
        .iter()
        .map(|r| as_list(r)[1].clone())
        .collect();
    assert_eq!(
        names,
        vec![
            s("idx_records_collection"),
            s("records"),
            s("sqlite_autoindex_records_1")
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Interop (a): jvspatial writes, jvdb reads

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jvdb_reads_a_graph_jvspatial_built() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("g.db");
    let manifest = py_json(&["build", p(&db)]);
    let store = open_sqlite(&db);
    assert_jvspatial_reads(&db, &store).await;
    let colls = manifest.get("collections").unwrap().as_object().unwrap();
    for (c, ids) in colls {
        let mut ids: Vec<String> = as_list(ids)
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        ids.sort(); // jvspatial's find without sort has no ORDER BY; jvdb scans in id order
        assert_eq!(scan_ids(&store, c).await, ids, "{c}");
        assert_eq!(store.count(c, None).await.unwrap().count, ids.len() as u64);
        for id in &ids {
            assert!(matches!(get(&store, c, id).await, GetResult::Found(_)));
        }
    }
    // the awkward values arrive intact
    let n = found(&store, "node", "n.City.000000000000000000000001").await;
    let ctx = n.get("context").unwrap();
    assert_eq!(ctx.get("big"), Some(&big("18446744073709551617")));
    let u = found(&store, "node", "n.City.unicode0000000000000000").await;
    assert_eq!(
        u.get("context").unwrap().get("name"),
        Some(&s("Zürich 東京 😀 \u{2028} é"))
    );
    let lone = found(&store, "object", "o.Thing.lone").await;
    assert!(matches!(
        lone.get("context").unwrap().get("lone"),
        Some(Value::WStr(_))
    ));
    // a filter, evaluated in-process, gives jvspatial's answer
    let q = r#"{"context.flag": true}"#;
    let theirs = py_json(&["query", p(&db), "node", q]);
    let f = Arc::new(
        jvdb::query::Filter::compile(
            &jvdb::json::parse_str(q).unwrap(),
            jvdb::query::Dialect::Mongo,
        )
        .unwrap(),
    );
    let ours = items(
        store
            .find("node", jvdb::store::FindSpec::matching(f.clone()))
            .await
            .unwrap(),
    )
    .await;
    let mut their_ids: Vec<String> = as_list(theirs.get("find").unwrap())
        .iter()
        .map(|r| r.record_id().unwrap().to_string())
        .collect();
    their_ids.sort();
    assert_eq!(ids_of(&ours), their_ids);
    assert_eq!(
        theirs.get("count"),
        Some(&Value::Int(
            store.count("node", Some(f)).await.unwrap().count as i64
        ))
    );
    // reading changed nothing in the file jvspatial wrote
    drop(store);
    let before = std::fs::read(&db).unwrap();
    let o = run(jv(d.path()).args(["--db", "sqlite:g.db", "find", "node"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        out(&o).lines().count(),
        colls.get("node").map(|v| as_list(v).len()).unwrap()
    );
    let o = run(jv(d.path()).args(["--db", "sqlite:g.db", "count", "edge"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(out(&o).trim(), "7");
    let o = run(jv(d.path()).args([
        "--db",
        "sqlite:g.db",
        "get",
        "node",
        "n.City.000000000000000000000002",
    ]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o).contains("-1180591620717411303424"), "{}", out(&o));
    assert_eq!(std::fs::read(&db).unwrap(), before);
    // migrate to JSON: the JSON store holds the same records
    let o = run(jv(d.path()).args(["migrate", "--from", "sqlite:g.db", "--to", "json:out"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let js =
        jvdb::store::json::JsonStore::open(&d.path().join("out"), &OpenOptions::default()).unwrap();
    let store = open_sqlite(&db);
    for c in colls.keys() {
        let (a, b) = (all_records(&store, c).await, all_records(&js, c).await);
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_same(x, y);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Interop (b): jvdb writes, jvspatial reads

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jvspatial_reads_what_jvdb_saves_in_every_mode() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("w.db");
    let st = SqliteStore::open(p(&db), &create()).unwrap();
    st.prepare_collection("node").await.unwrap();
    let mem = jvdb::store::memory::MemoryStore::new();
    let node = |id: &str, pairs: &[(&str, Value)]| {
        let mut all = vec![("entity", s("City"))];
        all.extend(pairs.iter().cloned());
        rec(id, &all)
    };
    let steps: Vec<(&str, Vec<Value>, SaveMode)> = vec![
        (
            "node",
            vec![
                node("n.City.1", &[("context", obj(&[("a", i(1))]))]),
                node(
                    "n.City.2",
                    &[("context", obj(&[("b", big("-99999999999999999999"))]))],
                ),
            ],
            SaveMode::Replace,
        ),
        ("v", vec![awkward("x1"), awkward("x2")], SaveMode::Replace),
        (
            "node",
            vec![
                node("n.City.1", &[("context", obj(&[("a", i(2))]))]),
                node("n.City.3", &[]),
            ],
            SaveMode::Insert,
        ),
        (
            "node",
            vec![
                node("n.City.2", &[("context", obj(&[("c", s("ü"))]))]),
                node(
                    "n.City.4",
                    &[("context", obj(&[("d", Value::Float(-0.0))]))],
                ),
            ],
            SaveMode::Merge,
        ),
        (
            "node",
            vec![
                node("n.City.3", &[("changed", Value::Bool(true))]),
                node("n.City.5", &[]),
            ],
            SaveMode::SkipExisting,
        ),
        (
            "v",
            vec![rec("x1", &[("replaced", Value::Null)])],
            SaveMode::Replace,
        ),
    ];
    for (c, recs, mode) in steps {
        let a = st.save_many(c, recs.clone(), mode).await.unwrap();
        let b = mem.save_many(c, recs, mode).await.unwrap();
        let kinds = |r: &Vec<jvdb::Result<Saved>>| {
            r.iter()
                .map(|x| x.clone().map_err(|e| e.kind))
                .collect::<Vec<_>>()
        };
        assert_eq!(kinds(&a), kinds(&b), "{c} {mode:?}");
    }
    let r = st
        .delete_many("node", vec!["n.City.5".into()])
        .await
        .unwrap();
    assert_eq!(r, vec![Ok(true)]);
    mem.delete_many("node", vec!["n.City.5".into()])
        .await
        .unwrap();
    drop(st);
    assert_jvspatial_reads(&db, &mem).await;
}

#[test]
fn jvspatial_reads_what_jvdb_migrates_copies_and_cleans() {
    let t = sample_in("sample");
    let d = t.path();
    let o = run(jv(d).args(["migrate", "--from", "sample", "--to", "sqlite:m.db"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).contains("verified"), "{}", err(&o));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let js =
        jvdb::store::json::JsonStore::open(&d.join("sample"), &OpenOptions::default()).unwrap();
    rt.block_on(assert_jvspatial_reads(&d.join("m.db"), &js));
    let o = run(jv(d).args(["verify", "sample", "sqlite:m.db"]));
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    // a rerun writes nothing
    let o = run(jv(d).args(["migrate", "--from", "sample", "--to", "sqlite:m.db"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).contains("written 0, unchanged"), "{}", err(&o));
    // copy of two collections into another file
    let o = run(jv(d).args([
        "copy",
        "--from",
        "sample",
        "--to",
        "sqlite:c.db",
        "-c",
        "node",
        "-c",
        "edge",
    ]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let c = open_sqlite(&d.join("c.db"));
    assert_eq!(
        rt.block_on(c.collections()).unwrap(),
        vec!["edge".to_string(), "node".to_string()]
    );
    drop(c);
    let o = run(jv(d).args([
        "verify",
        "-c",
        "node",
        "-c",
        "edge",
        "sample",
        "sqlite:c.db",
    ]));
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    // cleanup of dangling edges on SQLite gives what it gives on JSON
    let o = run(jv(d).args(["--db", "sample", "cleanup", "--yes"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let removed_json = out(&o);
    let o = run(jv(d).args(["--db", "sqlite:m.db", "cleanup", "--yes"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(out(&o), removed_json);
    rt.block_on(assert_jvspatial_reads(&d.join("m.db"), &js));
}

// ---------------------------------------------------------------------------------------------
// The duplicate-edge trap

fn write_json(dir: &Path, coll: &str, v: &Value) {
    let p = dir.join(coll);
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(
        p.join(format!("{}.json", v.record_id().unwrap())),
        jvdb::json::to_python_indent2(v),
    )
    .unwrap();
}

fn edge(id: &str, src: &str, dst: &str) -> Value {
    rec(
        id,
        &[
            ("entity", s("Edge")),
            ("context", obj(&[])),
            ("source", s(src)),
            ("target", s(dst)),
            ("bidirectional", Value::Bool(false)),
        ],
    )
}

#[test]
fn duplicate_edges_fail_by_id_and_nothing_is_deleted() {
    let d = tempfile::tempdir().unwrap();
    let j = d.path().join("j");
    for n in ["n.City.1", "n.City.2"] {
        write_json(
            &j,
            "node",
            &rec(n, &[("entity", s("City")), ("context", obj(&[]))]),
        );
    }
    write_json(&j, "edge", &edge("e.Edge.1", "n.City.1", "n.City.2"));
    write_json(&j, "edge", &edge("e.Edge.2", "n.City.1", "n.City.2"));
    write_json(&j, "edge", &edge("e.Edge.3", "n.City.2", "n.City.1"));
    let o = run(jv(d.path()).args(["migrate", "--from", "json:j", "--to", "sqlite:t.db"]));
    assert_eq!(code(&o), 1, "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains("not written edge/e.Edge.2: collection edge: record \"e.Edge.2\" rejected by unique index idx_edge_source_target_entity: stored record \"e.Edge.1\" has the same source, target, entity"),
        "{e}"
    );
    assert!(e.contains("failed 1"), "{e}");
    // how many and why, before the verification
    let summary = e
        .find("1 record(s) not written, each named above: 1 rejected by a unique index")
        .expect("summary line");
    assert!(
        summary < e.find("verification").expect("verification"),
        "{e}"
    );
    let ids: Vec<String> = rows(&d.path().join("t.db"))
        .iter()
        .map(|r| as_list(r)[1].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, vec!["e.Edge.1", "e.Edge.3", "n.City.1", "n.City.2"]);
    // the same through `save --errors`: the failing record goes to the errors file
    let o = run(jv(d.path()).args([
        "--db",
        "sqlite:t.db",
        "save",
        "edge",
        "--errors",
        "err.jsonl",
        "--data",
        &jvdb::json::to_python_compact(&Value::Array(vec![
            edge("e.Edge.9", "n.City.2", "n.City.1"),
            edge("e.Edge.10", "n.City.2", "n.City.2"),
        ])),
    ]));
    // a conflict, as on MongoDB's unique index: `save` exits 5 when only conflicts failed
    assert_eq!(code(&o), 5, "{}", err(&o));
    assert!(err(&o).contains("e.Edge.3"), "{}", err(&o));
    let errs = std::fs::read_to_string(d.path().join("err.jsonl")).unwrap();
    assert!(
        errs.contains("e.Edge.9") && !errs.contains("e.Edge.10"),
        "{errs}"
    );
    let o = run(jv(d.path()).args(["--db", "sqlite:t.db", "count", "edge"]));
    assert_eq!(out(&o).trim(), "3");
    // replacing an edge so that it collides with another also fails by id
    let o = run(jv(d.path()).args([
        "--db",
        "sqlite:t.db",
        "save",
        "edge",
        "--data",
        &jvdb::json::to_python_compact(&edge("e.Edge.3", "n.City.1", "n.City.2")),
    ]));
    assert_eq!(code(&o), 5, "{}", err(&o));
    assert!(err(&o).contains("\"e.Edge.1\""), "{}", err(&o));
    let o = run(jv(d.path()).args(["--db", "sqlite:t.db", "get", "edge", "e.Edge.3"]));
    assert!(out(&o).contains("\"source\": \"n.City.2\""), "{}", out(&o));
}

// ---------------------------------------------------------------------------------------------
// Bad input

#[test]
fn missing_file_is_exit_4_and_not_created() {
    let d = tempfile::tempdir().unwrap();
    for args in [
        vec!["--db", "sqlite:nope.db", "count", "node"],
        vec!["--db", "sqlite:nope.db", "find", "node"],
        vec!["--db", "sqlite:nope.db", "collections"],
        vec!["--db", "sqlite:nope.db", "delete", "node", "x", "--yes"],
        vec!["migrate", "--from", "sqlite:nope.db", "--to", "json:x"],
    ] {
        let o = run(jv(d.path()).args(&args));
        assert_eq!(code(&o), 4, "{args:?}: {}", err(&o));
        let prefix = if args[0] == "migrate" { "--from: " } else { "" };
        assert_eq!(
            err(&o),
            format!("jvdb: {prefix}sqlite:nope.db: no such database file\n"),
            "{args:?}"
        );
    }
    assert!(!d.path().join("nope.db").exists());
    // an absolute path in URI form
    let abs = d.path().join("nope.db");
    let spec = format!("sqlite://{}", abs.display());
    let o = run(jv(d.path()).args(["--db", &spec, "count", "node"]));
    assert_eq!(code(&o), 4);
    assert_eq!(err(&o), format!("jvdb: {spec}: no such database file\n"));
    // a dry-run target is read as empty and not created
    let t = sample_in("sample");
    let o = run(jv(t.path()).args([
        "migrate",
        "--dry-run",
        "--from",
        "sample",
        "--to",
        "sqlite:new/x.db",
    ]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(!t.path().join("new").exists());
    // a writing command creates the file and its directories, as jvspatial does
    let o = run(jv(t.path()).args([
        "--db",
        "sqlite:new/x.db",
        "save",
        "node",
        "--data",
        r#"{"id": "a"}"#,
    ]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(t.path().join("new/x.db").is_file());
}

#[test]
fn not_a_database_and_other_bad_files() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("junk.db"),
        "this is not a database, just some text that is long enough to have a header".repeat(20),
    )
    .unwrap();
    let o = run(jv(d.path()).args(["--db", "sqlite:junk.db", "count", "node"]));
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert_eq!(
        err(&o),
        "jvdb: sqlite:junk.db: not a SQLite database file\n"
    );
    let o = run(jv(d.path()).args([
        "--db",
        "sqlite:junk.db",
        "save",
        "node",
        "--data",
        r#"{"id": "a"}"#,
    ]));
    assert_eq!(code(&o), 4, "{}", err(&o));
    // a directory
    std::fs::create_dir(d.path().join("dir.db")).unwrap();
    let o = run(jv(d.path()).args(["--db", "sqlite:dir.db", "count", "node"]));
    assert_eq!(code(&o), 4);
    assert_eq!(
        err(&o),
        "jvdb: sqlite:dir.db: is a directory, not a SQLite database file\n"
    );
    // an empty file is an empty database (SQLite's rule), read without creating anything
    std::fs::write(d.path().join("empty.db"), b"").unwrap();
    let o = run(jv(d.path()).args(["--db", "sqlite:empty.db", "collections"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = run(jv(d.path()).args(["--db", "sqlite:empty.db", "count", "node"]));
    assert_eq!((code(&o), out(&o).trim()), (0, "0"));
    assert_eq!(
        std::fs::metadata(d.path().join("empty.db")).unwrap().len(),
        0
    );
    // a corrupt database: a real one with its pages overwritten
    let o = run(jv(d.path()).args([
        "--db",
        "sqlite:c.db",
        "save",
        "node",
        "--data",
        &jvdb::json::to_python_compact(&Value::Array(
            (0..300)
                .map(|k| rec(&format!("n{k}"), &[("pad", s(&"x".repeat(200)))]))
                .collect(),
        )),
    ]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let c = rusqlite::Connection::open(d.path().join("c.db")).unwrap();
    c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;")
        .unwrap();
    drop(c);
    let mut bytes = std::fs::read(d.path().join("c.db")).unwrap();
    for b in bytes[4096 + 16..].iter_mut() {
        *b = 0x5a;
    }
    std::fs::write(d.path().join("c.db"), bytes).unwrap();
    let o = run(jv(d.path()).args(["--db", "sqlite:c.db", "find", "node"]));
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(
        err(&o).starts_with("jvdb: sqlite:c.db: ") && err(&o).contains("corrupt"),
        "{}",
        err(&o)
    );
    assert_eq!(err(&o).lines().count(), 1, "{}", err(&o));
}

#[test]
fn unknown_spec_forms_are_exit_2() {
    let d = tempfile::tempdir().unwrap();
    for (spec, want) in [
        ("sqlite:", "it needs a database file"),
        (
            "sqlite://x.db",
            "a sqlite URI takes an absolute path after three slashes",
        ),
        ("sqlit:x.db", "unknown store scheme 'sqlit:'"),
    ] {
        let o = run(jv(d.path()).args(["--db", spec, "count", "node"]));
        assert_eq!(code(&o), 2, "{spec}: {}", err(&o));
        assert!(err(&o).contains(want), "{spec}: {}", err(&o));
        assert_eq!(err(&o).lines().count(), 1);
    }
    // the spec is parsed and shown as given
    let sp = StoreSpec::parse("sqlite:rel/x.db").unwrap();
    assert_eq!(sp.to_string(), "sqlite:rel/x.db");
}

/// A read-only database file (run as an unprivileged user: root writes anyway).
#[test]
fn read_only_file_refuses_writes_with_exit_4() {
    let d = tempfile::tempdir().unwrap();
    let o = run(jv(d.path()).args([
        "--db",
        "sqlite:ro.db",
        "save",
        "node",
        "--data",
        r#"{"id": "a"}"#,
    ]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let c = rusqlite::Connection::open(d.path().join("ro.db")).unwrap();
    c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    drop(c);
    use std::os::unix::fs::PermissionsExt;
    let set =
        |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    set(&d.path().join("ro.db"), 0o444);
    let root = unsafe { libc::geteuid() } == 0;
    let mut cmd = if root {
        // the directory writable by nobody (SQLite's -shm/-wal), the file not
        set(d.path(), 0o777);
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin());
        c.current_dir(d.path());
        c
    } else {
        jv(d.path())
    };
    let o = run(cmd.args([
        "--db",
        "sqlite:ro.db",
        "save",
        "node",
        "--data",
        r#"{"id": "b"}"#,
    ]));
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(
        err(&o).starts_with("jvdb: sqlite:ro.db: read-only database"),
        "{}",
        err(&o)
    );
    assert_eq!(err(&o).lines().count(), 1);
    let _ = PathBuf::new();
}

/// A database held by another writer (Python's sqlite3 in `BEGIN IMMEDIATE`): jvdb waits the
/// busy timeout (5 s, like jvspatial), then exits 4; reads go on meanwhile (WAL).
#[test]
fn locked_database_waits_then_exit_4() {
    let d = tempfile::tempdir().unwrap();
    let o = run(jv(d.path()).args([
        "--db",
        "sqlite:l.db",
        "save",
        "node",
        "--data",
        r#"{"id": "a"}"#,
    ]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let mut holder = Command::new(python())
        .arg(py_script("sqlite_interop.py"))
        .args(["lock", p(&d.path().join("l.db")), "12"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::BufRead;
        let mut line = String::new();
        std::io::BufReader::new(holder.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "locked");
    }
    let o = run(jv(d.path()).args(["--db", "sqlite:l.db", "count", "node"]));
    assert_eq!((code(&o), out(&o).trim()), (0, "1"), "{}", err(&o));
    let t = std::time::Instant::now();
    let o = run(jv(d.path()).args([
        "--db",
        "sqlite:l.db",
        "save",
        "node",
        "--data",
        r#"{"id": "b"}"#,
    ]));
    let waited = t.elapsed().as_secs_f64();
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(
        err(&o).contains("database is locked by another connection (waited 5 s)"),
        "{}",
        err(&o)
    );
    assert_eq!(err(&o).lines().count(), 1, "{}", err(&o));
    assert!((4.5..11.0).contains(&waited), "waited {waited:.1} s");
    // nothing half-written
    let o = run(jv(d.path()).args(["--db", "sqlite:l.db", "count", "node"]));
    assert_eq!(out(&o).trim(), "1");
}

// ---------------------------------------------------------------------------------------------
// The binary, everyday

#[test]
fn binary_find_count_migrate_verify() {
    let t = sample_in("sample");
    let d = t.path();
    let o = run(jv(d).args(["migrate", "--from", "sample", "--to", "sqlite:s.db"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    for c in ["node", "edge", "object", "w", "walker_trail"] {
        let a = run(jv(d).args(["--db", "sample", "count", c]));
        let b = run(jv(d).args(["--db", "sqlite:s.db", "count", c]));
        assert_eq!(out(&a), out(&b), "{c}");
        let a = run(jv(d).args(["--db", "sample", "find", c]));
        let b = run(jv(d).args(["--db", "sqlite:s.db", "find", c]));
        assert_eq!(out(&a), out(&b), "{c}");
    }
    let q = r#"{"entity": "City"}"#;
    let a = run(jv(d).args(["--db", "sample", "find", "node", "--query", q]));
    let b = run(jv(d).args(["--db", "sqlite:s.db", "find", "node", "--query", q]));
    assert_eq!(code(&b), 0, "{}", err(&b));
    assert_eq!(out(&a), out(&b));
    let a = run(jv(d).args(["--db", "sample", "collections"]));
    let b = run(jv(d).args(["--db", "sqlite:s.db", "collections"]));
    assert_eq!(out(&a), out(&b));
    let o = run(jv(d).args(["verify", "sample", "sqlite:s.db"]));
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    // sqlite to sqlite, and sqlite::memory: as a trial target (verified, nothing written)
    let o = run(jv(d).args(["migrate", "--from", "sqlite:s.db", "--to", "sqlite:s2.db"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = run(jv(d).args([
        "migrate",
        "--from",
        "sqlite:s.db",
        "--to",
        "sqlite::memory:",
    ]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).contains("verified"), "{}", err(&o));
}

/// Timing of `migrate` into SQLite (run with `--ignored --nocapture`, release build for real
/// figures): the sample store and a synthetic store of 10,000 records.
#[test]
#[ignore]
fn migrate_timing() {
    let t = sample_in("sample");
    let d = t.path();
    let time = |args: &[&str]| {
        let s = std::time::Instant::now();
        let o = run(jv(d).args(args));
        assert_eq!(code(&o), 0, "{}", err(&o));
        s.elapsed().as_secs_f64()
    };
    let a = time(&["migrate", "--from", "sample", "--to", "sqlite:s.db"]);
    eprintln!("migrate sample store -> sqlite: {a:.3} s");
    let recs: Vec<Value> = (0..10_000)
        .map(|k| {
            rec(
                &format!("n.City.{k:024x}"),
                &[
                    ("entity", s("City")),
                    (
                        "context",
                        obj(&[("name", s(&format!("city {k}"))), ("pop", i(k))]),
                    ),
                ],
            )
        })
        .collect();
    let j = d.join("big");
    for r in &recs {
        write_json(&j, "node", r);
    }
    let a = time(&["migrate", "--from", "big", "--to", "sqlite:big.db"]);
    eprintln!("migrate 10,000 nodes -> sqlite: {a:.3} s");
    let a = time(&["migrate", "--from", "big", "--to", "sqlite:big.db"]);
    eprintln!("rerun (unchanged): {a:.3} s");
    let a = time(&["migrate", "--from", "sqlite:big.db", "--to", "json:back"]);
    eprintln!("migrate 10,000 nodes sqlite -> json: {a:.3} s");
    let a = time(&["--db", "sqlite:big.db", "count", "node"]);
    eprintln!("count: {a:.3} s");
    let _ = ErrorKind::Invalid;
}

/// A row whose `data` is not JSON makes SQLite's JSON functions fail a whole pushed-down
/// query: the read goes on without the condition, the row is reported unreadable by id, and
/// every other match is still found and counted.
#[test]
fn a_row_that_is_not_json_is_reported_by_id_and_filters_still_answer() {
    let t = sample_in("sample");
    let d = t.path();
    // Without jvspatial's indexes: with them SQLite refuses to store such a row at all (the
    // index expressions parse `data`).
    let o = run(jv(d).args([
        "migrate",
        "--no-indexes",
        "--from",
        "sample",
        "--to",
        "sqlite:m.db",
    ]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let q = r#"{"context.country": "BR"}"#;
    let o = run(jv(d).args(["--db", "sqlite:m.db", "count", "node", "--query", q]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let before: u64 = out(&o).trim().parse().unwrap();
    assert!(before >= 2, "{before}");
    let o = Command::new(python())
        .args([
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); \
             c.execute(\"UPDATE records SET data = '{not json' WHERE collection = 'node' AND id = 'n.City.000000000000000000000002'\"); \
             c.commit()",
            d.join("m.db").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for cmd in ["find", "count"] {
        let o = run(jv(d).args(["--db", "sqlite:m.db", cmd, "node", "--query", q]));
        assert_eq!(code(&o), 1, "{cmd}: {}", err(&o));
        assert!(
            err(&o).contains("n.City.000000000000000000000002"),
            "{cmd}: {}",
            err(&o)
        );
        if cmd == "find" {
            let n = out(&o).lines().count() as u64;
            assert!(n + 1 >= before && n >= 1, "{n} of {before}");
        }
    }
}

/// jvspatial drops legacy non-partial unique `context.session_id` indexes named `idx_*` when it
/// connects; jvdb does the same, but only when it writes (reading changes nothing).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_session_index_dropped_only_on_write() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("legacy.db");
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute(jvdb::store::sqlite::CREATE_TABLE, []).unwrap();
    c.execute_batch(
        "CREATE UNIQUE INDEX idx_node_context_session_id ON records (collection, json_extract(data, '$.context.session_id'));
         CREATE UNIQUE INDEX mine_session ON records (collection, json_extract(data, '$.context.session_id'));
         CREATE UNIQUE INDEX idx_partial_session ON records (collection, json_extract(data, '$.context.session_id')) WHERE json_extract(data, '$.entity') = 'Conversation';",
    )
    .unwrap();
    drop(c);
    let names = || -> Vec<String> {
        let c = rusqlite::Connection::open(&db).unwrap();
        let mut st = c
            .prepare("SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL ORDER BY name")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    let before = names();
    let s = open_sqlite(&db);
    assert_eq!(s.count("node", None).await.unwrap().count, 0);
    assert!(s.collections().await.unwrap().is_empty());
    assert_eq!(names(), before, "reading changed the schema");
    save_ok(&s, "node", vec![rec("a", &[])]).await;
    assert_eq!(
        names(),
        vec![
            "idx_partial_session",
            "idx_records_collection",
            "mine_session"
        ]
    );
}

/// Reading a database whose last writes are still in the WAL (jvspatial died before closing)
/// sees them and leaves the files as they were: jvdb's connection, having written nothing, does
/// not checkpoint on close.
#[test]
fn reading_does_not_checkpoint_a_live_wal() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("live.db");
    let mut holder = Command::new(python())
        .arg(py_script("sqlite_interop.py"))
        .args(["walhold", p(&db), "20"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::BufRead;
        let mut line = String::new();
        std::io::BufReader::new(holder.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready");
    }
    // jvspatial dies without closing (SIGKILL): its WAL stays next to the database file
    let _ = holder.kill();
    let _ = holder.wait();
    let main_before = std::fs::read(&db).unwrap();
    let wal = d.path().join("live.db-wal");
    let wal_len = std::fs::metadata(&wal).unwrap().len();
    assert!(wal_len > 0, "jvspatial's write is in the WAL");
    let o = run(jv(d.path()).args(["--db", "sqlite:live.db", "find", "node"]));
    let o2 = run(jv(d.path()).args(["--db", "sqlite:live.db", "count", "node"]));
    let main_after = std::fs::read(&db).unwrap();
    let wal_after = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o).contains("n.Root.root"), "{}", out(&o));
    assert_eq!(out(&o2).trim(), "1");
    assert!(main_after == main_before, "the database file changed");
    assert_eq!(wal_after, wal_len, "the WAL was checkpointed or truncated");
}
