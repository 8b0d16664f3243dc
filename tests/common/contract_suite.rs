//! The store contract scenarios, shared by every backend's test file (tests/contract.rs runs
//! them on memory and JSON; tests/mongo.rs on MongoDB). Each scenario takes a fresh, empty
//! store. Include with `#[path = "common/contract_suite.rs"] mod contract_suite;` after
//! `mod common;`.
#![allow(dead_code)]

use crate::common::*;
use futures::StreamExt;
use jvdb::error::ErrorKind;
use jvdb::query::projection::Projection;
use jvdb::query::{Dialect, Filter, SortKey};
use jvdb::store::{FindSpec, GetResult, Item, SaveMode, Saved, Store};
use jvdb::value::Value;
use std::sync::Arc;

/// The query helpers' matchers may still be stubs (they land on other branches); assertions
/// that need a real matcher / sort order / projection run only when these report true.
pub fn real_matchers() -> bool {
    let f = Filter::compile(&obj(&[("x", i(1))]), Dialect::Mongo).expect("compile");
    !f.matches(&obj(&[("x", i(2))])).unwrap_or(true)
}
pub fn real_sort() -> bool {
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
pub fn real_projection() -> bool {
    Projection::parse("n").is_ok_and(|p| {
        p.apply(&rec("a", &[("n", i(1)), ("x", i(2))]))
            .get("x")
            .is_none()
    })
}

pub async fn save(
    s: &dyn Store,
    c: &str,
    recs: Vec<Value>,
    mode: SaveMode,
) -> Vec<jvdb::Result<Saved>> {
    s.save_many(c, recs, mode).await.expect("save_many")
}

pub async fn save_ok(s: &dyn Store, c: &str, recs: Vec<Value>) {
    for r in save(s, c, recs, SaveMode::Replace).await {
        r.expect("record saved");
    }
}

pub async fn get(s: &dyn Store, c: &str, id: &str) -> GetResult {
    s.get(c, id).await.expect("get")
}

pub async fn found(s: &dyn Store, c: &str, id: &str) -> Value {
    match get(s, c, id).await {
        GetResult::Found(v) => v,
        other => panic!("{c}/{id}: expected a record, got {other:?}"),
    }
}

pub async fn items(stream: jvdb::store::ItemStream) -> Vec<Item> {
    stream.map(|r| r.expect("stream item")).collect().await
}

pub fn ids_of(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|it| match it {
            Item::Record(v) => v.record_id().unwrap_or("<no id>").to_string(),
            Item::Unreadable { id, .. } => format!("!{id}"),
        })
        .collect()
}

pub async fn scan_ids(s: &dyn Store, c: &str) -> Vec<String> {
    ids_of(&items(s.scan(c).await.expect("scan")).await)
}

pub fn spec(filter: Value) -> FindSpec {
    FindSpec::all(Filter::compile(&filter, Dialect::Mongo).expect("query compiles"))
}

/// Every form jvspatial's `_validate_path_component` rejects.
pub const REJECTED: &[&str] = &[
    "", ".", "..", "a/b", "/abs", "/", "a\\b", "\\", "a\0b", "\0",
];
/// Names jvspatial accepts although they look odd.
pub const ACCEPTED: &[&str] = &[
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

pub async fn t_replace_and_get(s: &dyn Store) {
    let r = save(s, "node", vec![rec("a", &[("v", i(1))])], SaveMode::Replace).await;
    assert_eq!(r[0], Ok(Saved::Created));
    let r = save(s, "node", vec![rec("a", &[("w", i(2))])], SaveMode::Replace).await;
    assert_eq!(r[0], Ok(Saved::Replaced));
    // whole record replaced, no merge
    assert_stored(s, &found(s, "node", "a").await, &rec("a", &[("w", i(2))]));
    assert_eq!(get(s, "node", "zzz").await, GetResult::Missing);
    assert_eq!(get(s, "nope", "a").await, GetResult::Missing);
}

pub async fn t_insert_conflict(s: &dyn Store) {
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
    assert_stored(s, &found(s, "c", "a").await, &rec("a", &[("v", i(1))]));
}

pub async fn t_skip_existing(s: &dyn Store) {
    save_ok(s, "c", vec![rec("a", &[("v", i(1))])]).await;
    let r = save(
        s,
        "c",
        vec![rec("a", &[("v", i(2))]), rec("b", &[("v", i(3))])],
        SaveMode::SkipExisting,
    )
    .await;
    assert_eq!(r, vec![Ok(Saved::Skipped), Ok(Saved::Created)]);
    assert_stored(s, &found(s, "c", "a").await, &rec("a", &[("v", i(1))]));
    assert_stored(s, &found(s, "c", "b").await, &rec("b", &[("v", i(3))]));
}

pub async fn t_merge(s: &dyn Store) {
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
    assert_stored(s, &found(s, "c", "a").await, &want);
    assert_stored(s, &found(s, "c", "m").await, &rec("m", &[("only", i(1))]));
}

/// `got` equals `want` as the store gives `want` back ([`Store::stored_form`]: the identity for
/// stores that keep records exactly; PostgreSQL orders keys as JSONB does).
#[track_caller]
pub fn assert_stored(s: &dyn Store, got: &Value, want: &Value) {
    match s.stored_form() {
        Some(f) => assert_same(got, &f(want)),
        None => assert_same(got, want),
    }
}

pub fn s_(x: &str) -> Value {
    s(x)
}

pub async fn t_duplicates_in_batch(s: &dyn Store) {
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
    assert_stored(s, &found(s, "c", "a").await, &rec("a", &[("v", i(3))]));

    let r = save(
        s,
        "d",
        vec![rec("x", &[("v", i(1))]), rec("x", &[("v", i(2))])],
        SaveMode::Insert,
    )
    .await;
    assert_eq!(r[0], Ok(Saved::Created));
    assert_eq!(r[1].clone().map_err(|e| e.kind), Err(ErrorKind::Conflict));
    assert_stored(s, &found(s, "d", "x").await, &rec("x", &[("v", i(1))]));

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
    assert_stored(
        s,
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
        assert_stored(
            s,
            &found(s, "f", &format!("k{k:02}")).await,
            &rec(&format!("k{k:02}"), &[("round", i(4))]),
        );
    }
}

pub async fn t_bad_records(s: &dyn Store) {
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

pub async fn t_invalid_names(s: &dyn Store) {
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

pub async fn t_accepted_names(s: &dyn Store) {
    for name in ACCEPTED {
        let r = save(
            s,
            name,
            vec![rec(name, &[("n", s_(name))])],
            SaveMode::Replace,
        )
        .await;
        assert_eq!(r[0], Ok(Saved::Created), "{name:?}");
        assert_stored(
            s,
            &found(s, name, name).await,
            &rec(name, &[("n", s_(name))]),
        );
        assert_eq!(scan_ids(s, name).await, vec![name.to_string()]);
    }
    let mut want: Vec<String> = ACCEPTED.iter().map(|x| x.to_string()).collect();
    want.sort();
    assert_eq!(s.collections().await.unwrap(), want);
}

pub async fn t_delete(s: &dyn Store) {
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

pub async fn t_scan_order(s: &dyn Store) {
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

pub async fn t_scan_drop_early(s: &dyn Store) {
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

pub async fn t_find(s: &dyn Store) {
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

pub async fn t_count_and_collections(s: &dyn Store) {
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

pub async fn t_value_fidelity(s: &dyn Store) {
    let recs: Vec<Value> = ["x1", "x2"].iter().map(|id| awkward(id)).collect();
    save_ok(s, "v", recs.clone()).await;
    assert_stored(s, &found(s, "v", "x1").await, &recs[0]);
    let scanned = items(s.scan("v").await.unwrap()).await;
    assert_eq!(scanned.len(), 2);
    for (got, want) in scanned.iter().zip(&recs) {
        match got {
            Item::Record(v) => assert_stored(s, v, want),
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
    assert_stored(s, &found(s, "v", "x1").await, &want);
}

pub async fn t_inner_id_kept(s: &dyn Store) {
    // the stored record is returned as stored; nothing rewrites the id field
    let r = rec("a", &[("id2", s_("b"))]);
    save_ok(s, "c", vec![r.clone()]).await;
    assert_stored(s, &found(s, "c", "a").await, &r);
}

/// `edges_touching` (the graph walk's per-level lookup): a store that offers it returns at
/// least every edge whose top-level `source` or `target` is one of the ids, each once, and
/// nothing for a collection that does not exist; `None` means the caller scans.
pub async fn t_edges_touching(s: &dyn Store) {
    let e = |id: &str, src: Value, tgt: Value| {
        rec(
            id,
            &[("entity", s_("Highway")), ("source", src), ("target", tgt)],
        )
    };
    save_ok(
        s,
        "edge",
        vec![
            e("e1", s_("a"), s_("x")),
            e("e2", s_("x"), s_("b")),
            e("e3", s_("a"), s_("b")),
            e("e4", s_("x"), s_("y")),
            e("e5", Value::Int(7), s_("y")),
            e("e6", s_("ab"), s_("ba")),
            rec("e7", &[("context", obj(&[("source", s_("a"))]))]),
            e("e8", s_("a"), s_("a")),
        ],
    )
    .await;
    let ids = vec!["a".to_string(), "b".to_string()];
    let Some(got) = s.edges_touching("edge", &ids).await.unwrap() else {
        return;
    };
    let mut got = ids_of(&got);
    got.sort();
    let exact = ["e1", "e2", "e3", "e8"];
    for want in exact {
        assert_eq!(
            got.iter().filter(|g| *g == want).count(),
            1,
            "edges_touching: {want} once in {got:?}"
        );
    }
    assert!(!got.contains(&"e4".to_string()), "{got:?}");
    assert!(!got.contains(&"e6".to_string()), "{got:?}");
    let none = s.edges_touching("ghost_edges", &ids).await.unwrap();
    assert!(none.is_some_and(|v| v.is_empty()));
    // more ids than one batch of the store holds
    let many: Vec<String> = (0..12_000).map(|i| format!("n{i}")).chain(ids).collect();
    let mut got = ids_of(&s.edges_touching("edge", &many).await.unwrap().unwrap());
    got.sort();
    got.dedup();
    assert!(
        exact.iter().all(|w| got.contains(&w.to_string())),
        "{got:?}"
    );
}
