//! MongoDB's BSON comparison order over jvdb values.
//!
//! Canonical type brackets (the JSON subset of BSON's order): null < numbers < strings <
//! objects < arrays < booleans. Numbers of every kind (i64, big integers, doubles) compare by
//! exact numeric value; NaN equals NaN and sorts below every other number. Strings compare by
//! their UTF-8 bytes (MongoDB's simple collation); a string with a lone surrogate (which
//! MongoDB cannot store) sorts by code point among them and equals no valid string. Objects compare field by field (type
//! bracket, then field name, then value), arrays element by element; a prefix sorts first.

use crate::value::Value;
use num_bigint::BigInt;
use num_traits::FromPrimitive;
use std::cmp::Ordering;

/// The canonical type bracket of a value (BSON's `canonicalType`, renumbered).
pub fn bracket(v: &Value) -> u8 {
    match v {
        Value::Null => 1,
        Value::Int(_) | Value::BigInt(_) | Value::Float(_) => 2,
        Value::Str(_) | Value::WStr(_) => 3,
        Value::Object(_) => 4,
        Value::Array(_) => 5,
        Value::Bool(_) => 6,
    }
}

pub fn is_number(v: &Value) -> bool {
    bracket(v) == 2
}

pub fn is_nan(v: &Value) -> bool {
    matches!(v, Value::Float(f) if f.is_nan())
}

/// Total BSON order of two values.
pub fn compare(a: &Value, b: &Value) -> Ordering {
    let (ra, rb) = (bracket(a), bracket(b));
    if ra != rb {
        return ra.cmp(&rb);
    }
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        // A lone surrogate (`WStr`) is 3 bytes ED A0..BF xx, so a `WStr` never equals a `Str`
        // and sorts among strings by code point.
        (Value::Str(_) | Value::WStr(_), Value::Str(_) | Value::WStr(_)) => {
            a.str_bytes().cmp(&b.str_bytes())
        }
        (Value::Object(x), Value::Object(y)) => {
            for ((kx, vx), (ky, vy)) in x.iter().zip(y.iter()) {
                let o = bracket(vx)
                    .cmp(&bracket(vy))
                    .then_with(|| kx.as_bytes().cmp(ky.as_bytes()))
                    .then_with(|| compare(vx, vy));
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Array(x), Value::Array(y)) => {
            for (vx, vy) in x.iter().zip(y.iter()) {
                let o = compare(vx, vy);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        _ => compare_numbers(a, b),
    }
}

/// BSON equality (compare == Equal): `1 == 1.0`, NaN == NaN, `{a:1} == {a:1.0}`, order matters.
pub fn equal(a: &Value, b: &Value) -> bool {
    compare(a, b) == Ordering::Equal
}

/// Exact numeric comparison; NaN is equal to NaN and below everything else.
pub fn compare_numbers(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::BigInt(x), Value::BigInt(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => cmp_f64(*x, *y),
        (Value::Int(x), Value::BigInt(y)) => BigInt::from(*x).cmp(y),
        (Value::BigInt(x), Value::Int(y)) => (**x).cmp(&BigInt::from(*y)),
        (Value::Int(x), Value::Float(y)) => cmp_i64_f64(*x, *y),
        (Value::Float(x), Value::Int(y)) => cmp_i64_f64(*y, *x).reverse(),
        (Value::BigInt(x), Value::Float(y)) => cmp_big_f64(x, *y),
        (Value::Float(x), Value::BigInt(y)) => cmp_big_f64(y, *x).reverse(),
        _ => Ordering::Equal,
    }
}

fn cmp_f64(x: f64, y: f64) -> Ordering {
    match (x.is_nan(), y.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        // -0.0 == 0.0 here, as in BSON.
        _ => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
    }
}

const TWO_63: f64 = 9_223_372_036_854_775_808.0;

fn cmp_i64_f64(i: i64, f: f64) -> Ordering {
    if f.is_nan() {
        return Ordering::Greater;
    }
    if f >= TWO_63 {
        return Ordering::Less;
    }
    if f < -TWO_63 {
        return Ordering::Greater;
    }
    // Here f.trunc() fits in i64 exactly.
    let t = f.trunc();
    let ti = t as i64;
    match i.cmp(&ti) {
        Ordering::Equal => {
            let frac = f - t;
            if frac > 0.0 {
                Ordering::Less
            } else if frac < 0.0 {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        }
        o => o,
    }
}

fn cmp_big_f64(b: &BigInt, f: f64) -> Ordering {
    if f.is_nan() {
        return Ordering::Greater;
    }
    if f == f64::INFINITY {
        return Ordering::Less;
    }
    if f == f64::NEG_INFINITY {
        return Ordering::Greater;
    }
    let t = f.trunc();
    let Some(bt) = BigInt::from_f64(t) else {
        return Ordering::Equal;
    };
    match b.cmp(&bt) {
        Ordering::Equal => {
            if f > t {
                Ordering::Less
            } else if f < t {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        }
        o => o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigInt;

    fn big(s: &str) -> Value {
        Value::from_bigint(s.parse::<BigInt>().expect("literal"))
    }

    #[test]
    fn brackets_order() {
        let vals = [
            Value::Null,
            Value::Float(f64::NAN),
            Value::Int(-5),
            Value::Float(2.5),
            Value::Str("a".into()),
            Value::Object(Default::default()),
            Value::Array(vec![]),
            Value::Bool(false),
            Value::Bool(true),
        ];
        for w in vals.windows(2) {
            assert_eq!(
                compare(&w[0], &w[1]),
                Ordering::Less,
                "{:?} < {:?}",
                w[0],
                w[1]
            );
        }
    }

    #[test]
    fn exact_numeric() {
        assert_eq!(compare(&Value::Int(1), &Value::Float(1.0)), Ordering::Equal);
        assert_eq!(
            compare(&Value::Int(i64::MAX), &Value::Float(TWO_63)),
            Ordering::Less
        );
        assert_eq!(
            compare(
                &Value::Int(9007199254740993),
                &Value::Float(9007199254740992.0)
            ),
            Ordering::Greater
        );
        let b = big("100000000000000000000");
        assert_eq!(compare(&b, &Value::Float(1e20)), Ordering::Equal);
        assert_eq!(compare(&b, &Value::Int(i64::MAX)), Ordering::Greater);
        assert_eq!(
            compare(&big("-100000000000000000000"), &Value::Float(-1.5)),
            Ordering::Less
        );
        assert_eq!(compare(&b, &Value::Float(f64::INFINITY)), Ordering::Less);
        assert_eq!(
            compare(&Value::Float(-0.0), &Value::Int(0)),
            Ordering::Equal
        );
        assert_eq!(
            compare(&Value::Float(f64::NAN), &Value::Float(f64::NAN)),
            Ordering::Equal
        );
        assert_eq!(
            compare(&Value::Float(f64::NAN), &Value::Float(f64::NEG_INFINITY)),
            Ordering::Less
        );
    }
}
