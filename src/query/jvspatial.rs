//! jvspatial 0.2.2 `QueryEngine.match` semantics (`jvspatial/db/query.py`), errors included,
//! and the sort order of `finalize_find_results` (`jvspatial/db/database.py`).
//!
//! The query is interpreted lazily, in key order, with Python's short-circuits, so an error
//! is raised for exactly the documents for which Python raises it. Values behave like the
//! Python objects `json.loads` produces (jvspatial's JsonDB reads records with `json.loads`
//! when orjson is absent, as in the pinned environment): `int`/`float`/`bool` compare
//! numerically, and every NaN is the same object (`json` shares one NaN constant), so NaN is
//! equal to NaN inside containers and in `in` (identity shortcut) but not under a bare `==`.

use super::jv_regex;
use super::jv_unicode;
use super::{Matcher, QueryError, SortKey};
use crate::value::{Map, Value};
use num_bigint::BigInt;
use num_traits::{FromPrimitive, Signed, ToPrimitive, Zero};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// A Python exception: its class name and `str(exc)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PyErr {
    pub kind: &'static str,
    pub message: String,
}

impl PyErr {
    fn new(kind: &'static str, message: impl Into<String>) -> Self {
        PyErr {
            kind,
            message: message.into(),
        }
    }
    fn type_error(message: impl Into<String>) -> Self {
        Self::new("TypeError", message)
    }
    fn query(reason: impl std::fmt::Display) -> Self {
        Self::new("QueryError", format!("Query failed: {reason}"))
    }
}

impl From<PyErr> for QueryError {
    fn from(e: PyErr) -> Self {
        QueryError(e.message)
    }
}

type R<T> = Result<T, PyErr>;

static NONE: Value = Value::Null;

// ---------------------------------------------------------------------------------------
// Python object model helpers

/// `type(v).__name__`.
pub fn py_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::BigInt(_) => "int",
        Value::Float(_) => "float",
        Value::Str(_) | Value::WStr(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// `bool(v)`.
pub fn py_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::BigInt(_) => true,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => !s.is_empty(),
        Value::WStr(_) => true,
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
}

fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                Ordering::Less
            } else if lo > c {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        })
        .is_ok()
}

fn decimal_value(c: char) -> Option<u32> {
    let cp = c as u32;
    let t = jv_unicode::DECIMAL;
    let i = t.partition_point(|&(_, hi)| hi < cp);
    match t.get(i) {
        Some(&(lo, hi)) if lo <= cp && cp <= hi => Some((cp - lo) % 10),
        _ => None,
    }
}

/// `repr(s)` for a str.
pub fn py_repr_str(s: &str) -> String {
    py_repr_wtf8(s.as_bytes())
}

/// `repr(s)` for a str in generalized UTF-8 (lone surrogates are shown as `\udXXX`).
pub fn py_repr_wtf8(s: &[u8]) -> String {
    let quote = if s.contains(&b'\'') && !s.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::new();
    out.push(quote);
    for cp in crate::wtf8::code_points(s) {
        let Some(c) = char::from_u32(cp) else {
            out.push_str(&format!("\\u{cp:04x}"));
            continue;
        };
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if (c as u32) < 0x7f => out.push(c),
            c if in_table(jv_unicode::NONPRINT, c) => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python `int(s)` for a str (base 10); None where Python raises ValueError.
pub fn py_int_from_str(s: &str) -> Option<BigInt> {
    // _PyUnicode_TransformDecimalAndSpaceToASCII, then PyLong_FromString.
    let mut ascii = Vec::with_capacity(s.len());
    for c in s.chars() {
        if (c as u32) < 127 {
            ascii.push(c as u8);
        } else if in_table(jv_unicode::SPACE, c) {
            ascii.push(b' ');
        } else if let Some(d) = decimal_value(c) {
            ascii.push(b'0' + d as u8);
        } else {
            return None;
        }
    }
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let mut i = 0;
    while i < ascii.len() && is_space(ascii[i]) {
        i += 1;
    }
    let mut j = ascii.len();
    while j > i && is_space(ascii[j - 1]) {
        j -= 1;
    }
    let body = &ascii[i..j];
    let (neg, digits) = match body.first() {
        Some(b'-') => (true, &body[1..]),
        Some(b'+') => (false, &body[1..]),
        _ => (false, body),
    };
    if digits.is_empty()
        || !digits[0].is_ascii_digit()
        || !digits[digits.len() - 1].is_ascii_digit()
    {
        return None;
    }
    let mut clean = Vec::with_capacity(digits.len());
    let mut prev_us = false;
    for &b in digits {
        if b == b'_' {
            if prev_us {
                return None;
            }
            prev_us = true;
        } else if b.is_ascii_digit() {
            prev_us = false;
            clean.push(b);
        } else {
            return None;
        }
    }
    if clean.len() > 4300 {
        return None; // sys.get_int_max_str_digits()
    }
    let n = BigInt::parse_bytes(&clean, 10)?;
    Some(if neg { -n } else { n })
}

fn is_nan(v: &Value) -> bool {
    matches!(v, Value::Float(f) if f.is_nan())
}

fn is_number(v: &Value) -> bool {
    matches!(
        v,
        Value::Bool(_) | Value::Int(_) | Value::BigInt(_) | Value::Float(_)
    )
}

fn as_bigint(v: &Value) -> Option<BigInt> {
    match v {
        Value::Bool(b) => Some(BigInt::from(*b as i64)),
        Value::Int(i) => Some(BigInt::from(*i)),
        Value::BigInt(b) => Some((**b).clone()),
        _ => None,
    }
}

fn as_small_int(v: &Value) -> Option<i64> {
    match v {
        Value::Bool(b) => Some(*b as i64),
        Value::Int(i) => Some(*i),
        _ => None,
    }
}

/// Exact int-vs-float comparison like CPython's float_richcompare; None when f is NaN.
fn cmp_int_float(i: &BigInt, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    let t = f.trunc();
    let ti = BigInt::from_f64(t)?;
    Some(match i.cmp(&ti) {
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
    })
}

/// Numeric comparison of two numbers (bool/int/float); None when unordered (NaN).
fn num_cmp(a: &Value, b: &Value) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (as_small_int(a), as_small_int(b)) {
        return Some(x.cmp(&y));
    }
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Float(x), _) => cmp_int_float(&as_bigint(b)?, *x).map(Ordering::reverse),
        (_, Value::Float(y)) => cmp_int_float(&as_bigint(a)?, *y),
        _ => Some(as_bigint(a)?.cmp(&as_bigint(b)?)),
    }
}

/// Python `a == b` (no identity shortcut at this level).
pub fn py_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Str(_) | Value::WStr(_), Value::Str(_) | Value::WStr(_)) => {
            a.str_bytes() == b.str_bytes()
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| eq_id(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| eq_id(v, w)))
        }
        _ if is_number(a) && is_number(b) => num_cmp(a, b) == Some(Ordering::Equal),
        _ => false,
    }
}

/// `PyObject_RichCompareBool(a, b, Py_EQ)`: identity first (all JSON NaNs are one object).
fn eq_id(a: &Value, b: &Value) -> bool {
    (is_nan(a) && is_nan(b)) || py_eq(a, b)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    fn sym(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
    fn test(self, o: Ordering) -> bool {
        match self {
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
        }
    }
}

/// Python `a <op> b`, raising TypeError for unorderable types.
pub fn py_compare(a: &Value, b: &Value, op: CmpOp) -> R<bool> {
    match (a, b) {
        // Generalized UTF-8 bytes compare like code points.
        (Value::Str(_) | Value::WStr(_), Value::Str(_) | Value::WStr(_)) => {
            Ok(op.test(a.str_bytes().cmp(&b.str_bytes())))
        }
        (Value::Array(x), Value::Array(y)) => {
            for (p, q) in x.iter().zip(y) {
                if !eq_id(p, q) {
                    return py_compare(p, q, op);
                }
            }
            Ok(op.test(x.len().cmp(&y.len())))
        }
        _ if is_number(a) && is_number(b) => Ok(num_cmp(a, b).is_some_and(|o| op.test(o))),
        _ => Err(PyErr::type_error(format!(
            "'{}' not supported between instances of '{}' and '{}'",
            op.sym(),
            py_type(a),
            py_type(b)
        ))),
    }
}

/// `iter(v)` materialised: list items, str chars, dict keys.
fn py_iter(v: &Value) -> R<Vec<Value>> {
    match v {
        Value::Array(a) => Ok(a.clone()),
        Value::Str(s) => Ok(s.chars().map(|c| Value::Str(c.to_string())).collect()),
        Value::WStr(b) => Ok(crate::wtf8::code_points(b)
            .map(crate::wtf8::code_point_value)
            .collect()),
        Value::Object(m) => Ok(m.keys().map(|k| Value::Str(k.clone())).collect()),
        _ => Err(PyErr::type_error(format!(
            "'{}' object is not iterable",
            py_type(v)
        ))),
    }
}

/// `condition or []`, iterated.
fn iter_or_empty(v: &Value) -> R<Vec<Value>> {
    if py_truthy(v) { py_iter(v) } else { Ok(vec![]) }
}

/// `value in container`, Ok(None) standing for TypeError (callers treat it as False).
fn py_contains(container: &Value, value: &Value) -> Option<bool> {
    match container {
        Value::Array(a) => Some(a.iter().any(|x| eq_id(x, value))),
        Value::Str(s) => match value {
            Value::Str(v) => Some(s.contains(v.as_str())),
            Value::WStr(_) => Some(false),
            _ => None,
        },
        Value::WStr(s) => value.str_bytes().map(|v| crate::wtf8::contains(s, v)),
        Value::Object(m) => match value {
            Value::Str(v) => Some(m.contains_key(v)),
            Value::Array(_) | Value::Object(_) => None, // unhashable
            _ => Some(false),
        },
        _ => None,
    }
}

/// `QueryEngine.get_field_value` for a str field.
fn get_field_value<'a>(doc: &'a Value, field: &str) -> &'a Value {
    if field.is_empty() {
        return &NONE;
    }
    if !field.contains('.') {
        return doc.get(field).unwrap_or(&NONE);
    }
    let mut cur = doc;
    for key in field.split('.') {
        match cur {
            Value::Object(m) if m.contains_key(key) => cur = &m[key],
            Value::Array(a) => {
                let Some(idx) = py_int_from_str(key) else {
                    return &NONE;
                };
                match idx.to_usize() {
                    Some(i) if !idx.is_negative() && i < a.len() => cur = &a[i],
                    _ => return &NONE,
                }
            }
            _ => return &NONE,
        }
    }
    cur
}

/// `get_field_value` for any field object (as `$text`'s `$fields` may hold).
fn get_field_value_any<'a>(doc: &'a Value, field: &Value) -> R<&'a Value> {
    if !py_truthy(field) {
        return Ok(&NONE);
    }
    match field {
        Value::Str(s) => Ok(get_field_value(doc, s)),
        // Some dotted part holds the surrogate: no key (keys are valid UTF-8), no list index.
        Value::WStr(_) => Ok(&NONE),
        Value::Array(_) | Value::Object(_) => {
            let has_dot = py_contains(field, &Value::Str(".".into())).unwrap_or(false);
            if has_dot {
                Err(PyErr::new(
                    "AttributeError",
                    format!("'{}' object has no attribute 'split'", py_type(field)),
                ))
            } else {
                Err(PyErr::type_error(format!(
                    "unhashable type: '{}'",
                    py_type(field)
                )))
            }
        }
        _ => Err(PyErr::type_error(format!(
            "argument of type '{}' is not iterable",
            py_type(field)
        ))),
    }
}

fn text_words(s: &str, into: &mut HashSet<String>) {
    let lower = s.to_lowercase();
    let mut cur = String::new();
    for c in lower.chars() {
        if in_table(jv_unicode::WORD, c) {
            cur.push(c);
        } else if !cur.is_empty() {
            into.insert(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        into.insert(cur);
    }
}

fn string_leaves<'a>(v: &'a Value, out: &mut Vec<Cow<'a, str>>) {
    match v {
        Value::Str(s) => out.push(Cow::Borrowed(s)),
        // Lossy: U+FFFD, like a surrogate, is not a word character.
        Value::WStr(b) => out.push(Cow::Owned(crate::wtf8::to_string_lossy(b))),
        Value::Object(m) => m.values().for_each(|x| string_leaves(x, out)),
        Value::Array(a) => a.iter().for_each(|x| string_leaves(x, out)),
        _ => {}
    }
}

/// Python `a % b` for numbers; Err(None) for TypeError/ZeroDivisionError (caught by `$mod`),
/// Err(Some(e)) for errors that escape (OverflowError).
fn py_mod(a: &Value, b: &Value) -> Result<Value, Option<PyErr>> {
    if !is_number(b) {
        return Err(None);
    }
    if let (Some(x), Some(y)) = (as_bigint(a), as_bigint(b)) {
        if y.is_zero() {
            return Err(None);
        }
        let r = ((&x % &y) + &y) % &y; // floor modulo, sign of the divisor
        return Ok(Value::from_bigint(r));
    }
    let to_f = |v: &Value| -> Result<f64, Option<PyErr>> {
        match v {
            Value::Float(f) => Ok(*f),
            _ => {
                let i = as_bigint(v).ok_or(None)?;
                match i.to_f64() {
                    Some(f) if f.is_finite() => Ok(f),
                    _ => Err(Some(PyErr::new(
                        "OverflowError",
                        "int too large to convert to float",
                    ))),
                }
            }
        }
    };
    let vx = to_f(a)?;
    let wx = to_f(b)?;
    if wx == 0.0 {
        return Err(None);
    }
    let mut m = vx % wx; // fmod
    if m != 0.0 {
        if (wx < 0.0) != (m < 0.0) {
            m += wx;
        }
    } else {
        m = 0.0f64.copysign(wx);
    }
    Ok(Value::Float(m))
}

/// `len(v)`, None for TypeError.
fn py_len(v: &Value) -> Option<usize> {
    match v {
        Value::Str(s) => Some(s.chars().count()),
        Value::WStr(b) => Some(crate::wtf8::len(b)),
        Value::Array(a) => Some(a.len()),
        Value::Object(m) => Some(m.len()),
        _ => None,
    }
}

/// `int(v)`, None for any exception.
fn py_int(v: &Value) -> Option<BigInt> {
    match v {
        Value::Float(f) => {
            if f.is_finite() {
                BigInt::from_f64(f.trunc())
            } else {
                None
            }
        }
        Value::Str(s) => py_int_from_str(s),
        Value::WStr(_) => None, // a surrogate is no digit or space: ValueError
        _ => as_bigint(v),
    }
}

fn type_matches(name: &str, v: &Value) -> Option<bool> {
    Some(match name {
        "string" | "str" => v.is_string(),
        "int" | "long" => matches!(v, Value::Int(_) | Value::BigInt(_) | Value::Bool(_)),
        "double" | "float" => matches!(v, Value::Float(_)),
        "bool" | "boolean" => matches!(v, Value::Bool(_)),
        "list" | "array" => matches!(v, Value::Array(_)),
        "dict" | "object" => matches!(v, Value::Object(_)),
        "null" | "none" => matches!(v, Value::Null),
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------
// The matcher

/// A compiled jvspatial query: the raw query (interpreted lazily, like Python) plus a cache
/// of translated regular expressions.
#[derive(Debug)]
pub struct JvMatcher {
    query: Value,
    regex_cache: Mutex<HashMap<(String, bool), Arc<jv_regex::Compiled>>>,
}

impl Matcher for JvMatcher {
    fn matches(&self, doc: &Value) -> Result<bool, QueryError> {
        self.match_py(doc).map_err(QueryError::from)
    }
}

/// Compile a jvspatial query. Never fails: Python raises only while matching, and only for
/// the documents that reach the offending part of the query.
pub fn compile(query: &Value) -> Result<JvMatcher, QueryError> {
    Ok(JvMatcher {
        query: query.clone(),
        regex_cache: Mutex::new(HashMap::new()),
    })
}

impl JvMatcher {
    /// `QueryEngine.match(doc, query)`, with the Python exception (class and message).
    pub fn match_py(&self, doc: &Value) -> R<bool> {
        self.match_doc(doc, &self.query)
    }

    fn regex(&self, pattern: &str, ignore_case: bool) -> Arc<jv_regex::Compiled> {
        let key = (pattern.to_string(), ignore_case);
        if let Ok(cache) = self.regex_cache.lock()
            && let Some(c) = cache.get(&key)
        {
            return c.clone();
        }
        let c = Arc::new(jv_regex::compile(pattern, ignore_case));
        if let Ok(mut cache) = self.regex_cache.lock() {
            if cache.len() > 4096 {
                cache.clear();
            }
            cache.insert(key, c.clone());
        }
        c
    }

    fn match_doc(&self, doc: &Value, query: &Value) -> R<bool> {
        if !py_truthy(query) {
            return Ok(true);
        }
        let Value::Object(q) = query else {
            return Err(PyErr::new(
                "AttributeError",
                format!("'{}' object has no attribute 'items'", py_type(query)),
            ));
        };
        for (key, cond) in q {
            match key.as_str() {
                "$and" => {
                    for sub in iter_or_empty(cond)? {
                        if !self.match_doc(doc, &sub)? {
                            return Ok(false);
                        }
                    }
                }
                "$or" => {
                    let mut any = false;
                    for sub in iter_or_empty(cond)? {
                        if self.match_doc(doc, &sub)? {
                            any = true;
                            break;
                        }
                    }
                    if !any {
                        return Ok(false);
                    }
                }
                "$nor" => {
                    for sub in iter_or_empty(cond)? {
                        if self.match_doc(doc, &sub)? {
                            return Ok(false);
                        }
                    }
                }
                "$not" => {
                    if self.match_doc(doc, cond)? {
                        return Ok(false);
                    }
                }
                "$text" => {
                    if !match_text(doc, cond)? {
                        return Ok(false);
                    }
                }
                "$hint" | "$select" => {}
                k if k.starts_with('$') => {
                    return Err(PyErr::query(format!(
                        "unsupported top-level query operator: {}. Supported: $and, $or, \
                         $nor, $not, $text. Field-level operators (e.g. $regex, $mod, $type, \
                         $size) live inside a field condition dict.",
                        py_repr_str(k)
                    )));
                }
                k => {
                    let value = get_field_value(doc, k);
                    if !self.match_value(value, cond)? {
                        return Ok(false);
                    }
                }
            }
        }
        Ok(true)
    }

    fn match_value(&self, value: &Value, condition: &Value) -> R<bool> {
        let Value::Object(cond) = condition else {
            return Ok(py_eq(value, condition));
        };
        for (op, operand) in cond {
            let ok = match op.as_str() {
                "$eq" => py_eq(value, operand),
                "$ne" => !py_eq(value, operand),
                "$gt" => !value.is_null() && py_compare(value, operand, CmpOp::Gt)?,
                "$gte" => !value.is_null() && py_compare(value, operand, CmpOp::Ge)?,
                "$lt" => !value.is_null() && py_compare(value, operand, CmpOp::Lt)?,
                "$lte" => !value.is_null() && py_compare(value, operand, CmpOp::Le)?,
                "$in" => py_contains(operand, value).unwrap_or(false),
                "$nin" => matches!(py_contains(operand, value), Some(false)),
                "$exists" => py_truthy(operand) != value.is_null(),
                "$regex" => self.match_regex(value, operand, cond),
                "$options" => true,
                "$size" => match (py_len(value), py_int(operand)) {
                    (Some(n), Some(k)) => BigInt::from(n) == k,
                    _ => false,
                },
                "$elemMatch" => {
                    let Value::Array(items) = value else {
                        return Ok(false);
                    };
                    let mut any = false;
                    for elem in items {
                        let hit = if let Value::Object(_) = operand {
                            if let Value::Object(_) = elem {
                                self.match_doc(elem, operand)?
                            } else {
                                let mut w = Map::new();
                                w.insert("_".into(), elem.clone());
                                self.match_doc(&Value::Object(w), operand)?
                            }
                        } else {
                            self.match_value(elem, operand)?
                        };
                        if hit {
                            any = true;
                            break;
                        }
                    }
                    any
                }
                "$mod" => match_mod(value, operand)?,
                "$all" => {
                    let Value::Array(_) = value else {
                        return Ok(false);
                    };
                    match py_iter(operand) {
                        Ok(items) => items
                            .iter()
                            .all(|it| py_contains(value, it).unwrap_or(false)),
                        Err(_) => false,
                    }
                }
                "$type" => match operand {
                    Value::Str(s) => type_matches(&s.to_lowercase(), value).unwrap_or(false),
                    _ => false,
                },
                "$not" => !self.match_value(value, operand)?,
                other => {
                    return Err(PyErr::query(format!(
                        "unsupported field-level query operator: {}. Supported: $eq, $ne, \
                         $gt, $gte, $lt, $lte, $in, $nin, $exists, $regex, $size, \
                         $elemMatch, $mod, $all, $type, $not.",
                        py_repr_str(other)
                    )));
                }
            };
            if !ok {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Strings with lone surrogates are matched through their lossy text (U+FFFD).
    fn match_regex(&self, value: &Value, operand: &Value, cond: &Map) -> bool {
        let Some(text) = value.to_string_lossy() else {
            return false;
        };
        let (pattern, ignore_case) = match operand {
            Value::Object(m) => (
                m.get("pattern")
                    .unwrap_or(&Value::Str(String::new()))
                    .clone(),
                m.get("ignoreCase").is_some_and(py_truthy),
            ),
            _ => (
                operand.clone(),
                cond.get("$options")
                    .is_some_and(|o| py_eq(o, &Value::Str("i".into()))),
            ),
        };
        let Some(pattern) = pattern.to_string_lossy() else {
            return false;
        };
        if pattern.chars().count() > 256 || text.chars().count() > 8192 {
            return false;
        }
        self.regex(&pattern, ignore_case).search(&text)
    }
}

fn match_mod(value: &Value, operand: &Value) -> R<bool> {
    // `divisor, remainder = operand`
    let items = match py_iter(operand) {
        Ok(items) if items.len() == 2 => items,
        _ => return Ok(false),
    };
    if !is_number(value) {
        return Ok(false);
    }
    match py_mod(value, &items[0]) {
        Ok(r) => Ok(py_eq(&r, &items[1])),
        Err(None) => Ok(false),
        Err(Some(e)) => Err(e),
    }
}

fn match_text(doc: &Value, spec: &Value) -> R<bool> {
    let search = match spec {
        Value::Object(m) => match m.get("$search") {
            Some(v) => v.to_string_lossy(),
            None => None,
        },
        _ => None,
    };
    let Some(search) = search else {
        return Err(PyErr::query(
            "$text needs {\"$search\": \"<words>\", \"$fields\": [<paths>]}",
        ));
    };
    let mut wanted = HashSet::new();
    text_words(&search, &mut wanted);
    if wanted.is_empty() {
        return Ok(false);
    }
    let fields = spec.get("$fields").unwrap_or(&NONE);
    let mut texts: Vec<Cow<str>> = Vec::new();
    if py_truthy(fields) {
        let fs = py_iter(fields)?;
        let mut vals = Vec::new();
        for f in &fs {
            vals.push(get_field_value_any(doc, f)?);
        }
        for v in vals {
            if let Some(s) = v.to_string_lossy() {
                texts.push(s);
            }
        }
    } else {
        string_leaves(doc, &mut texts);
    }
    let mut words = HashSet::new();
    for t in texts {
        text_words(&t, &mut words);
    }
    Ok(wanted.is_subset(&words))
}

// ---------------------------------------------------------------------------------------
// Sorting (`finalize_find_results`)

/// `resolve_sort_value(record, field)`.
fn resolve_sort_value<'a>(record: &'a Value, field: &str) -> &'a Value {
    if !field.contains('.') {
        return record.get(field).unwrap_or(&NONE);
    }
    let mut v = record;
    for part in field.split('.') {
        let Value::Object(m) = v else {
            return &NONE;
        };
        v = m.get(part).unwrap_or(&NONE);
    }
    v
}

/// `key_a < key_b` for the `_find_sort_key` tuples `(flag, value)`.
fn key_lt(a: &(bool, &Value), b: &(bool, &Value)) -> R<bool> {
    if a.0 != b.0 {
        return Ok(!a.0 & b.0);
    }
    if eq_id(a.1, b.1) {
        return Ok(false);
    }
    py_compare(a.1, b.1, CmpOp::Lt)
}

fn sort_key<'a>(record: &'a Value, key: &SortKey) -> (bool, &'a Value) {
    let v = resolve_sort_value(record, &key.path);
    let missing = v.is_null();
    (if key.descending { !missing } else { missing }, v)
}

/// jvspatial's `finalize_find_results` order for two records: stable, missing/null last in
/// both directions, dotted paths through dicts only, incomparable types are an error (the
/// TypeError of Python's `<`). A pairwise view of [`sort_records`]; where Python's order is
/// not a total order (NaN) only [`sort_records`] reproduces Python exactly.
pub fn compare_for_sort(a: &Value, b: &Value, keys: &[SortKey]) -> Result<Ordering, QueryError> {
    for key in keys {
        let (ka, kb) = (sort_key(a, key), sort_key(b, key));
        // Descending sorts by reverse=True: a goes first when key_b < key_a.
        let (x, y) = if key.descending {
            (&kb, &ka)
        } else {
            (&ka, &kb)
        };
        if key_lt(x, y)? {
            return Ok(Ordering::Less);
        }
        if key_lt(y, x)? {
            return Ok(Ordering::Greater);
        }
    }
    Ok(Ordering::Equal)
}

/// Sort `records` exactly like `finalize_find_results(records, sort=keys)`: one stable
/// `list.sort(key=..., reverse=...)` per key, from the last key to the first, using a port of
/// CPython 3.11's list sort so that the order (even with NaN) and the first TypeError are the
/// same as Python's. On error the records are left unchanged.
pub fn sort_records(records: &mut Vec<Value>, keys: &[SortKey]) -> Result<(), QueryError> {
    sort_records_py(records, keys).map_err(QueryError::from)
}

/// [`sort_records`] with the Python exception class.
pub fn sort_records_py(records: &mut Vec<Value>, keys: &[SortKey]) -> R<()> {
    let order = sort_order_py(records, keys)?;
    let mut taken: Vec<Option<Value>> = std::mem::take(records).into_iter().map(Some).collect();
    *records = order
        .iter()
        .filter_map(|&i| taken.get_mut(i).and_then(Option::take))
        .collect();
    Ok(())
}

/// The permutation `finalize_find_results` applies: input indices in result order.
pub fn sort_order_py(records: &[Value], keys: &[SortKey]) -> R<Vec<usize>> {
    let mut order: Vec<usize> = (0..records.len()).collect();
    for key in keys.iter().rev() {
        let ks: Vec<(bool, &Value)> = order.iter().map(|&i| sort_key(&records[i], key)).collect();
        let mut perm: Vec<usize> = (0..order.len()).collect();
        if key.descending {
            perm.reverse();
        }
        super::jv_timsort::sort(&mut perm, |x, y| key_lt(&ks[*x], &ks[*y]))?;
        if key.descending {
            perm.reverse();
        }
        order = perm.iter().map(|&p| order[p]).collect();
    }
    Ok(order)
}
