//! Interop with jvspatial 0.2.2's real JsonDB (through tests/py/jsondb_interop.py):
//! records saved by our JSON store read back equal in JsonDB, and JsonDB's files for the same
//! records are byte-identical to ours. Python: `JVDB_TEST_PYTHON` (see tests/common).

mod common;

use common::*;
use jvdb::store::json::JsonStore;
use jvdb::store::{OpenOptions, SaveMode, Saved, Store};
use jvdb::value::Value;
use std::fs;
use std::path::Path;
use std::process::Command;

/// Deterministic varied records: awkward values, odd ids, many float reprs, nesting.
fn records() -> Vec<Value> {
    let mut out = vec![
        awkward("n.City.0000000000000000000000a1"),
        awkward("weird id: ü € 😀"),
        awkward(".hidden"),
        rec(
            "n.Root.root",
            &[("entity", s("Root")), ("context", obj(&[]))],
        ),
        rec(
            "e.Highway.000000000000000000000002",
            &[
                ("entity", s("Highway")),
                (
                    "context",
                    obj(&[("lanes", i(4)), ("toll", Value::Float(2.5))]),
                ),
                ("source", s("n.City.0000000000000000000000a1")),
                ("target", s("n.City.0000000000000000000000b2")),
                ("bidirectional", Value::Bool(false)),
            ],
        ),
    ];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for k in 0..60 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let f = f64::from_bits(x);
        let f = if f.is_finite() {
            f
        } else {
            (x >> 11) as f64 / 3.0
        };
        let scaled = (x % 100_000) as f64 / 1000.0;
        out.push(rec(
            &format!("o.Thing.{x:024x}"),
            &[
                ("entity", s("Thing")),
                ("k", i(k)),
                ("bits", Value::Float(f)),
                ("scaled", Value::Float(scaled)),
                ("neg", i(-(x as i64 >> 3))),
                ("big", big(&format!("{}{:020}", x, k))),
                (
                    "text",
                    s(&format!("ключ {k} \u{1F600}\u{7} \"{}\"", k * 31)),
                ),
                (
                    "tags",
                    arr(vec![
                        s("a"),
                        i(k),
                        Value::Null,
                        obj(&[("deep", arr(vec![Value::Float(-0.0)]))]),
                    ]),
                ),
            ],
        ));
    }
    out
}

fn run_py(args: &[&str]) -> String {
    let out = Command::new(python())
        .arg(py_script("jsondb_interop.py"))
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

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jsondb_reads_ours_and_writes_identical_bytes() {
    let d = tempfile::tempdir().unwrap();
    let ours = d.path().join("ours");
    let theirs = d.path().join("theirs");
    let recs = records();

    let store = JsonStore::open(
        &ours,
        &OpenOptions {
            create: true,
            ..Default::default()
        },
    )
    .unwrap();
    let res = store
        .save_many("node", recs.clone(), SaveMode::Replace)
        .await
        .unwrap();
    assert!(res.iter().all(|r| *r == Ok(Saved::Created)), "{res:?}");

    // JsonDB writes the same records
    let input = d.path().join("records.jsonl");
    let lines: Vec<String> = recs.iter().map(jvdb::json::to_python_compact).collect();
    fs::write(&input, lines.join("\n")).unwrap();
    run_py(&[
        "write",
        theirs.to_str().unwrap(),
        "node",
        input.to_str().unwrap(),
    ]);

    let (a, b) = (ours.join("node"), theirs.join("node"));
    assert_eq!(files(&a), files(&b), "same file names");
    assert_eq!(files(&a).len(), recs.len());
    let mut differ = Vec::new();
    for name in files(&a) {
        if fs::read(a.join(&name)).unwrap() != fs::read(b.join(&name)).unwrap() {
            differ.push(name);
        }
    }
    assert!(differ.is_empty(), "files differ from JsonDB's: {differ:?}");

    // JsonDB reads ours back equal (find in id order, get by id, count)
    let out = run_py(&["read", ours.to_str().unwrap(), "node"]);
    let v = jvdb::json::parse_str(&out).expect("python output parses");
    let mut want = recs.clone();
    want.sort_by(|x, y| x.record_id().cmp(&y.record_id()));
    for key in ["find", "get"] {
        let got = v.get(key).and_then(Value::as_array).expect(key);
        assert_eq!(got.len(), want.len(), "{key}");
        for (g, w) in got.iter().zip(&want) {
            assert_same(g, w);
        }
    }
    assert_eq!(v.get("count"), Some(&Value::Int(recs.len() as i64)));

    // and our store reads JsonDB's files equal
    let theirs_store = JsonStore::open(&theirs, &OpenOptions::default()).unwrap();
    for w in &want {
        match theirs_store
            .get("node", w.record_id().unwrap())
            .await
            .unwrap()
        {
            jvdb::store::GetResult::Found(g) => assert_same(&g, w),
            other => panic!("{other:?}"),
        }
    }
}
