//! Helpers shared by the fuzz targets.
#![allow(dead_code)]

use jvdb::value::Value;

/// Structural equality with NaN == NaN, floats by bits, key order significant (what a
/// round trip through the writers must preserve).
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

/// The text of a value for assertion messages (bounded).
pub fn show(v: &Value) -> String {
    let s = jvdb::json::to_line(v);
    s.chars().take(400).collect()
}
