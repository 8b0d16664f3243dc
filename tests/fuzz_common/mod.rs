//! Strategies shared by the proptest fuzz targets (tests/fuzz_*.rs).
//!
//! Each target runs a bounded number of cases in CI (`PROPTEST_CASES` overrides it); long
//! runs: `PROPTEST_CASES=1000000 cargo test --release --test fuzz_json` (see
//! docs/reliability.md).
#![allow(dead_code)]

use jvdb::value::{Map, Value};
use proptest::prelude::*;

/// Cases for this run: `PROPTEST_CASES`, else `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn config(default: u32) -> ProptestConfig {
    ProptestConfig {
        cases: cases(default),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "id", "a", "b", "c", "x", "name", "a.b", "0", "1", "", "é", "$eq", "$gt", "$in",
            "$exists", "$not", "$and", "$or", "$size", "$elemMatch", "$regex", "$type", "$mod",
            "$all", "$nin", "$ne", "$lt", "$lte", "$gte", "$nor", "$options", "$foo",
        ]).prop_map(str::to_string),
        1 => any::<String>(),
    ]
}

pub fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        (-3i64..4).prop_map(Value::Int),
        any::<f64>().prop_map(Value::Float),
        prop::sample::select(vec![
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.0,
            0.5,
            1e300
        ])
        .prop_map(Value::Float),
        "[a-c0-9.^$*()\\[\\]|?+\\\\]{0,6}".prop_map(Value::Str),
        any::<String>().prop_map(Value::Str),
        "-?[1-9][0-9]{19,40}".prop_map(|d| Value::from_bigint(d.parse().unwrap())),
    ]
}

/// Arbitrary JSON values, nested a few levels.
pub fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6).prop_map(|kv| {
                let mut m = Map::new();
                for (k, v) in kv {
                    m.insert(k, v);
                }
                Value::Object(m)
            }),
        ]
    })
}

/// Arbitrary objects (records / queries).
pub fn object() -> impl Strategy<Value = Value> {
    prop::collection::vec((key(), value()), 0..6).prop_map(|kv| {
        let mut m = Map::new();
        for (k, v) in kv {
            m.insert(k, v);
        }
        Value::Object(m)
    })
}

/// Structural equality with NaN == NaN, floats by bits, key order significant.
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
