//! The MongoDB backend against a MongoDB wire-protocol server: the project's test server
//! (tests/mongo_server/server.py, query semantics from mongomock) started once per test binary,
//! or the real server named by `JVDB_TEST_MONGODB_URI`. Each test uses its own database.
//!
//! Covered: the store contract (tests/common/contract_suite.rs, unchanged), types both ways,
//! the stored layout, duplicate keys and jvspatial's unique edge index, server-side queries,
//! an unreachable server, and interop with jvspatial 0.2.2's own MongoDB backend.

mod common;
#[path = "common/contract_suite.rs"]
mod contract_suite;

use common::*;
use contract_suite::*;
use futures::StreamExt;
use jvdb::error::ErrorKind;
use jvdb::query::projection::Projection;
use jvdb::query::{Dialect, Filter, SortKey};
use jvdb::store::mongo::MongoStore;
use jvdb::store::{FindSpec, GetResult, Item, OpenOptions, SaveMode, Saved, Store, StoreSpec};
use jvdb::value::Value;
use mongodb::bson::{Bson, Document, doc};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// The server

/// The base URI (no database) of the server for this test binary.
fn server() -> &'static str {
    static URI: OnceLock<String> = OnceLock::new();
    URI.get_or_init(|| {
        if let Some(u) = std::env::var("JVDB_TEST_MONGODB_URI")
            .ok()
            .filter(|u| !u.trim().is_empty())
        {
            return u;
        }
        start_test_server()
    })
}

/// Start tests/mongo_server/server.py on a free port. The child is spawned from a thread that
/// lives as long as the process, with PR_SET_PDEATHSIG, so it dies with the test binary (the
/// death signal follows the spawning thread).
fn start_test_server() -> String {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mongo_server/server.py");
    assert!(
        script.exists(),
        "the MongoDB test server {} is missing",
        script.display()
    );
    let dir = tempfile::tempdir().expect("temp dir").keep();
    let port_file = dir.join("port");
    let log = dir.join("server.log");
    let py = python();
    let (tx, rx) = std::sync::mpsc::channel();
    let pf = port_file.clone();
    let lg = log.clone();
    std::thread::spawn(move || {
        let logf = std::fs::File::create(&lg).expect("server log");
        let mut cmd = Command::new(py);
        cmd.arg(&script)
            .args(["--port", "0", "--port-file"])
            .arg(&pf)
            .stdin(Stdio::null())
            .stdout(logf.try_clone().expect("log"))
            .stderr(logf);
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl is async-signal-safe; only sets this child's parent-death signal.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd.spawn();
        let ok = child.is_ok();
        let _ = tx.send(child.map(|c| c.id()).map_err(|e| e.to_string()));
        if ok {
            loop {
                std::thread::park();
            }
        }
    });
    match rx.recv().expect("server thread") {
        Ok(_) => {}
        Err(e) => panic!("cannot start the MongoDB test server: {e}"),
    }
    let t = Instant::now();
    loop {
        if let Ok(p) = std::fs::read_to_string(&port_file)
            && let Ok(port) = p.trim().parse::<u16>()
        {
            return format!("mongodb://127.0.0.1:{port}");
        }
        if t.elapsed() > Duration::from_secs(60) {
            panic!(
                "the MongoDB test server did not start within 60s; log:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The URI of a fresh database on the test server.
fn fresh_uri(tag: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let db = format!("jvdbtest_{}_{}_{n}", std::process::id(), tag);
    with_db(server(), &db)
}

/// `base` with its database path replaced by `db` (query options kept).
fn with_db(base: &str, db: &str) -> String {
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (base, String::new()),
    };
    let scheme_end = head.find("://").map(|k| k + 3).unwrap_or(0);
    let host_end = head[scheme_end..]
        .find('/')
        .map(|k| scheme_end + k)
        .unwrap_or(head.len());
    format!("{}/{db}{query}", &head[..host_end])
}

async fn open(tag: &str) -> (MongoStore, String) {
    let uri = fresh_uri(tag);
    let s = MongoStore::open(&uri, &OpenOptions::default())
        .await
        .unwrap_or_else(|e| panic!("open {uri}: {e}"));
    (s, uri)
}

/// The raw stored document (with `_id`), through the driver.
async fn raw(s: &MongoStore, coll: &str, id: &str) -> Document {
    s.client()
        .database(s.database_name())
        .collection::<Document>(coll)
        .find_one(doc! {"_id": id})
        .await
        .expect("raw find")
        .expect("stored")
}

// ---------------------------------------------------------------------------------------------
// The contract, unchanged

macro_rules! contract_mongo {
    ($($t:ident),* $(,)?) => {
        mod contract {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $t() {
                    let (s, _) = super::open(stringify!($t)).await;
                    super::$t(&s).await;
                }
            )*
        }
    };
}

// Three scenarios have MongoDB variants below instead:
// * t_value_fidelity saves integers beyond 64 bits, which BSON cannot hold: `types_both_ways`
//   (the same kinds of values minus those, plus the per-record failure);
// * t_accepted_names uses collection names MongoDB refuses (leading '.'): `accepted_names`;
// * t_delete checks that an emptied collection is still listed, true on a real MongoDB but not
//   on the mongomock-backed test server (mongomock forgets a collection once it has no
//   documents and no secondary index): `delete_by_id` checks it only on a real server.
contract_mongo!(
    t_replace_and_get,
    t_insert_conflict,
    t_skip_existing,
    t_merge,
    t_duplicates_in_batch,
    t_bad_records,
    t_invalid_names,
    t_scan_order,
    t_scan_drop_early,
    t_find,
    t_count_and_collections,
    t_inner_id_kept,
    t_edges_touching,
);

fn real_server() -> bool {
    std::env::var("JVDB_TEST_MONGODB_URI").is_ok_and(|u| !u.trim().is_empty())
}

#[tokio::test]
async fn accepted_names() {
    let (st, _) = open("names").await;
    let mut want: Vec<String> = Vec::new();
    for name in ACCEPTED {
        let r = st
            .save_many(name, vec![rec(name, &[("n", s_(name))])], SaveMode::Replace)
            .await;
        if name.starts_with('.') {
            let e = r.expect_err("MongoDB refuses a leading '.'");
            assert_eq!(e.kind, ErrorKind::Invalid);
            assert!(e.message.contains(&format!("{name:?}")), "{}", e.message);
            continue;
        }
        let r = r.expect("save_many");
        if name.ends_with('.') && !real_server() {
            // mongomock also refuses a trailing '.', which MongoDB itself accepts
            let e = r[0]
                .clone()
                .expect_err("the test server refuses a trailing '.'");
            assert_eq!(e.kind, ErrorKind::Invalid, "{}", e.message);
            continue;
        }
        assert_eq!(r[0], Ok(Saved::Created), "{name:?}");
        match st.get(name, name).await.unwrap() {
            GetResult::Found(v) => assert_same(&v, &rec(name, &[("n", s_(name))])),
            other => panic!("{name:?}: {other:?}"),
        }
        want.push(name.to_string());
    }
    want.sort();
    assert_eq!(st.collections().await.unwrap(), want);
}

#[tokio::test]
async fn delete_by_id() {
    let (st, _) = open("delete").await;
    st.save_many("c", vec![rec("a", &[]), rec("b", &[])], SaveMode::Replace)
        .await
        .unwrap();
    let r = st
        .delete_many("c", vec!["a".into(), "zz".into(), "a".into()])
        .await
        .unwrap();
    assert_eq!(r, vec![Ok(true), Ok(false), Ok(false)]);
    assert_eq!(st.get("c", "a").await.unwrap(), GetResult::Missing);
    assert_eq!(st.count("c", None).await.unwrap().count, 1);
    let r = st.delete_many("missing", vec!["a".into()]).await.unwrap();
    assert_eq!(r, vec![Ok(false)]);
    assert!(
        !st.collections()
            .await
            .unwrap()
            .contains(&"missing".to_string())
    );
    // many ids in one call, beyond one lookup chunk
    let many: Vec<Value> = (0..1500).map(|k| rec(&format!("m{k:04}"), &[])).collect();
    st.save_many("m", many, SaveMode::Replace).await.unwrap();
    let ids: Vec<String> = (0..1600).step_by(2).map(|k| format!("m{k:04}")).collect();
    let r = st.delete_many("m", ids).await.unwrap();
    assert_eq!(r.iter().filter(|x| **x == Ok(true)).count(), 750);
    assert_eq!(r.iter().filter(|x| **x == Ok(false)).count(), 50);
    assert_eq!(st.count("m", None).await.unwrap().count, 750);
    st.delete_many("c", vec!["b".into()]).await.unwrap();
    assert_eq!(st.count("c", None).await.unwrap().count, 0);
    if real_server() {
        assert!(st.collections().await.unwrap().contains(&"c".to_string()));
    }
}

#[tokio::test]
async fn registry_opens_mongodb_uris() {
    let uri = fresh_uri("registry");
    let spec = StoreSpec::parse(&uri).expect("parse");
    assert_eq!(spec.backend, "mongodb");
    let s = spec.open(&OpenOptions::default()).await.expect("open");
    assert_eq!(s.backend(), "mongodb");
    assert!(s.describe().contains("jvdbtest_"), "{}", s.describe());
    assert_eq!(
        StoreSpec::parse("mongodb+srv://u:p@cluster.example/x")
            .unwrap()
            .backend,
        "mongodb"
    );
    // the database: URI path, else --mongo-db
    let bare = with_db(server(), "");
    let s = MongoStore::open(
        bare.trim_end_matches('/'),
        &OpenOptions {
            settings: vec![("mongodb.db".into(), "jvdbtest_flagdb".into())],
            ..Default::default()
        },
    )
    .await
    .expect("open");
    assert_eq!(s.database_name(), "jvdbtest_flagdb");
    let s = MongoStore::open(
        &with_db(server(), "jvdbtest_pathdb"),
        &OpenOptions {
            settings: vec![("mongodb.db".into(), "ignored".into())],
            ..Default::default()
        },
    )
    .await
    .expect("open");
    assert_eq!(s.database_name(), "jvdbtest_pathdb");
}

// ---------------------------------------------------------------------------------------------
// Types and layout

fn f(x: f64) -> Value {
    Value::Float(x)
}

#[tokio::test]
async fn types_both_ways() {
    let (s, _) = open("types").await;
    let edges: Vec<(&str, i64)> = vec![
        ("i32max", i32::MAX as i64),
        ("i32max1", i32::MAX as i64 + 1),
        ("i32min", i32::MIN as i64),
        ("i32min1", i32::MIN as i64 - 1),
        ("i64max", i64::MAX),
        ("i64min", i64::MIN),
        ("zero", 0),
    ];
    let mut pairs: Vec<(&str, Value)> = vec![("zeta", s_("first key is not sorted"))];
    for (k, v) in &edges {
        pairs.push((k, i(*v)));
    }
    pairs.extend([
        ("nan", f(f64::NAN)),
        ("inf", f(f64::INFINITY)),
        ("ninf", f(f64::NEG_INFINITY)),
        ("negzero", f(-0.0)),
        ("tiny", f(5e-324)),
        ("whole", f(100.0)),
        ("str", s_("Zürich 東京 😀 \u{0} \"q\"")),
        ("t", Value::Bool(true)),
        ("n", Value::Null),
        ("empty_obj", obj(&[])),
        ("empty_arr", arr(vec![])),
        (
            "nested",
            obj(&[
                ("b", i(1)),
                (
                    "a",
                    arr(vec![i(1), obj(&[("z", Value::Null), ("y", f(1.5))])]),
                ),
            ]),
        ),
    ]);
    let r = rec("n.T.1", &pairs);
    let bad = rec(
        "n.T.big",
        &[("context", obj(&[("pop", big("18446744073709551617"))]))],
    );
    let bad_arr = rec(
        "n.T.bigarr",
        &[("l", arr(vec![i(1), big("-99999999999999999999")]))],
    );
    let out = s
        .save_many("node", vec![bad, r.clone(), bad_arr], SaveMode::Replace)
        .await
        .unwrap();
    let e = out[0].clone().expect_err("bigint fails");
    assert!(
        e.message.contains("\"n.T.big\"")
            && e.message.contains(
                "integer 18446744073709551617 at context.pop does not fit in 64 bits; MongoDB cannot store it"
            ),
        "{}",
        e.message
    );
    assert_eq!(out[1], Ok(Saved::Created));
    let e = out[2].clone().expect_err("bigint in array fails");
    assert!(
        e.message.contains("n.T.bigarr") && e.message.contains("at l.1"),
        "{}",
        e.message
    );
    assert_eq!(s.get("node", "n.T.big").await.unwrap(), GetResult::Missing);
    // back through every read path, equal incl. key order
    match s.get("node", "n.T.1").await.unwrap() {
        GetResult::Found(v) => assert_same(&v, &r),
        other => panic!("{other:?}"),
    }
    let got: Vec<Item> = s
        .scan("node")
        .await
        .unwrap()
        .map(|x| x.unwrap())
        .collect()
        .await;
    assert_eq!(got.len(), 1);
    match &got[0] {
        Item::Record(v) => assert_same(v, &r),
        other => panic!("{other:?}"),
    }
    // stored layout: _id first, then the record in order; BSON types as pymongo stores them
    let d = raw(&s, "node", "n.T.1").await;
    let keys: Vec<&String> = d.keys().collect();
    assert_eq!(keys[0], "_id");
    assert_eq!(keys[1], "id");
    assert_eq!(keys[2], "zeta");
    assert_eq!(d.get("_id"), Some(&Bson::String("n.T.1".into())));
    assert_eq!(d.get("i32max"), Some(&Bson::Int32(i32::MAX)));
    assert_eq!(d.get("i32max1"), Some(&Bson::Int64(i32::MAX as i64 + 1)));
    assert_eq!(d.get("i32min"), Some(&Bson::Int32(i32::MIN)));
    assert_eq!(d.get("i32min1"), Some(&Bson::Int64(i32::MIN as i64 - 1)));
    assert_eq!(d.get("i64max"), Some(&Bson::Int64(i64::MAX)));
    assert_eq!(d.get("zero"), Some(&Bson::Int32(0)));
    assert!(matches!(d.get("nan"), Some(Bson::Double(x)) if x.is_nan()));
    assert_eq!(d.get("inf"), Some(&Bson::Double(f64::INFINITY)));
    assert!(
        matches!(d.get("negzero"), Some(Bson::Double(x)) if x.to_bits() == (-0.0f64).to_bits())
    );
    assert_eq!(d.get("whole"), Some(&Bson::Double(100.0)));
}

#[tokio::test]
async fn foreign_bson_types_are_unreadable_not_converted() {
    let (s, _) = open("foreign").await;
    let coll = s
        .client()
        .database(s.database_name())
        .collection::<Document>("node");
    coll.insert_many([
        doc! {"_id": "a", "id": "a", "context": {"when": mongodb::bson::DateTime::from_millis(5)}},
        doc! {"_id": "b", "id": "b", "v": 1},
        doc! {"_id": "c", "id": "c", "l": [1, mongodb::bson::oid::ObjectId::new()]},
        doc! {"_id": "other", "id": "d", "v": 2},
    ])
    .await
    .unwrap();
    let got: Vec<Item> = s
        .scan("node")
        .await
        .unwrap()
        .map(|x| x.unwrap())
        .collect()
        .await;
    assert_eq!(got.len(), 4);
    match &got[0] {
        Item::Unreadable { id, reason } => {
            assert_eq!(id, "a");
            assert!(
                reason.contains("context.when") && reason.contains("DateTime"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(got[1], Item::Record(rec("b", &[("v", i(1))])));
    assert!(
        matches!(&got[2], Item::Unreadable { id, reason } if id == "c" && reason.contains("l.1") && reason.contains("ObjectId")),
        "{:?}",
        got[2]
    );
    // an _id that differs from id is kept, not dropped
    assert_eq!(
        got[3],
        Item::Record(obj(&[("_id", s_("other")), ("id", s_("d")), ("v", i(2))]))
    );
    assert!(matches!(
        s.get("node", "a").await.unwrap(),
        GetResult::Unreadable(r) if r.contains("context.when")
    ));
    // merging into an unreadable record is refused
    let r = s
        .save_many("node", vec![rec("a", &[("x", i(1))])], SaveMode::Merge)
        .await
        .unwrap();
    assert_eq!(r[0].clone().map_err(|e| e.kind), Err(ErrorKind::Refused));
    assert_eq!(s.count("node", None).await.unwrap().count, 4);
}

fn s_(x: &str) -> Value {
    s(x)
}

// ---------------------------------------------------------------------------------------------
// Conflicts and jvspatial's indexes

fn edge(id: &str, src: &str, tgt: &str) -> Value {
    rec(
        id,
        &[
            ("entity", s_("Road")),
            ("context", obj(&[])),
            ("source", s_(src)),
            ("target", s_(tgt)),
            ("bidirectional", Value::Bool(true)),
        ],
    )
}

#[tokio::test]
async fn duplicate_keys_and_unique_edge_index() {
    let (s, _) = open("dups").await;
    // insert mode: existing ids conflict by id, the others are inserted
    s.save_many(
        "node",
        vec![rec("a", &[]), rec("b", &[])],
        SaveMode::Replace,
    )
    .await
    .unwrap();
    let r = s
        .save_many(
            "node",
            vec![rec("a", &[("v", i(1))]), rec("c", &[]), rec("b", &[])],
            SaveMode::Insert,
        )
        .await
        .unwrap();
    for (k, id) in [(0, "a"), (2, "b")] {
        let e = r[k].clone().expect_err("conflict");
        assert_eq!(e.kind, ErrorKind::Conflict);
        assert!(e.message.contains(&format!("{id:?}")), "{}", e.message);
    }
    assert_eq!(r[1], Ok(Saved::Created));
    assert_same(
        &match s.get("node", "a").await.unwrap() {
            GetResult::Found(v) => v,
            o => panic!("{o:?}"),
        },
        &rec("a", &[]),
    );

    // jvspatial's indexes
    let made = s.ensure_jvspatial_indexes("edge").await.unwrap();
    assert_eq!(
        made,
        vec![
            "idx_source_target_entity_unique",
            "idx_target_entity",
            "idx_entity_source",
            "idx_entity_target"
        ]
    );
    // idempotent, also through the trait
    s.prepare_collection("edge").await.unwrap();
    s.prepare_collection("node").await.unwrap();
    s.prepare_collection("object").await.unwrap();
    let db = s.client().database(s.database_name());
    let mut names: Vec<String> = db
        .collection::<Document>("edge")
        .list_index_names()
        .await
        .unwrap();
    names.sort();
    assert_eq!(
        names,
        vec![
            "_id_",
            "idx_entity_source",
            "idx_entity_target",
            "idx_source_target_entity_unique",
            "idx_target_entity"
        ]
    );
    let mut cur = db
        .collection::<Document>("edge")
        .list_indexes()
        .await
        .unwrap();
    let mut unique_key = None;
    while let Some(ix) = cur.next().await {
        let ix = ix.unwrap();
        if ix.options.as_ref().and_then(|o| o.name.as_deref())
            == Some("idx_source_target_entity_unique")
        {
            assert_eq!(ix.options.as_ref().and_then(|o| o.unique), Some(true));
            unique_key = Some(ix.keys.clone());
        }
    }
    assert_eq!(
        unique_key,
        Some(doc! {"source": 1, "target": 1, "entity": 1})
    );
    let node_ix = db
        .collection::<Document>("node")
        .list_index_names()
        .await
        .unwrap();
    assert!(
        node_ix.contains(&"idx_node_entity".to_string()),
        "{node_ix:?}"
    );

    // a second edge with the same (source, target, entity) is rejected by id, in every mode
    let r = s
        .save_many(
            "edge",
            vec![edge("e1", "a", "b"), edge("e2", "b", "c")],
            SaveMode::Replace,
        )
        .await
        .unwrap();
    assert_eq!(r, vec![Ok(Saved::Created), Ok(Saved::Created)]);
    for mode in [
        SaveMode::Replace,
        SaveMode::Insert,
        SaveMode::SkipExisting,
        SaveMode::Merge,
    ] {
        let r = s
            .save_many(
                "edge",
                vec![edge("e3", "a", "b"), edge("e4", "c", "a")],
                mode,
            )
            .await
            .unwrap();
        let e = r[0].clone().expect_err("unique index");
        assert_eq!(e.kind, ErrorKind::Conflict, "{mode:?}: {}", e.message);
        assert!(
            e.message.contains("\"e3\"") && e.message.contains("idx_source_target_entity_unique"),
            "{mode:?}: {}",
            e.message
        );
        assert!(r[1].is_ok(), "{mode:?}: {:?}", r[1]);
        assert_eq!(s.get("edge", "e3").await.unwrap(), GetResult::Missing);
        s.delete_many("edge", vec!["e4".into()]).await.unwrap();
    }
    assert_eq!(s.count("edge", None).await.unwrap().count, 2);
}

// ---------------------------------------------------------------------------------------------
// Server-side queries

fn mongo_spec(q: Value) -> FindSpec {
    FindSpec::all(Filter::compile(&q, Dialect::Mongo).expect("query"))
}

async fn ids(s: &dyn Store, c: &str, spec: FindSpec) -> Vec<String> {
    s.find(c, spec)
        .await
        .unwrap()
        .map(|x| match x.unwrap() {
            Item::Record(v) => v.record_id().unwrap_or("?").to_string(),
            Item::Unreadable { id, .. } => format!("!{id}"),
        })
        .collect()
        .await
}

#[tokio::test]
async fn queries_run_on_the_server() {
    let (s, _) = open("queries").await;
    let recs: Vec<Value> = (0..12)
        .map(|k| {
            rec(
                &format!("r{k:02}"),
                &[
                    ("g", i(k % 3)),
                    (
                        "tags",
                        arr(vec![s_(if k % 2 == 0 { "even" } else { "odd" })]),
                    ),
                    ("name", s_(&format!("n{}", 11 - k))),
                ],
            )
        })
        .collect();
    s.save_many("c", recs, SaveMode::Replace).await.unwrap();
    // mongo semantics from the server: implicit array-element match
    let got = ids(&s, "c", mongo_spec(obj(&[("tags", s_("even"))]))).await;
    assert_eq!(got, vec!["r00", "r02", "r04", "r06", "r08", "r10"]);
    // sort with ties broken by id, skip, limit
    let mut spec = mongo_spec(obj(&[]));
    spec.sort = vec![SortKey {
        path: "g".into(),
        descending: true,
    }];
    spec.skip = 1;
    spec.limit = Some(5);
    assert_eq!(
        ids(&s, "c", spec).await,
        vec!["r05", "r08", "r11", "r01", "r04"]
    );
    // projection keeps id, drops _id
    let mut spec = mongo_spec(obj(&[("g", i(0))]));
    spec.projection = Some(Projection::parse("g").unwrap());
    spec.limit = Some(1);
    let got: Vec<Item> = s
        .find("c", spec)
        .await
        .unwrap()
        .map(|x| x.unwrap())
        .collect()
        .await;
    assert_eq!(got, vec![Item::Record(rec("r00", &[("g", i(0))]))]);
    // exclusion, and -id (the server must not hand back _id instead)
    for (fields, want) in [
        ("-tags,-name", rec("r00", &[("g", i(0))])),
        ("g,-id", obj(&[("g", i(0))])),
        ("-id,-tags,-name", obj(&[("g", i(0))])),
    ] {
        let mut spec = mongo_spec(obj(&[("g", i(0))]));
        spec.projection = Some(Projection::parse(fields).unwrap());
        spec.limit = Some(1);
        let got: Vec<Item> = s
            .find("c", spec)
            .await
            .unwrap()
            .map(|x| x.unwrap())
            .collect()
            .await;
        assert_eq!(got, vec![Item::Record(want)], "{fields}");
    }
    // counts
    let q = |v: Value, d: Dialect| Some(std::sync::Arc::new(Filter::compile(&v, d).unwrap()));
    assert_eq!(
        s.count("c", q(obj(&[("g", i(1))]), Dialect::Mongo))
            .await
            .unwrap()
            .count,
        4
    );
    assert_eq!(s.count("c", None).await.unwrap().count, 12);
    // the jvspatial dialect runs in-process (same answer on this data), once its matcher is
    // real (it lands on another branch)
    let jv = Filter::compile(&obj(&[("g", i(2))]), Dialect::Jvspatial).unwrap();
    if jv.matches(&obj(&[("g", i(1))])).unwrap_or(true) {
        eprintln!("NOTE: the jvspatial matcher is a stub; jvspatial-dialect assertions skipped");
    } else {
        let spec =
            FindSpec::all(Filter::compile(&obj(&[("g", i(2))]), Dialect::Jvspatial).unwrap());
        assert_eq!(ids(&s, "c", spec).await, vec!["r02", "r05", "r08", "r11"]);
        assert_eq!(
            s.count("c", q(obj(&[("g", i(2))]), Dialect::Jvspatial))
                .await
                .unwrap()
                .count,
            4
        );
    }
    // a query the server rejects is invalid (exit 2) with its message
    // (the local compiler would refuse it first: put it in `raw` to reach the server)
    let mut bad = mongo_spec(obj(&[]));
    std::sync::Arc::get_mut(&mut bad.filter)
        .expect("sole owner")
        .raw = obj(&[("name", obj(&[("$regex", s_("("))]))]);
    let e = match s.find("c", bad).await {
        Err(e) => e,
        Ok(st) => st
            .map(|x| x.map(|_| ()))
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .find_map(|x| x.err())
            .expect("bad regex fails"),
    };
    assert_eq!(e.kind, ErrorKind::Invalid, "{}", e.message);
    assert!(e.message.contains("invalid query"), "{}", e.message);
    // an operand BSON cannot hold
    let e = s
        .find("c", mongo_spec(obj(&[("g", big("99999999999999999999"))])))
        .await
        .map(|_| ())
        .expect_err("bigint operand");
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert!(e.message.contains("99999999999999999999"), "{}", e.message);
}

/// A string with a lone surrogate (which `json.loads` reads) cannot be BSON: the record fails
/// with its id and field named, the others are written; a query operand fails clearly.
#[tokio::test]
async fn lone_surrogate_strings_fail_the_record_not_the_batch() {
    let (s, _) = open("surrogate").await;
    let lone = jvdb::json::parse_str(r#"["a\ud800b"]"#).unwrap();
    let bad = rec("n.S.1", &[("context", obj(&[("tags", lone.clone())]))]);
    let good = rec(
        "n.S.2",
        &[("context", obj(&[("tags", arr(vec![s_("ok")]))]))],
    );
    let out = s
        .save_many("node", vec![bad, good], SaveMode::Replace)
        .await
        .unwrap();
    let e = out[0].clone().expect_err("lone surrogate fails");
    assert!(
        e.message.contains("\"n.S.1\"")
            && e.message.contains(
                "string with a lone surrogate at context.tags.0; MongoDB cannot store it"
            ),
        "{}",
        e.message
    );
    assert_eq!(out[1], Ok(Saved::Created));
    assert_eq!(s.get("node", "n.S.1").await.unwrap(), GetResult::Missing);
    let Value::Array(items) = lone else {
        panic!("array literal")
    };
    let e = s
        .find(
            "node",
            mongo_spec(obj(&[("context.tags", items[0].clone())])),
        )
        .await
        .map(|_| ())
        .expect_err("lone surrogate operand");
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert!(
        e.message
            .contains("string with a lone surrogate at context.tags")
            && e.message.contains("BSON strings are UTF-8"),
        "{}",
        e.message
    );
}

// ---------------------------------------------------------------------------------------------
// An unreachable server

#[tokio::test]
async fn unreachable_server_fails_fast_without_the_password() {
    let t = Instant::now();
    let e = MongoStore::open(
        "mongodb://alice:s3cr3t-pw@127.0.0.1:1/x",
        &OpenOptions {
            connect_timeout: Some(Duration::from_secs(1)),
            ..Default::default()
        },
    )
    .await
    .expect_err("nothing listens on port 1");
    assert!(t.elapsed() < Duration::from_secs(4), "{:?}", t.elapsed());
    assert_eq!(e.kind, ErrorKind::Unavailable);
    assert_eq!(e.exit_code(), 4);
    assert!(!e.message.contains("s3cr3t"), "{}", e.message);
    assert!(e.message.contains("alice:***@127.0.0.1:1"), "{}", e.message);
}

#[test]
fn unreachable_server_through_the_binary() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_jvdb"));
    let dir = tempfile::tempdir().unwrap();
    let help = Command::new(&bin).arg("--help").output().unwrap();
    let has_flag = String::from_utf8_lossy(&help.stdout).contains("--connect-timeout");
    let mut cmd = Command::new(&bin);
    cmd.current_dir(dir.path())
        .args(["--db", "mongodb://u:secret@127.0.0.1:1/x"]);
    if has_flag {
        cmd.args(["--connect-timeout", "1"]);
    }
    cmd.args(["count", "node"]);
    for (k, _) in std::env::vars() {
        if k.starts_with("JVSPATIAL_") {
            cmd.env_remove(k);
        }
    }
    let t = Instant::now();
    let o = cmd.output().unwrap();
    let limit = if has_flag { 4 } else { 8 };
    assert!(
        t.elapsed() < Duration::from_secs(limit),
        "took {:?} (with --connect-timeout 1: is the flag passed to the store's OpenOptions?)",
        t.elapsed()
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(!err.contains("secret") && !String::from_utf8_lossy(&o.stdout).contains("secret"));
    assert!(err.contains("u:***@127.0.0.1:1"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

// ---------------------------------------------------------------------------------------------
// Interop with jvspatial 0.2.2's own MongoDB backend

#[test]
fn jvspatial_mongodb_backend_interop() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let uri = with_db(server(), "");
    let uri = uri.trim_end_matches('/').to_string();
    let db1 = format!("jvdbtest_{}_interop_a", std::process::id());
    let db2 = format!("jvdbtest_{}_interop_b", std::process::id());
    let py = |args: &[&str]| {
        let o = Command::new(python())
            .arg(py_script("mongo_interop.py"))
            .args(args)
            .output()
            .expect("run python");
        assert!(
            o.status.success(),
            "mongo_interop.py {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        jvdb::json::parse_bytes(&o.stdout).expect("python prints JSON")
    };
    // 1. jvspatial writes a graph; jvdb reads all of it, equal to what jvspatial reads
    let dumped = py(&["write", &uri, &db1]);
    let s = rt
        .block_on(MongoStore::open(
            &with_db(server(), &db1),
            &OpenOptions::default(),
        ))
        .unwrap();
    let colls = rt.block_on(s.collections()).unwrap();
    let want = dumped.as_object().expect("collections object");
    let mut want_names: Vec<&String> = want.keys().collect();
    want_names.sort();
    assert_eq!(colls.iter().collect::<Vec<_>>(), want_names);
    let mut total = 0;
    for (c, recs) in want {
        let got: Vec<Value> = rt.block_on(async {
            s.scan(c)
                .await
                .unwrap()
                .map(|x| match x.unwrap() {
                    Item::Record(v) => v,
                    other => panic!("{other:?}"),
                })
                .collect()
                .await
        });
        let recs = recs.as_array().expect("records");
        assert_eq!(got.len(), recs.len(), "{c}");
        for (g, w) in got.iter().zip(recs) {
            assert_same(g, w);
            assert!(g.get("_id").is_none());
            total += 1;
        }
    }
    assert!(total >= 5, "a real graph: {total} records");
    // 2. jvdb saves those records into another database; jvspatial reads them back equal,
    //    through its Database API and its entity API
    let s2 = rt
        .block_on(MongoStore::open(
            &with_db(server(), &db2),
            &OpenOptions::default(),
        ))
        .unwrap();
    for (c, recs) in want {
        rt.block_on(s2.prepare_collection(c)).unwrap();
        let r = rt
            .block_on(s2.save_many(c, recs.as_array().unwrap().clone(), SaveMode::Replace))
            .unwrap();
        assert!(r.iter().all(|x| *x == Ok(Saved::Created)), "{r:?}");
    }
    let back = py(&["read", &uri, &db2]);
    assert_same(&back, &dumped);
}
