//! Shared helpers for integration tests (value builders, NaN-aware comparison, Python lookup).
#![allow(dead_code)]

pub mod bin;
pub mod fault_proxy;
pub mod mongo_server;
pub mod pg_server;

use jvdb::value::{Map, Value};
use std::path::PathBuf;

/// Build an object from key/value pairs, keeping their order.
pub fn obj(pairs: &[(&str, Value)]) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert((*k).to_string(), v.clone());
    }
    Value::Object(m)
}

/// A record `{"id": id, ...pairs}`.
pub fn rec(id: &str, pairs: &[(&str, Value)]) -> Value {
    let mut all = vec![("id", Value::from(id))];
    all.extend(pairs.iter().cloned());
    obj(&all)
}

pub fn s(x: &str) -> Value {
    Value::from(x)
}

pub fn i(x: i64) -> Value {
    Value::Int(x)
}

pub fn arr(items: Vec<Value>) -> Value {
    Value::Array(items)
}

pub fn big(decimal: &str) -> Value {
    Value::from_bigint(decimal.parse().expect("test bigint literal"))
}

/// Structural equality where NaN equals NaN and floats compare by bits (so -0.0 != 0.0), and
/// object key order matters.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && same(v1, v2))
        }
        _ => a == b,
    }
}

#[track_caller]
pub fn assert_same(a: &Value, b: &Value) {
    assert!(same(a, b), "values differ:\n left: {a:?}\nright: {b:?}");
}

/// A deliberately awkward record: big ints, NaN/Infinity, -0.0, unicode, nesting, key order.
pub fn awkward(id: &str) -> Value {
    rec(
        id,
        &[
            ("zeta", s("first key is not sorted")),
            (
                "alpha",
                s("Zürich 東京 😀 \u{2028} \"quoted\" \\ back\tslash\n"),
            ),
            ("big", big("18446744073709551617")),
            ("neg_big", big("-1180591620717411303424")),
            ("i64max", i(i64::MAX)),
            ("i64min", i(i64::MIN)),
            ("nan", Value::Float(f64::NAN)),
            ("inf", Value::Float(f64::INFINITY)),
            ("ninf", Value::Float(f64::NEG_INFINITY)),
            ("negzero", Value::Float(-0.0)),
            (
                "floats",
                arr(vec![
                    Value::Float(1e16),
                    Value::Float(1e-7),
                    Value::Float(100.0),
                    Value::Float(5e-324),
                    Value::Float(0.1),
                    Value::Float(1.7976931348623157e308),
                ]),
            ),
            ("empty_obj", obj(&[])),
            ("empty_arr", arr(vec![])),
            (
                "nested",
                obj(&[
                    (
                        "a",
                        arr(vec![
                            i(1),
                            obj(&[("b", Value::Null)]),
                            arr(vec![Value::Bool(true), Value::Bool(false)]),
                        ]),
                    ),
                    ("ctl", s("\u{0}\u{1f}\u{7f}")),
                ]),
            ),
        ],
    )
}

/// The Python interpreter for interop tests: `JVDB_TEST_PYTHON`, else
/// `<CARGO_MANIFEST_DIR>/.venv/bin/python`. Panics (fails the test) when neither exists.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("JVDB_TEST_PYTHON").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        assert!(
            p.exists(),
            "JVDB_TEST_PYTHON={} does not exist",
            p.display()
        );
        return p;
    }
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    assert!(
        p.exists(),
        "no Python with jvspatial 0.2.2 for interop tests: set JVDB_TEST_PYTHON or create {}",
        p.display()
    );
    p
}

/// Path of a helper script under tests/py/.
pub fn py_script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/py")
        .join(name)
}
