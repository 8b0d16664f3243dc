//! The store contract: one set of tests, run against every backend (memory and JSON) through
//! the `Store` trait, followed by JSON-only tests of the on-disk format (jvspatial's JsonDB).

mod common;

use common::*;
use futures::StreamExt;
use jvdb::error::ErrorKind;
use jvdb::query::projection::Projection;
use jvdb::query::{Dialect, Filter, SortKey};
use jvdb::store::json::JsonStore;
use jvdb::store::memory::MemoryStore;
use jvdb::store::{FindSpec, GetResult, Item, OpenOptions, SaveMode, Saved, Store, StoreSpec};
use jvdb::value::Value;
use std::sync::Arc;

/// A store under test plus whatever keeps it alive (a temp dir).
struct Harness {
    store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
}

fn memory() -> Harness {
    Harness {
        store: Arc::new(MemoryStore::new()),
        _dir: None,
    }
}

fn json() -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = JsonStore::open(&dir.path().join("jvdb"), &OpenOptions { create: true })
        .expect("open json store");
    Harness {
        store: Arc::new(store),
        _dir: Some(dir),
    }
}

/// The query helpers' matchers may still be stubs (they land on other branches); assertions
/// that need a real matcher / sort order / projection run only when these report true.
fn real_matchers() -> bool {
    let f = Filter::compile(&obj(&[("x", i(1))]), Dialect::Mongo).expect("compile");
    !f.matches(&obj(&[("x", i(2))])).unwrap_or(true)
}
fn real_sort() -> bool {
    let keys = [SortKey {
        path: "n".into(),
        descending: false,
    }];
    jvdb::query::compare(
        &obj(&[("n", i(1))]),
        &obj(&[("n", i(2))]),
        &keys,
        Dialect::Mongo,
    )
    .is_ok_and(|o| o == std::cmp::Ordering::Less)
}
fn real_projection() -> bool {
    Projection::parse("n").is_ok_and(|p| {
        p.apply(&rec("a", &[("n", i(1)), ("x", i(2))]))
            .get("x")
            .is_none()
    })
}

async fn save(
    s: &dyn Store,
    c: &str,
    recs: Vec<Value>,
    mode: SaveMode,
) -> Vec<jvdb::Result<Saved>> {
    s.save_many(c, recs, mode).await.expect("save_many")
}

async fn save_ok(s: &dyn Store, c: &str, recs: Vec<Value>) {
    for r in save(s, c, recs, SaveMode::Replace).await {
        r.expect("record saved");
    }
}

async fn get(s: &dyn Store, c: &str, id: &str) -> GetResult {
    s.get(c, id).await.expect("get")
}

async fn found(s: &dyn Store, c: &str, id: &str) -> Value {
    match get(s, c, id).await {
        GetResult::Found(v) => v,
        other => panic!("{c}/{id}: expected a record, got {other:?}"),
    }
}

async fn items(stream: jvdb::store::ItemStream) -> Vec<Item> {
    stream.map(|r| r.expect("stream item")).collect().await
}

fn ids_of(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|it| match it {
            Item::Record(v) => v.record_id().unwrap_or("<no id>").to_string(),
            Item::Unreadable { id, .. } => format!("!{id}"),
        })
        .collect()
}

async fn scan_ids(s: &dyn Store, c: &str) -> Vec<String> {
    ids_of(&items(s.scan(c).await.expect("scan")).await)
}

fn spec(filter: Value) -> FindSpec {
    FindSpec::all(Filter::compile(&filter, Dialect::Mongo).expect("query compiles"))
}

/// Every form jvspatial's `_validate_path_component` rejects.
const REJECTED: &[&str] = &[
    "", ".", "..", "a/b", "/abs", "/", "a\\b", "\\", "a\0b", "\0",
];
/// Names jvspatial accepts although they look odd.
const ACCEPTED: &[&str] = &[
    "with space",
    "a:b",
    "weird id: ü €",
    ".hidden",
    "..x",
    "x..",
    "...",
    "x.json",
    "n.City.0000000000000000000000a1",
    "-",
    "😀",
    "tab\there",
];

// ---------------------------------------------------------------------------------------------
// The contract

async fn t_replace_and_get(s: &dyn Store) {
    let r = save(s, "node", vec![rec("a", &[("v", i(1))])], SaveMode::Replace).await;
    assert_eq!(r[0], Ok(Saved::Created));
    let r = save(s, "node", vec![rec("a", &[("w", i(2))])], SaveMode::Replace).await;
    assert_eq!(r[0], Ok(Saved::Replaced));
    // whole record replaced, no merge
    assert_same(&found(s, "node", "a").await, &rec("a", &[("w", i(2))]));
    assert_eq!(get(s, "node", "zzz").await, GetResult::Missing);
    assert_eq!(get(s, "nope", "a").await, GetResult::Missing);
}

async fn t_insert_conflict(s: &dyn Store) {
    let r = save(s, "c", vec![rec("a", &[("v", i(1))])], SaveMode::Insert).await;
    assert_eq!(r[0], Ok(Saved::Created));
    let r = save(
        s,
        "c",
        vec![rec("a", &[("v", i(2))]), rec("b", &[])],
        SaveMode::Insert,
    )
    .await;
    let e = r[0]
        .clone()
        .expect_err("insert over an existing id must fail");
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert!(
        e.message.contains("\"a\""),
        "message names the id: {}",
        e.message
    );
    assert_eq!(r[1], Ok(Saved::Created));
    assert_same(&found(s, "c", "a").await, &rec("a", &[("v", i(1))]));
}

async fn t_skip_existing(s: &dyn Store) {
    save_ok(s, "c", vec![rec("a", &[("v", i(1))])]).await;
    let r = save(
        s,
        "c",
        vec![rec("a", &[("v", i(2))]), rec("b", &[("v", i(3))])],
        SaveMode::SkipExisting,
    )
    .await;
    assert_eq!(r, vec![Ok(Saved::Skipped), Ok(Saved::Created)]);
    assert_same(&found(s, "c", "a").await, &rec("a", &[("v", i(1))]));
    assert_same(&found(s, "c", "b").await, &rec("b", &[("v", i(3))]));
}

async fn t_merge(s: &dyn Store) {
    let base = rec(
        "a",
        &[
            ("ctx", obj(&[("x", i(1)), ("y", i(2))])),
            ("list", arr(vec![i(1)])),
            ("keep", s_("k")),
        ],
    );
    save_ok(s, "c", vec![base]).await;
    let patch = rec(
        "a",
        &[
            ("list", arr(vec![i(2)])),
            (
                "ctx",
                obj(&[("y", i(3)), ("z", obj(&[("deep", Value::Null)]))]),
            ),
            ("new", Value::Bool(true)),
        ],
    );
    let r = save(
        s,
        "c",
        vec![patch, rec("m", &[("only", i(1))])],
        SaveMode::Merge,
    )
    .await;
    assert_eq!(r, vec![Ok(Saved::Merged), Ok(Saved::Created)]);
    let want = rec(
        "a",
        &[
            (
                "ctx",
                obj(&[
                    ("x", i(1)),
                    ("y", i(3)),
                    ("z", obj(&[("deep", Value::Null)])),
                ]),
            ),
            ("list", arr(vec![i(2)])),
            ("keep", s_("k")),
            ("new", Value::Bool(true)),
        ],
    );
    assert_same(&found(s, "c", "a").await, &want);
    assert_same(&found(s, "c", "m").await, &rec("m", &[("only", i(1))]));
}

fn s_(x: &str) -> Value {
    s(x)
}

async fn t_duplicates_in_batch(s: &dyn Store) {
    let batch = vec![
        rec("a", &[("v", i(1))]),
        rec("b", &[("v", i(1))]),
        rec("a", &[("v", i(2))]),
        rec("a", &[("v", i(3))]),
    ];
    let r = save(s, "c", batch, SaveMode::Replace).await;
    assert_eq!(
        r,
        vec![
            Ok(Saved::Created),
            Ok(Saved::Created),
            Ok(Saved::Replaced),
            Ok(Saved::Replaced)
        ]
    );
    assert_same(&found(s, "c", "a").await, &rec("a", &[("v", i(3))]));

    let r = save(
        s,
        "d",
        vec![rec("x", &[("v", i(1))]), rec("x", &[("v", i(2))])],
        SaveMode::Insert,
    )
    .await;
    assert_eq!(r[0], Ok(Saved::Created));
    assert_eq!(r[1].clone().map_err(|e| e.kind), Err(ErrorKind::Conflict));
    assert_same(&found(s, "d", "x").await, &rec("x", &[("v", i(1))]));

    let r = save(
        s,
        "e",
        vec![
            rec("x", &[("a", i(1))]),
            rec("x", &[("b", i(2))]),
            rec("x", &[("a", i(3))]),
        ],
        SaveMode::Merge,
    )
    .await;
    assert_eq!(
        r,
        vec![Ok(Saved::Created), Ok(Saved::Merged), Ok(Saved::Merged)]
    );
    assert_same(
        &found(s, "e", "x").await,
        &rec("x", &[("a", i(3)), ("b", i(2))]),
    );

    // many duplicates interleaved with many ids: last one wins for every id
    let mut batch = Vec::new();
    for round in 0..5 {
        for k in 0..40 {
            batch.push(rec(&format!("k{k:02}"), &[("round", i(round))]));
        }
    }
    let r = save(s, "f", batch, SaveMode::Replace).await;
    assert_eq!(r.len(), 200);
    assert!(r[..40].iter().all(|x| *x == Ok(Saved::Created)));
    assert!(r[40..].iter().all(|x| *x == Ok(Saved::Replaced)));
    for k in 0..40 {
        assert_same(
            &found(s, "f", &format!("k{k:02}")).await,
            &rec(&format!("k{k:02}"), &[("round", i(4))]),
        );
    }
}

async fn t_bad_records(s: &dyn Store) {
    let mut batch = vec![
        s_("not an object"),
        arr(vec![]),
        obj(&[("no_id", i(1))]),
        obj(&[("id", i(7))]),
        obj(&[("id", Value::Null)]),
        rec("good", &[]),
    ];
    for bad in REJECTED {
        batch.push(rec(bad, &[]));
    }
    let n = batch.len();
    let r = save(s, "c", batch, SaveMode::Replace).await;
    assert_eq!(r.len(), n);
    for (k, res) in r.iter().enumerate() {
        if k == 5 {
            assert_eq!(*res, Ok(Saved::Created));
        } else {
            let e = res.clone().expect_err("bad record must fail");
            assert_eq!(e.kind, ErrorKind::Invalid, "record {k}: {}", e.message);
        }
    }
    assert_eq!(scan_ids(s, "c").await, vec!["good"]);
    // a batch of only bad records does not create the collection
    let r = save(s, "ghost", vec![rec("a/b", &[])], SaveMode::Replace).await;
    assert!(r[0].is_err());
    assert!(
        !s.collections()
            .await
            .unwrap()
            .contains(&"ghost".to_string())
    );
}

async fn t_invalid_names(s: &dyn Store) {
    save_ok(s, "c", vec![rec("a", &[])]).await;
    for bad in REJECTED {
        let kind = |r: jvdb::Result<()>| r.expect_err("rejected").kind;
        assert_eq!(
            kind(s.get(bad, "a").await.map(|_| ())),
            ErrorKind::Invalid,
            "get coll {bad:?}"
        );
        assert_eq!(
            kind(s.get("c", bad).await.map(|_| ())),
            ErrorKind::Invalid,
            "get id {bad:?}"
        );
        assert_eq!(
            kind(
                s.save_many(bad, vec![rec("a", &[])], SaveMode::Replace)
                    .await
                    .map(|_| ())
            ),
            ErrorKind::Invalid,
            "save coll {bad:?}"
        );
        assert_eq!(
            kind(s.delete_many(bad, vec!["a".into()]).await.map(|_| ())),
            ErrorKind::Invalid,
            "delete coll {bad:?}"
        );
        let d = s
            .delete_many("c", vec![bad.to_string()])
            .await
            .expect("delete_many");
        assert_eq!(
            d[0].clone().map_err(|e| e.kind),
            Err(ErrorKind::Invalid),
            "delete id {bad:?}"
        );
        assert_eq!(
            kind(s.scan(bad).await.map(|_| ())),
            ErrorKind::Invalid,
            "scan coll {bad:?}"
        );
        assert_eq!(
            kind(s.count(bad, None).await.map(|_| ())),
            ErrorKind::Invalid,
            "count coll {bad:?}"
        );
        assert_eq!(
            kind(s.find(bad, spec(obj(&[]))).await.map(|_| ())),
            ErrorKind::Invalid,
            "find coll {bad:?}"
        );
    }
    let e = s.get("c", "x/y").await.expect_err("bad id");
    assert!(
        e.message.contains("x/y"),
        "message names the id: {}",
        e.message
    );
    let e = s.get("x/y", "a").await.expect_err("bad collection");
    assert!(
        e.message.contains("x/y"),
        "message names the collection: {}",
        e.message
    );
    assert!(s.get("c", "a").await.is_ok());
}

async fn t_accepted_names(s: &dyn Store) {
    for name in ACCEPTED {
        let r = save(
            s,
            name,
            vec![rec(name, &[("n", s_(name))])],
            SaveMode::Replace,
        )
        .await;
        assert_eq!(r[0], Ok(Saved::Created), "{name:?}");
        assert_same(&found(s, name, name).await, &rec(name, &[("n", s_(name))]));
        assert_eq!(scan_ids(s, name).await, vec![name.to_string()]);
    }
    let mut want: Vec<String> = ACCEPTED.iter().map(|x| x.to_string()).collect();
    want.sort();
    assert_eq!(s.collections().await.unwrap(), want);
}

async fn t_delete(s: &dyn Store) {
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
    // the collection stays (as the JSON store's directory does)
    s.delete_many("c", vec!["b".into()]).await.unwrap();
    assert!(s.collections().await.unwrap().contains(&"c".to_string()));
    assert_eq!(s.count("c", None).await.unwrap().count, 0);
}

async fn t_scan_order(s: &dyn Store) {
    let ids = [
        "b", "a", "B", "a.b", "a-b", "ä", "Z", "10", "9", "😀", "\u{ffff}", "\u{e000}", ".dot",
        "a b", "~",
    ];
    save_ok(s, "c", ids.iter().map(|id| rec(id, &[])).collect()).await;
    let mut want: Vec<String> = ids.iter().map(|x| x.to_string()).collect();
    want.sort(); // Rust string order = code-point order = JsonDB's stem order
    assert_eq!(scan_ids(s, "c").await, want);
    assert_eq!(scan_ids(s, "nothing").await, Vec::<String>::new());
    // a larger collection keeps its order through the parallel reader
    let many: Vec<Value> = (0..700)
        .rev()
        .map(|k| rec(&format!("r{k:04}"), &[("k", i(k))]))
        .collect();
    save_ok(s, "many", many).await;
    let got = scan_ids(s, "many").await;
    let want: Vec<String> = (0..700).map(|k| format!("r{k:04}")).collect();
    assert_eq!(got, want);
}

async fn t_scan_drop_early(s: &dyn Store) {
    save_ok(
        s,
        "c",
        (0..500).map(|k| rec(&format!("r{k:04}"), &[])).collect(),
    )
    .await;
    let mut st = s.scan("c").await.unwrap();
    let first = st.next().await.expect("one item").expect("ok");
    assert_eq!(ids_of(&[first]), vec!["r0000"]);
    drop(st);
    // the store keeps working after a dropped scan
    assert_eq!(s.count("c", None).await.unwrap().count, 500);
}

async fn t_find(s: &dyn Store) {
    let recs: Vec<Value> = (0..10)
        .map(|k| {
            rec(
                &format!("r{k}"),
                &[("n", i((k * 7) % 10)), ("x", s_("drop"))],
            )
        })
        .collect();
    save_ok(s, "c", recs).await;
    let all = obj(&[]);
    // no sort: scan (id) order; skip/limit
    let mut f = spec(all.clone());
    f.skip = 2;
    f.limit = Some(3);
    assert_eq!(
        ids_of(&items(s.find("c", f).await.unwrap()).await),
        vec!["r2", "r3", "r4"]
    );
    let mut f = spec(all.clone());
    f.limit = Some(0);
    assert!(items(s.find("c", f).await.unwrap()).await.is_empty());
    let mut f = spec(all.clone());
    f.skip = 20;
    assert!(items(s.find("c", f).await.unwrap()).await.is_empty());
    assert_eq!(
        items(s.find("c", spec(all.clone())).await.unwrap())
            .await
            .len(),
        10
    );
    assert!(
        items(s.find("none", spec(all.clone())).await.unwrap())
            .await
            .is_empty()
    );

    // Needs the real matchers (h/mongoq): n >= 5 → r5 (n=5), r2 (4? no) …
    if real_matchers() {
        let q = obj(&[("n", obj(&[("$gte", i(5))]))]);
        let got = ids_of(&items(s.find("c", spec(q.clone())).await.unwrap()).await);
        // n values: r0 0, r1 7, r2 4, r3 1, r4 8, r5 5, r6 2, r7 9, r8 6, r9 3
        assert_eq!(got, vec!["r1", "r4", "r5", "r7", "r8"]);
        let c = s
            .count(
                "c",
                Some(Arc::new(Filter::compile(&q, Dialect::Mongo).unwrap())),
            )
            .await
            .unwrap();
        assert_eq!(c.count, 5);
    } else {
        eprintln!("NOTE: query matchers are stubs; filter assertions skipped");
    }
    // Needs the real sort order: sort by n descending, skip 1, limit 3 → n 8, 7, 6
    if real_sort() {
        let mut f = spec(all.clone());
        f.sort = vec![SortKey {
            path: "n".into(),
            descending: true,
        }];
        f.skip = 1;
        f.limit = Some(3);
        assert_eq!(
            ids_of(&items(s.find("c", f).await.unwrap()).await),
            vec!["r4", "r1", "r8"]
        );
    } else {
        eprintln!("NOTE: sort comparator is a stub; sort assertions skipped");
    }
    // Needs the real projection helper
    let mut f = spec(all.clone());
    f.projection = Some(Projection::parse("n").unwrap());
    f.limit = Some(1);
    let got = items(s.find("c", f).await.unwrap()).await;
    assert_eq!(got.len(), 1);
    if real_projection() {
        assert_eq!(got[0], Item::Record(rec("r0", &[("n", i(0))])));
    }
}

async fn t_count_and_collections(s: &dyn Store) {
    assert_eq!(s.collections().await.unwrap(), Vec::<String>::new());
    assert_eq!(s.count("none", None).await.unwrap().count, 0);
    save_ok(s, "b", vec![rec("1", &[]), rec("2", &[])]).await;
    save_ok(s, "a", vec![rec("1", &[])]).await;
    assert_eq!(s.count("b", None).await.unwrap().count, 2);
    let empty = Arc::new(Filter::all(Dialect::Mongo));
    assert_eq!(s.count("b", Some(empty)).await.unwrap().count, 2);
    // reads never create a collection
    let _ = s.get("ghost", "x").await.unwrap();
    let _ = items(s.scan("ghost2").await.unwrap()).await;
    let _ = s.count("ghost3", None).await.unwrap();
    let _ = s.delete_many("ghost4", vec!["x".into()]).await.unwrap();
    assert_eq!(s.collections().await.unwrap(), vec!["a", "b"]);
}

async fn t_value_fidelity(s: &dyn Store) {
    let recs: Vec<Value> = ["x1", "x2"].iter().map(|id| awkward(id)).collect();
    save_ok(s, "v", recs.clone()).await;
    assert_same(&found(s, "v", "x1").await, &recs[0]);
    let scanned = items(s.scan("v").await.unwrap()).await;
    assert_eq!(scanned.len(), 2);
    for (got, want) in scanned.iter().zip(&recs) {
        match got {
            Item::Record(v) => assert_same(v, want),
            other => panic!("unexpected {other:?}"),
        }
    }
    // merge keeps the awkward values too
    let r = save(
        s,
        "v",
        vec![rec("x1", &[("added", big("-99999999999999999999"))])],
        SaveMode::Merge,
    )
    .await;
    assert_eq!(r[0], Ok(Saved::Merged));
    let mut want = recs[0].clone();
    want.as_object_mut()
        .unwrap()
        .insert("added".into(), big("-99999999999999999999"));
    assert_same(&found(s, "v", "x1").await, &want);
}

async fn t_inner_id_kept(s: &dyn Store) {
    // the stored record is returned as stored; nothing rewrites the id field
    let r = rec("a", &[("id2", s_("b"))]);
    save_ok(s, "c", vec![r.clone()]).await;
    assert_same(&found(s, "c", "a").await, &r);
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

macro_rules! contract_all {
    ($($t:ident),* $(,)?) => {
        contract!(memory: $($t),*);
        contract!(json: $($t),*);
    };
}

contract_all!(
    t_replace_and_get,
    t_insert_conflict,
    t_skip_existing,
    t_merge,
    t_duplicates_in_batch,
    t_bad_records,
    t_invalid_names,
    t_accepted_names,
    t_delete,
    t_scan_order,
    t_scan_drop_early,
    t_find,
    t_count_and_collections,
    t_value_fidelity,
    t_inner_id_kept,
);

#[tokio::test]
async fn registry_opens_both_backends() {
    let m = StoreSpec::parse("memory:")
        .unwrap()
        .open(&OpenOptions::default())
        .await
        .unwrap();
    assert_eq!(m.backend(), "memory");
    assert!(m.json_dir().is_none());
    let d = tempfile::tempdir().unwrap();
    let spec = format!("json:{}", d.path().join("db").display());
    let j = StoreSpec::parse(&spec)
        .unwrap()
        .open(&OpenOptions { create: true })
        .await
        .unwrap();
    assert_eq!(j.backend(), "json");
    assert_eq!(j.json_dir(), Some(d.path().join("db").as_path()));
    assert!(d.path().join("db").is_dir());
    assert!(j.describe().contains("db"));
}

// ---------------------------------------------------------------------------------------------
// JSON-only: the on-disk format

mod json_only {
    use super::*;
    use std::fs;
    use std::os::unix::fs::{PermissionsExt, symlink};
    use std::path::{Path, PathBuf};

    fn open(base: &Path, create: bool) -> JsonStore {
        JsonStore::open(base, &OpenOptions { create }).expect("open")
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn umask() -> u32 {
        // SAFETY: umask only swaps the process file-mode mask; restored immediately.
        unsafe {
            let m = libc::umask(0o022);
            libc::umask(m);
            m as u32
        }
    }

    #[tokio::test]
    async fn byte_layout() {
        let d = tempfile::tempdir().unwrap();
        let base = d.path().join("jvdb");
        let s = open(&base, true);
        let recs = vec![
            awkward("n.City.0000000000000000000000a1"),
            rec(".hidden", &[("v", i(1))]),
            rec("weird id: ü €", &[]),
        ];
        save_ok(&s, "node", recs.clone()).await;
        let dir = base.join("node");
        assert_eq!(
            names(&dir),
            vec![
                ".hidden.json",
                "n.City.0000000000000000000000a1.json",
                "weird id: ü €.json"
            ]
        );
        for r in &recs {
            let p = dir.join(format!("{}.json", r.record_id().unwrap()));
            let bytes = fs::read(&p).unwrap();
            assert_eq!(bytes, jvdb::json::to_python_indent2(r), "{}", p.display());
            assert!(bytes.ends_with(b"}"), "no trailing newline");
            assert!(bytes.is_ascii(), "ensure_ascii output");
            let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o644 & !umask());
        }
        // a record with a NaN is written as the bare token, as Python does
        let text =
            String::from_utf8(fs::read(dir.join("n.City.0000000000000000000000a1.json")).unwrap())
                .unwrap();
        assert!(text.contains("\"nan\": NaN"), "{text}");
        assert!(text.contains("\"big\": 18446744073709551617"), "{text}");
        assert!(text.starts_with("{\n  \"id\": "), "{text}");
    }

    #[tokio::test]
    async fn failed_write_leaves_no_temp_and_temp_names_match_jvspatial() {
        let d = tempfile::tempdir().unwrap();
        let s = open(d.path(), true);
        save_ok(&s, "c", vec![rec("ok", &[])]).await;
        // a non-empty directory where the record file should go makes the rename fail
        fs::create_dir_all(d.path().join("c/blocked.json/inner")).unwrap();
        let r = save(
            &s,
            "c",
            vec![rec("blocked", &[]), rec("fine", &[])],
            SaveMode::Replace,
        )
        .await;
        let e = r[0].clone().expect_err("rename over a directory fails");
        assert!(e.message.contains("blocked"), "{}", e.message);
        assert_eq!(r[1], Ok(Saved::Created));
        assert!(
            names(&d.path().join("c"))
                .iter()
                .all(|n| !n.ends_with(".jvtmp")),
            "temp file removed after failure"
        );
        // temp names: <name>.<pid>.<12 lowercase hex>.jvtmp in the same directory
        let t = jvdb::store::json::atomic::temp_path(&d.path().join("c/x.y.json"));
        assert_eq!(t.parent(), Some(d.path().join("c").as_path()));
        let name = t.file_name().unwrap().to_str().unwrap();
        let parts: Vec<&str> = name.rsplitn(4, '.').collect();
        assert_eq!(parts.len(), 4);
        assert_eq!(parts[0], "jvtmp");
        assert!(
            parts[1].len() == 12
                && parts[1]
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert_eq!(parts[2], std::process::id().to_string());
        assert_eq!(parts[3], "x.y.json");
    }

    #[tokio::test]
    async fn sweep_removes_dead_and_odd_temp_files_only() {
        let d = tempfile::tempdir().unwrap();
        let s = open(d.path(), true);
        save_ok(&s, "c", vec![rec("a", &[])]).await;
        let c = d.path().join("c");
        let live = c.join(format!("a.json.{}.00112233aabb.jvtmp", std::process::id()));
        let dead = c.join("a.json.2147483600.00112233aabb.jvtmp");
        let odd = c.join("junk.jvtmp");
        for p in [&live, &dead, &odd] {
            fs::write(p, b"{}").unwrap();
        }
        // temp files are never records
        assert_eq!(scan_ids(&s, "c").await, vec!["a"]);
        assert_eq!(s.count("c", None).await.unwrap().count, 1);
        let dry = jvdb::store::json::sweep_tmp_files(d.path(), true).unwrap();
        assert_eq!(dry, vec![dead.clone(), odd.clone()]);
        assert!(dead.exists());
        let gone = jvdb::store::json::sweep_tmp_files(d.path(), false).unwrap();
        assert_eq!(gone, vec![dead.clone(), odd.clone()]);
        assert!(live.exists() && !dead.exists() && !odd.exists());
        assert!(
            jvdb::store::json::sweep_tmp_files(&d.path().join("missing"), false)
                .unwrap()
                .is_empty()
        );
    }

    fn write(p: PathBuf, bytes: &[u8]) {
        fs::write(p, bytes).unwrap();
    }

    #[tokio::test]
    async fn unreadable_files_are_reported_with_reasons() {
        let d = tempfile::tempdir().unwrap();
        let s = open(d.path(), true);
        save_ok(&s, "c", vec![rec("good", &[])]).await;
        let c = d.path().join("c");
        write(c.join("trunc.json"), b"{\"id\": \"trunc\", \"a\": ");
        write(c.join("empty.json"), b"");
        write(c.join("binary.json"), &[0xff, 0x00, 0x13, 0x80]);
        write(c.join("list.json"), b"[1, 2, 3]");
        write(
            c.join("bom.json"),
            b"\xef\xbb\xbf{\"id\": \"bom\", \"v\": NaN}",
        );
        let mut utf16 = vec![0xff, 0xfe];
        for u in "{\"id\": \"u16\", \"s\": \"\u{e9}\"}".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        write(c.join("u16.json"), &utf16);
        write(c.join("other.json"), b"{\"id\": \"not-other\"}");

        let reason = |g: GetResult| match g {
            GetResult::Unreadable(r) => r,
            other => panic!("expected unreadable, got {other:?}"),
        };
        assert!(reason(get(&s, "c", "trunc").await).contains("invalid JSON"));
        assert_eq!(reason(get(&s, "c", "empty").await), "empty file");
        assert!(reason(get(&s, "c", "binary").await).contains("invalid JSON"));
        assert!(reason(get(&s, "c", "list").await).contains("array"));
        assert_eq!(found(&s, "c", "bom").await.get("id"), Some(&s_("bom")));
        assert_same(&found(&s, "c", "u16").await, &rec("u16", &[("s", s_("é"))]));
        // inner id differs from the file name: returned as stored
        assert_same(
            &found(&s, "c", "other").await,
            &obj(&[("id", s_("not-other"))]),
        );

        let got = items(s.scan("c").await.unwrap()).await;
        assert_eq!(
            ids_of(&got),
            vec![
                "!binary",
                "bom",
                "!empty",
                "good",
                "!list",
                "not-other",
                "!trunc",
                "u16"
            ]
        );
        // jvspatial's count() counts directory entries, malformed files included
        assert_eq!(s.count("c", None).await.unwrap().count, 8);
        // the default find-based count reports the unreadable ones
        let q = Arc::new(
            Filter::compile(
                &obj(&[("id", obj(&[("$exists", Value::Bool(true))]))]),
                Dialect::Mongo,
            )
            .unwrap(),
        );
        let cnt = s.count("c", Some(q)).await.unwrap();
        assert_eq!(cnt.unreadable.len(), 4);
        assert_eq!(cnt.count, 4);
        // merging into an unreadable file is refused and leaves it alone
        let r = save(&s, "c", vec![rec("trunc", &[("x", i(1))])], SaveMode::Merge).await;
        let e = r[0].clone().expect_err("refused");
        assert_eq!(e.kind, ErrorKind::Refused);
        assert!(e.message.contains("trunc"), "{}", e.message);
        assert_eq!(
            fs::read(c.join("trunc.json")).unwrap(),
            b"{\"id\": \"trunc\", \"a\": "
        );
    }

    #[tokio::test]
    async fn which_entries_are_records() {
        let d = tempfile::tempdir().unwrap();
        let s = open(d.path(), true);
        save_ok(&s, "c", vec![rec("a", &[])]).await;
        let c = d.path().join("c");
        write(c.join(".hidden.json"), b"{\"id\": \".hidden\"}");
        write(c.join("X.JSON"), b"{\"id\": \"X\"}");
        write(c.join("foo.txt"), b"{\"id\": \"foo\"}");
        write(c.join("y.json.123.0123456789ab.jvtmp"), b"{\"id\": \"y\"}");
        fs::create_dir(c.join("sub")).unwrap();
        write(c.join("sub/z.json"), b"{\"id\": \"z\"}");
        fs::create_dir(c.join("dir.json")).unwrap();
        // a file directly in the base is not a collection
        write(d.path().join("stray.json"), b"{}");
        assert_eq!(scan_ids(&s, "c").await, vec![".hidden", "a", "!dir"]);
        // jvspatial's count() counts every `*.json` entry (the directory too)
        assert_eq!(s.count("c", None).await.unwrap().count, 3);
        assert_eq!(s.collections().await.unwrap(), vec!["c"]);
        assert_eq!(get(&s, "c", "X").await, GetResult::Missing);
    }

    #[tokio::test]
    async fn reading_never_creates_directories() {
        let d = tempfile::tempdir().unwrap();
        let base = d.path().join("not-there");
        let s = open(&base, false);
        assert_eq!(s.collections().await.unwrap(), Vec::<String>::new());
        assert_eq!(get(&s, "node", "a").await, GetResult::Missing);
        assert!(scan_ids(&s, "node").await.is_empty());
        assert_eq!(s.count("node", None).await.unwrap().count, 0);
        assert_eq!(
            s.delete_many("node", vec!["a".into()]).await.unwrap(),
            vec![Ok(false)]
        );
        assert!(
            items(s.find("node", spec(obj(&[]))).await.unwrap())
                .await
                .is_empty()
        );
        assert!(!base.exists());
        // writing creates what it needs
        save_ok(&s, "node", vec![rec("a", &[])]).await;
        assert!(base.join("node/a.json").is_file());
        let _ = get(&s, "edge", "a").await;
        assert!(!base.join("edge").exists());
    }

    #[tokio::test]
    async fn open_errors() {
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("file");
        fs::write(&file, b"x").unwrap();
        let e = JsonStore::open(&file, &OpenOptions::default())
            .err()
            .expect("a file is not a store");
        assert_eq!(e.kind, ErrorKind::Unavailable);
        assert!(
            e.message.contains("file") && e.message.contains("not a directory"),
            "{}",
            e.message
        );
        let e = JsonStore::open(&file.join("sub"), &OpenOptions { create: true })
            .err()
            .expect("below a file");
        assert_eq!(e.kind, ErrorKind::Unavailable);
        let created = d.path().join("a/b/c");
        open(&created, true);
        assert!(created.is_dir());
    }

    #[tokio::test]
    async fn symlink_escapes_are_rejected() {
        let d = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        write(outside.path().join("secret.json"), b"{\"id\": \"secret\"}");
        let s = open(&d.path().join("db"), true);
        save_ok(&s, "node", vec![rec("a", &[])]).await;
        symlink(outside.path(), d.path().join("db/evil")).unwrap();
        for e in [
            s.get("evil", "secret").await.map(|_| ()).unwrap_err(),
            s.save_many("evil", vec![rec("x", &[])], SaveMode::Replace)
                .await
                .map(|_| ())
                .unwrap_err(),
            s.scan("evil").await.map(|_| ()).unwrap_err(),
            s.delete_many("evil", vec!["secret".into()])
                .await
                .map(|_| ())
                .unwrap_err(),
        ] {
            assert_eq!(e.kind, ErrorKind::Invalid);
            assert!(
                e.message.contains("evil") && e.message.contains("escapes"),
                "{}",
                e.message
            );
        }
        assert!(!s.collections().await.unwrap().contains(&"evil".to_string()));
        assert!(outside.path().join("secret.json").exists());
        assert!(!outside.path().join("x.json").exists());
        // a record file symlinked outside
        symlink(
            outside.path().join("secret.json"),
            d.path().join("db/node/leak.json"),
        )
        .unwrap();
        let e = s.get("node", "leak").await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(e.message.contains("leak"), "{}", e.message);
        let got = items(s.scan("node").await.unwrap()).await;
        assert!(
            matches!(&got[1], Item::Unreadable { id, reason } if id == "leak" && reason.contains("outside")),
            "{got:?}"
        );
        let r = save(&s, "node", vec![rec("leak", &[])], SaveMode::Replace).await;
        assert_eq!(r[0].clone().map_err(|e| e.kind), Err(ErrorKind::Invalid));
        assert_eq!(
            fs::read(outside.path().join("secret.json")).unwrap(),
            b"{\"id\": \"secret\"}"
        );
        // a symlink that stays inside the store is fine (jvspatial resolves and accepts it)
        symlink(d.path().join("db/node"), d.path().join("db/alias")).unwrap();
        assert_eq!(found(&s, "alias", "a").await.get("id"), Some(&s_("a")));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn insert_does_not_overwrite_under_concurrent_writers() {
        let d = tempfile::tempdir().unwrap();
        // separate store instances: no shared in-process locks, like separate processes
        let stores: Vec<Arc<JsonStore>> = (0..8).map(|_| Arc::new(open(d.path(), true))).collect();
        for round in 0..5 {
            let id = format!("contended{round}");
            let mut tasks = Vec::new();
            for (w, s) in stores.iter().enumerate() {
                let (s, id) = (s.clone(), id.clone());
                tasks.push(tokio::spawn(async move {
                    let r = s
                        .save_many(
                            "c",
                            vec![rec(&id, &[("writer", i(w as i64))])],
                            SaveMode::Insert,
                        )
                        .await;
                    (w, r.unwrap().remove(0))
                }));
            }
            let mut winners = Vec::new();
            for t in tasks {
                let (w, r) = t.await.unwrap();
                match r {
                    Ok(Saved::Created) => winners.push(w),
                    Ok(other) => panic!("unexpected {other:?}"),
                    Err(e) => assert_eq!(e.kind, ErrorKind::Conflict, "{}", e.message),
                }
            }
            assert_eq!(winners.len(), 1, "exactly one insert wins");
            let v = found(&*stores[0], "c", &id).await;
            assert_eq!(v.get("writer"), Some(&i(winners[0] as i64)));
        }
        assert!(
            names(&d.path().join("c"))
                .iter()
                .all(|n| !n.ends_with(".jvtmp"))
        );
    }

    /// Throughput of save_many (run with `--ignored --nocapture`); prints records/s.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore]
    async fn save_many_throughput() {
        let d =
            tempfile::tempdir_in(std::env::var("JVDB_BENCH_DIR").unwrap_or_else(|_| "/tmp".into()))
                .unwrap();
        let s = open(d.path(), true);
        let n = 5000;
        let recs: Vec<Value> = (0..n)
            .map(|k| {
                rec(
                    &format!("n.City.{k:024x}"),
                    &[
                        ("entity", s_("City")),
                        ("context", obj(&[("name", s_("x")), ("pop", i(k))])),
                    ],
                )
            })
            .collect();
        let t = std::time::Instant::now();
        let r = s.save_many("node", recs, SaveMode::Replace).await.unwrap();
        let el = t.elapsed().as_secs_f64();
        assert!(r.iter().all(|x| *x == Ok(Saved::Created)));
        assert_eq!(s.count("node", None).await.unwrap().count, n as u64);
        eprintln!(
            "save_many: {n} records in {el:.2}s = {:.0} records/s",
            n as f64 / el
        );
        let t = std::time::Instant::now();
        let got = items(s.scan("node").await.unwrap()).await;
        assert_eq!(got.len() as i64, n);
        eprintln!("scan: {n} records in {:.2}s", t.elapsed().as_secs_f64());
    }
}
