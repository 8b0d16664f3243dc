//! Strings with lone surrogates (`"a\ud800b"`), which Python's `json.loads` accepts and
//! jvspatial's JsonDB therefore reads and writes back. jvdb holds them as `Value::WStr`; these
//! tests check every place that looks at a string: both query dialects, sorting, the writers,
//! the output formats, save/delete/cleanup. Python-side facts are checked live where an
//! oracle exists (file bytes, validate_graph) and were taken from CPython 3.11 otherwise.

mod common;

use jvdb::graph::{py_str, py_str_key};
use jvdb::query::jvspatial::{self, py_repr_wtf8};
use jvdb::query::{Dialect, Filter, SortKey};
use jvdb::store::{SaveMode, StoreSpec};
use jvdb::{Map, Value, json, wtf8};
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A string value from code points (surrogates allowed).
fn w(cps: &[u32]) -> Value {
    let mut b = Vec::new();
    for &c in cps {
        wtf8::push_code_point(&mut b, c);
    }
    Value::from_wtf8(b)
}

fn doc(pairs: &[(&str, Value)]) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert((*k).to_string(), v.clone());
    }
    Value::Object(m)
}

fn q(text: &str) -> Value {
    json::parse_str(text).expect("query literal")
}

fn matches(d: Dialect, query: &str, v: &Value) -> bool {
    Filter::compile(&q(query), d)
        .expect("query compiles")
        .matches(v)
        .expect("query runs")
}

#[test]
fn mongo_dialect_treats_them_as_strings_that_equal_no_valid_string() {
    let m = Dialect::Mongo;
    let d = doc(&[("s", w(&[0x61, 0xD800, 0x62])), ("t", "a\u{FFFD}b".into())]);
    assert!(matches(m, r#"{"s": "a\ud800b"}"#, &d));
    assert!(!matches(m, r#"{"s": "a\ufffdb"}"#, &d));
    assert!(!matches(m, r#"{"t": "a\ud800b"}"#, &d));
    assert!(matches(m, r#"{"s": {"$in": ["x", "a\ud800b"]}}"#, &d));
    assert!(matches(m, r#"{"s": {"$type": "string"}}"#, &d));
    assert!(matches(m, r#"{"s": {"$type": 2}}"#, &d));
    // String bracket, code-point order: "a\ud7ff" < "a\ud800b" < "a\ue000" < "a\ufffdb".
    assert!(matches(
        m,
        r#"{"s": {"$gt": "a\ud7ff", "$lt": "a\ue000"}}"#,
        &d
    ));
    assert!(matches(m, r#"{"t": {"$gt": "a\ud800b"}}"#, &d));
    assert!(!matches(m, r#"{"s": {"$gt": 5}}"#, &d));
    // $regex runs on the lossy text.
    assert!(matches(m, r#"{"s": {"$regex": "^a.b$"}}"#, &d));
    assert!(matches(m, r#"{"s": {"$regex": "\ufffd"}}"#, &d));
    // An unknown $type alias that holds a surrogate is a clear query error.
    let e = Filter::compile(&q(r#"{"s": {"$type": "\ud800"}}"#), m).expect_err("bad alias");
    assert!(e.0.contains("Unknown type name alias: \\ud800"), "{}", e.0);
    // Sorting puts them among strings by code point.
    let mut recs = vec![
        doc(&[("k", "a\u{E000}".into())]),
        doc(&[("k", w(&[0x61, 0xD800]))]),
        doc(&[("k", Value::Int(1))]),
        doc(&[("k", "a\u{D7FF}".into())]),
    ];
    let keys = [SortKey {
        path: "k".into(),
        descending: false,
    }];
    jvdb::query::sort_records(&mut recs, &keys, Dialect::Mongo).expect("sort");
    let got: Vec<Value> = recs.iter().map(|r| r.get("k").cloned().unwrap()).collect();
    assert_eq!(
        got,
        vec![
            Value::Int(1),
            "a\u{D7FF}".into(),
            w(&[0x61, 0xD800]),
            "a\u{E000}".into()
        ]
    );
}

/// jvspatial's QueryEngine sees a Python `str` (CPython 3.11 results in the comments; the
/// differential test in tests/query_jvspatial_diff.rs checks thousands more).
#[test]
fn jvspatial_dialect_has_python_str_semantics() {
    let j = Dialect::Jvspatial;
    let d = doc(&[("s", w(&[0x61, 0xD800, 0x62])), ("n", w(&[0x31, 0xDC00]))]);
    assert!(matches(j, r#"{"s": "a\ud800b"}"#, &d));
    assert!(!matches(j, r#"{"s": "a\ufffdb"}"#, &d));
    assert!(matches(j, r#"{"s": {"$size": 3}}"#, &d)); // len('a\ud800b') == 3
    assert!(matches(j, r#"{"s": {"$type": "str"}}"#, &d));
    assert!(matches(j, r#"{"s": {"$in": "xa\ud800by"}}"#, &d)); // substring
    assert!(!matches(j, r#"{"s": {"$in": "a\ufffdb"}}"#, &d));
    assert!(matches(
        j,
        r#"{"s": {"$lt": "a\ue000", "$gt": "a\ud7ff"}}"#,
        &d
    ));
    assert!(matches(j, r#"{"s": {"$regex": "^a.b$"}}"#, &d));
    // int('1\udc00') raises ValueError: $size with that operand is False.
    assert!(!matches(j, r#"{"s": {"$size": "1\udc00"}}"#, &d));
    assert!(!matches(j, r#"{"n": {"$mod": [2, 1]}}"#, &d));
    // '<' between str and int is a TypeError.
    let f = Filter::compile(&q(r#"{"s": {"$gt": 1}}"#), j).expect("compiles");
    let e = f.matches(&d).expect_err("TypeError");
    assert!(
        e.0.contains("'>' not supported between instances of 'str' and 'int'"),
        "{}",
        e.0
    );
    // repr() and str(): repr('a\ud800b') == "'a\\ud800b'", str(['\udfff', "it's"]).
    assert_eq!(
        py_repr_wtf8(d.get("s").unwrap().str_bytes().unwrap()),
        "'a\\ud800b'"
    );
    let list = Value::Array(vec![w(&[0xDFFF]), "it's".into()]);
    assert_eq!(py_str(&list), "['\\udfff', \"it's\"]");
    assert_eq!(py_str_key(&w(&[0xDFFF])), vec![0xED, 0xBF, 0xBF]);
    assert_eq!(jvspatial::py_type(&w(&[0xDFFF])), "str");
    assert!(jvspatial::py_truthy(&w(&[0xDFFF])));
}

// ---------------------------------------------------------------------------------------------
// Stores and the command line

fn jvdb_bin() -> PathBuf {
    std::env::var_os("JVDB_BIN")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_jvdb")))
}

fn jvdb<S: AsRef<OsStr>>(args: &[S]) -> Output {
    let mut cmd = Command::new(jvdb_bin());
    cmd.args(args).stdin(Stdio::null());
    for v in [
        "JVSPATIAL_DB",
        "JVSPATIAL_DB_TYPE",
        "JVSPATIAL_DB_PATH",
        "JVSPATIAL_JSONDB_PATH",
    ] {
        cmd.env_remove(v);
    }
    cmd.output().expect("run jvdb")
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[track_caller]
fn run(args: &[&str], code: i32) -> (String, String) {
    let o = jvdb(args);
    assert_eq!(o.status.code(), Some(code), "jvdb {args:?}:\n{}", show(&o));
    (
        String::from_utf8(o.stdout).expect("stdout is UTF-8"),
        String::from_utf8(o.stderr).expect("stderr is UTF-8"),
    )
}

#[track_caller]
fn oracle<S: AsRef<OsStr>>(args: &[S]) {
    let o = Command::new(common::python())
        .arg(common::py_script("interop_check.py"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run the Python oracle");
    assert!(o.status.success(), "jvspatial disagrees:\n{}", show(&o));
}

fn put(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    fs::write(p, text).expect("write");
}

#[test]
fn command_line_reads_prints_and_queries_them() {
    let t = tempfile::tempdir().expect("tmp");
    let dir = t.path().join("db");
    put(
        &dir,
        "m/surr.json",
        r#"{"id": "surr", "s": "a\ud800b", "n": 1}"#,
    );
    put(
        &dir,
        "m/plain.json",
        r#"{"id": "plain", "s": "a\ufffdb", "n": 2}"#,
    );
    put(&dir, "m/wid.json", r#"{"id": "w\udc00", "s": "x", "n": 3}"#);
    let db = dir.to_str().expect("utf-8 path");
    // jsonl keeps the escape (valid UTF-8 that json.loads reads back to the same string).
    let (out, _) = run(&["--db", db, "get", "m", "surr", "--format", "jsonl"], 0);
    assert_eq!(out, "{\"id\":\"surr\",\"s\":\"a\\ud800b\",\"n\":1}\n");
    let (out, _) = run(&["--db", db, "get", "m", "surr", "--format", "json"], 0);
    assert!(out.contains("\"s\": \"a\\ud800b\""), "{out}");
    // csv and table show U+FFFD; an id that cannot be a file name is printed as JSON.
    let (out, _) = run(&["--db", db, "find", "m", "--format", "csv"], 0);
    assert_eq!(
        out,
        "id,s,n\nplain,a\u{FFFD}b,2\nsurr,a\u{FFFD}b,1\nw\u{FFFD},x,3\n"
    );
    let (out, _) = run(&["--db", db, "find", "m", "--format", "table"], 0);
    assert!(out.contains("a\u{FFFD}b"), "{out}");
    let (out, _) = run(&["--db", db, "find", "m", "--format", "ids"], 0);
    assert_eq!(out, "plain\nsurr\n\"w\\udc00\"\n");
    // Queries and sort, both dialects.
    for dialect in ["mongo", "jvspatial"] {
        let (out, _) = run(
            &[
                "--db",
                db,
                "--dialect",
                dialect,
                "count",
                "m",
                "--query",
                r#"{"s": "a\ud800b"}"#,
            ],
            0,
        );
        assert_eq!(out.trim(), "1", "{dialect}");
        let (out, _) = run(
            &[
                "--db",
                db,
                "--dialect",
                dialect,
                "find",
                "m",
                "--sort",
                "s:1",
                "--format",
                "ids",
            ],
            0,
        );
        assert_eq!(out, "surr\nplain\n\"w\\udc00\"\n", "{dialect}");
    }
}

#[test]
fn save_writes_them_like_jsondb_and_refuses_them_in_ids() {
    let t = tempfile::tempdir().expect("tmp");
    let dir = t.path().join("db");
    let db = dir.to_str().expect("utf-8 path");
    run(
        &[
            "--db",
            db,
            "save",
            "m",
            "--data",
            r#"{"id": "v", "s": ["\udc00\u00e9", "\ud83d\ude00"]}"#,
        ],
        0,
    );
    assert_eq!(
        fs::read_to_string(dir.join("m/v.json")).expect("record file"),
        "{\n  \"id\": \"v\",\n  \"s\": [\n    \"\\udc00\\u00e9\",\n    \"\\ud83d\\ude00\"\n  ]\n}"
    );
    // Byte-identical to what JsonDB.save writes for that record.
    oracle(&[OsStr::new("bytes-check"), dir.as_os_str()]);
    let (_, err) = run(
        &["--db", db, "save", "m", "--data", r#"{"id": "x\ud800"}"#],
        1,
    );
    assert!(err.contains("record id contains a lone surrogate"), "{err}");
    assert!(!dir.join("m/x\u{FFFD}.json").exists());
    // Keys stay valid UTF-8: a key with a lone surrogate is an input error.
    let o = jvdb(&[
        "--db",
        db,
        "save",
        "m",
        "--data",
        r#"{"id": "k", "\ud800": 1}"#,
    ]);
    assert!(!o.status.success(), "{}", show(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("lone surrogate \\ud800 in an object key is not supported"),
        "{}",
        show(&o)
    );
    // The library API refuses such an id too.
    let store = futures::executor::block_on(async {
        let spec = StoreSpec::parse("memory:").expect("spec");
        spec.open(&Default::default()).await.expect("open")
    });
    let bad = doc(&[("id", w(&[0xD800]))]);
    let r = futures::executor::block_on(store.save_many("m", vec![bad], SaveMode::Replace))
        .expect("save_many");
    let e = r
        .into_iter()
        .next()
        .expect("one result")
        .expect_err("refused");
    assert!(
        e.to_string()
            .contains("record id contains a lone surrogate"),
        "{e}"
    );
}

#[test]
fn delete_reports_a_record_whose_id_has_a_lone_surrogate() {
    let t = tempfile::tempdir().expect("tmp");
    let dir = t.path().join("db");
    put(&dir, "m/wid.json", r#"{"id": "w\udc00", "n": 3}"#);
    put(&dir, "m/ok.json", r#"{"id": "ok", "n": 4}"#);
    let db = dir.to_str().expect("utf-8 path");
    let (out, err) = run(
        &[
            "--db",
            db,
            "delete",
            "m",
            "--query",
            r#"{"n": {"$gte": 3}}"#,
            "--yes",
        ],
        1,
    );
    assert_eq!(out, "ok\n");
    assert!(
        err.contains("w\\udc00: matching record's id contains a lone surrogate"),
        "{err}"
    );
    assert!(dir.join("m/wid.json").exists() && !dir.join("m/ok.json").exists());
}

/// `cleanup` finds the dangling edges and orphans validate_graph finds (ids compared exactly,
/// lone surrogates included), deletes none it cannot name, and says so.
#[test]
fn cleanup_agrees_with_validate_graph_on_lone_surrogate_ids() {
    let t = tempfile::tempdir().expect("tmp");
    let dir = t.path().join("db");
    put(
        &dir,
        "node/n.Root.root.json",
        r#"{"id": "n.Root.root", "entity": "Root", "context": {}}"#,
    );
    put(
        &dir,
        "node/a.json",
        r#"{"id": "n.A.\ud800", "entity": "A", "context": {}}"#,
    );
    put(
        &dir,
        "node/b.json",
        r#"{"id": "n.B.\udc00", "entity": "B", "context": {}}"#,
    );
    put(
        &dir,
        "node/c.json",
        r#"{"id": "n.C.\ufffd", "entity": "C", "context": {}}"#,
    );
    // Reaches A exactly; the U+FFFD node C stays an orphan.
    put(
        &dir,
        "edge/e.E.1.json",
        r#"{"id": "e.E.1", "entity": "E", "source": "n.Root.root", "target": "n.A.\ud800", "context": {}}"#,
    );
    // Dangling (no node \ud801), and its id cannot name a file.
    put(
        &dir,
        "edge/e2.json",
        r#"{"id": "e.E.\udc00", "entity": "E", "source": "n.Root.root", "target": "n.A.\ud801", "context": {}}"#,
    );
    // Dangling: a U+FFFD id is not the surrogate one.
    put(
        &dir,
        "edge/e.E.3.json",
        r#"{"id": "e.E.3", "entity": "E", "source": "n.B.\ufffd", "target": "n.Root.root", "context": {}}"#,
    );
    let snap = t.path().join("snap.json");
    oracle(&[OsStr::new("snapshot"), dir.as_os_str(), snap.as_os_str()]);
    let db = dir.to_str().expect("utf-8 path");
    let (out, err) = run(&["--db", db, "cleanup", "--dry-run", "--format", "json"], 1);
    assert!(err.contains("cannot clean \"e.E.\\udc00\""), "{err}");
    let report_path = t.path().join("report.json");
    fs::write(&report_path, &out).expect("write report");
    oracle(&[
        OsStr::new("cleanup-check"),
        dir.as_os_str(),
        snap.as_os_str(),
        report_path.as_os_str(),
        OsStr::new("dry"),
    ]);
    let report = json::parse_str(&out).expect("report is JSON");
    assert_eq!(
        report.get("dangling_edges"),
        Some(&Value::Array(vec![
            "e.E.3".into(),
            w(&[0x65, 0x2E, 0x45, 0x2E, 0xDC00])
        ]))
    );
    // Applied: the nameable dangling edge goes, the other stays, exit 1 for the report.
    let (out, _) = run(&["--db", db, "cleanup", "--yes", "--format", "json"], 1);
    let report = json::parse_str(&out).expect("report is JSON");
    assert_eq!(report.get("deleted"), Some(&Value::Int(1)));
    assert!(!dir.join("edge/e.E.3.json").exists() && dir.join("edge/e2.json").exists());
    let failures = report
        .get("failures")
        .and_then(Value::as_array)
        .expect("failures");
    assert_eq!(failures.len(), 1);
    assert_eq!(
        failures[0].get("id"),
        Some(&w(&[0x65, 0x2E, 0x45, 0x2E, 0xDC00]))
    );
}
