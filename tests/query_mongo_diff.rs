//! Differential test of the `mongo` dialect against mongomock 4.3 (tests/py/mongo_oracle.py).
//!
//! A seeded generator builds sets of documents and queries that use every operator the dialect
//! supports, sends them to Python in one batch, and compares mongomock's answers (matching
//! document indices, or "error") with ours. Shapes where mongomock departs from MongoDB's
//! documented behaviour are not generated; tests/py/MONGOMOCK_GAPS.md lists them and
//! tests/query_mongo_manual.rs covers them from the manual instead.
//!
//! Knobs: JVDB_DIFF_SEED (default fixed), JVDB_DIFF_SETS (default 250 sets x 24 queries).

use jvdb::query::mongo;
use jvdb::query::{Matcher, SortKey};
use jvdb::value::{Map, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn python() -> PathBuf {
    if let Ok(p) = std::env::var("JVDB_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    let local = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    if local.exists() {
        return local;
    }
    panic!(
        "no Python for the mongomock oracle: set JVDB_TEST_PYTHON to a python with mongomock 4.3, \
         or create {}/.venv",
        env!("CARGO_MANIFEST_DIR")
    );
}

// ----- a tiny seeded RNG (SplitMix64) -----

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

// ----- JSON for the transfer (finite floats, ASCII strings only: what the generator makes) -----

fn to_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::BigInt(b) => out.push_str(&b.to_string()),
        Value::Float(f) => {
            assert!(f.is_finite(), "generator makes finite floats only");
            let s = format!("{f:?}");
            out.push_str(&s);
        }
        Value::WStr(_) => out.push_str(&jvdb::json::to_line(v)),
        Value::Str(s) => {
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    c if (c as u32) < 0x20 || !c.is_ascii() => {
                        out.push_str(&format!("\\u{:04x}", c as u32))
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                to_json(e, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, e)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                to_json(&Value::Str(k.clone()), out);
                out.push(':');
                to_json(e, out);
            }
            out.push('}');
        }
    }
}

fn json(v: &Value) -> String {
    let mut s = String::new();
    to_json(v, &mut s);
    s
}

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert(k.to_string(), v);
    }
    Value::Object(m)
}

// ----- documents -----
// Numbers avoid 0 and 1 (Python's True == 1 == 1.0 leaks into mongomock's equality) and NaN
// (mongomock: NaN != NaN); both are covered by named manual cases.

fn num(r: &mut Rng) -> Value {
    match r.below(10) {
        0 => Value::Int(2),
        1 => Value::Int(3),
        2 => Value::Float(3.0),
        3 => Value::Int(-3),
        4 => Value::Float(2.5),
        5 => Value::Float(-2.5),
        6 => Value::Int(7),
        // No BSON longs: mongomock's "int" matches every Python int (manual cases cover it).
        7 => Value::Int(-7),
        8 => Value::Float(7.25),
        _ => Value::Int(10),
    }
}

fn string(r: &mut Rng) -> Value {
    Value::Str(
        r.pick(&[
            "a", "b", "ab", "abc", "B", "Paris", "paris", "x y", "", "ba",
        ])
        .to_string(),
    )
}

fn scalar(r: &mut Rng) -> Value {
    match r.below(8) {
        0..=2 => num(r),
        3..=5 => string(r),
        6 => Value::Bool(r.chance(50)),
        _ => Value::Null,
    }
}

fn scalar_array(r: &mut Rng, max: usize) -> Value {
    let n = r.below(max + 1);
    Value::Array((0..n).map(|_| scalar(r)).collect())
}

fn small_obj(r: &mut Rng) -> Value {
    // Two keys in either order: sub-document equality is order-sensitive.
    let x = scalar(r);
    let y = scalar(r);
    match r.below(4) {
        0 => obj(vec![("x", x)]),
        1 => obj(vec![("x", x), ("y", y)]),
        2 => obj(vec![("y", y), ("x", x)]),
        _ => obj(vec![]),
    }
}

fn o_field(r: &mut Rng) -> Option<Value> {
    let mk = |r: &mut Rng| {
        let mut pairs = Vec::new();
        if r.chance(70) {
            pairs.push((
                "x",
                if r.chance(20) {
                    scalar_array(r, 3)
                } else {
                    scalar(r)
                },
            ));
        }
        if r.chance(50) {
            let z = if r.chance(70) {
                vec![("z", scalar(r))]
            } else {
                vec![]
            };
            pairs.push(("y", obj(z)));
        }
        obj(pairs)
    };
    // Never null or a scalar: mongomock yields nothing (not "missing") for a dotted path that
    // meets a scalar or null before its end (MONGOMOCK_GAPS.md).
    Some(match r.below(10) {
        0 | 1 => return None,
        2..=4 => Value::Array((0..r.below(3) + 1).map(|_| mk(r)).collect()),
        _ => mk(r),
    })
}

fn item(r: &mut Rng) -> Value {
    if r.chance(10) {
        return scalar(r);
    }
    let mut pairs = Vec::new();
    if r.chance(80) {
        pairs.push(("k", scalar(r)));
    }
    if r.chance(70) {
        pairs.push(("v", scalar_array(r, 3)));
    }
    obj(pairs)
}

fn mixed(r: &mut Rng) -> Value {
    match r.below(6) {
        0 => scalar(r),
        1 => scalar_array(r, 3),
        2 => small_obj(r),
        3 => Value::Array(vec![scalar_array(r, 2), scalar(r)]),
        4 => Value::Array(vec![small_obj(r), scalar(r)]),
        _ => Value::Array(vec![]),
    }
}

fn doc(r: &mut Rng, i: usize) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), Value::Str(format!("d{i}")));
    if r.chance(85) {
        let v = match r.below(10) {
            0 => scalar_array(r, 3),
            1 => small_obj(r),
            _ => scalar(r),
        };
        m.insert("n".into(), v);
    }
    if r.chance(80) {
        let v = if r.chance(25) {
            Value::Array((0..r.below(3)).map(|_| string(r)).collect())
        } else {
            string(r)
        };
        m.insert("s".into(), v);
    }
    if r.chance(80) {
        m.insert("t".into(), scalar_array(r, 4));
    }
    if let Some(o) = o_field(r) {
        m.insert("o".into(), o);
    }
    if r.chance(80) {
        let n = r.below(4);
        m.insert(
            "items".into(),
            Value::Array((0..n).map(|_| item(r)).collect()),
        );
    }
    if r.chance(75) {
        m.insert("m".into(), mixed(r));
    }
    Value::Object(m)
}

// ----- queries -----

const TOP: &[&str] = &["n", "s", "t", "o", "items", "m", "zz"];
const DOTTED: &[&str] = &["o.x", "o.y.z", "items.k", "items.v", "zz.q", "o.y"];
const NUMERIC: &[&str] = &["t.0", "t.1", "items.0.k", "items.1.v", "items.0.v.0", "t.5"];
const ARRAYS: &[&str] = &["t", "items", "items.v"];

/// A path and whether null operands may be used on it: not on numeric paths, where the server
/// also yields "missing" for documents in the array that lack the numeric field name and
/// mongomock does not (MONGOMOCK_GAPS.md).
fn path(r: &mut Rng) -> (&'static str, bool) {
    match r.below(10) {
        0..=4 => (*r.pick(TOP), true),
        5..=7 => (*r.pick(DOTTED), true),
        _ => (*r.pick(NUMERIC), false),
    }
}

/// An operand value (`null_ok`: see `path`).
fn operand(r: &mut Rng, null_ok: bool) -> Value {
    match r.below(12) {
        0 if null_ok => Value::Null,
        0..=7 => scalar_nonnull(r),
        // Non-empty: mongomock does not match `[]` against an empty array element.
        8 | 9 => {
            Value::Array((0..1 + r.below(2)).map(|_| scalar(r)).collect()).clone_nonnull(null_ok)
        }
        _ => small_obj(r).clone_nonnull(null_ok),
    }
}

fn eq_operand(r: &mut Rng, null_ok: bool) -> Value {
    if null_ok && r.chance(10) {
        Value::Null
    } else {
        cmp_operand(r)
    }
}

/// A comparison operand: no arrays (mongomock compares mixed-type arrays by Python rules).
fn cmp_operand(r: &mut Rng) -> Value {
    if r.chance(15) {
        small_obj(r).clone_nonnull(false)
    } else {
        scalar_nonnull(r)
    }
}

fn scalar_nonnull(r: &mut Rng) -> Value {
    loop {
        let v = scalar(r);
        if !v.is_null() {
            return v;
        }
    }
}

trait NoNull {
    fn clone_nonnull(self, null_ok: bool) -> Value;
}
impl NoNull for Value {
    fn clone_nonnull(self, null_ok: bool) -> Value {
        if null_ok {
            return self;
        }
        match self {
            Value::Null => Value::Str("a".into()),
            Value::Array(a) => {
                Value::Array(a.into_iter().map(|v| v.clone_nonnull(false)).collect())
            }
            Value::Object(m) => Value::Object(
                m.into_iter()
                    .map(|(k, v)| (k, v.clone_nonnull(false)))
                    .collect(),
            ),
            v => v,
        }
    }
}

fn regex_op(r: &mut Rng) -> Vec<(String, Value)> {
    let pat = *r.pick(&[
        "^a", "b$", "A", "a.c", "x y", "^P.r", "^$", "a|B", "^(a|b)+$", "b(?=a)",
    ]);
    let mut ops = vec![("$regex".to_string(), Value::Str(pat.into()))];
    if r.chance(50) {
        let mut o = String::new();
        for c in ['i', 'm', 's', 'x'] {
            if r.chance(40) {
                o.push(c);
            }
        }
        ops.push(("$options".into(), Value::Str(o)));
    }
    ops
}

fn in_list(r: &mut Rng, null_ok: bool) -> Value {
    Value::Array(
        (0..r.below(4))
            .map(|_| {
                if null_ok && r.chance(15) {
                    Value::Null
                } else {
                    scalar_nonnull(r)
                }
            })
            .collect(),
    )
}

fn type_name(r: &mut Rng) -> Value {
    Value::Str(
        r.pick(&[
            "double", "string", "object", "array", "bool", "int", "long", "number",
        ])
        .to_string(),
    )
}

/// One field-level operator document (1–2 operators) for `p`.
fn op_doc(r: &mut Rng, null_ok: bool, p: &str, depth: usize) -> Value {
    let mut m = Map::new();
    // Several operators only on top-level paths: on a dotted multikey path mongomock applies
    // them all to the same element (like $elemMatch) instead of each to any element.
    let n = if TOP.contains(&p) { 1 + r.below(2) } else { 1 };
    for _ in 0..n {
        let (k, v): (String, Value) = match r.below(16) {
            // Array operands only in the implicit form: mongomock's explicit $eq does not
            // compare an array operand with nested array elements.
            0 => ("$eq".into(), eq_operand(r, null_ok)),
            1 => ("$ne".into(), eq_operand(r, null_ok)),
            2 => ("$gt".into(), cmp_operand(r)),
            3 => ("$gte".into(), cmp_operand(r)),
            4 => ("$lt".into(), cmp_operand(r)),
            5 => ("$lte".into(), cmp_operand(r)),
            // $in/$nin members are scalars: mongomock mishandles array members on multikey paths.
            6 => ("$in".into(), in_list(r, null_ok)),
            7 => ("$nin".into(), in_list(r, null_ok)),
            // $exists: false only on top-level paths (mongomock: true whenever any array
            // element lacks the field).
            8 => (
                "$exists".into(),
                Value::Bool(!TOP.contains(&p) || r.chance(50)),
            ),
            // A single alias, not "null": mongomock fails on type lists and on "null".
            9 => ("$type".into(), type_name(r)),
            10 => {
                for (k, v) in regex_op(r) {
                    m.insert(k, v);
                }
                continue;
            }
            // $not only on top-level paths: mongomock's $not is false when a dotted path yields
            // no value at all.
            11 if depth < 2 && TOP.contains(&p) => {
                // mongomock rejects $options and $type arrays under $not.
                let inner = if r.chance(25) {
                    obj(vec![("$regex", Value::Str("^a".into()))])
                } else {
                    let mut d = op_doc(r, null_ok, p, depth + 1);
                    if let Value::Object(m) = &mut d {
                        m.shift_remove("$options");
                        if let Some(t) = m.get_mut("$type")
                            && t.as_array().is_some()
                        {
                            *t = Value::Str("string".into());
                        }
                    }
                    d
                };
                ("$not".into(), inner)
            }
            12 if ARRAYS.contains(&p) => ("$size".into(), Value::Int(r.below(4) as i64)),
            // $all only on top-level paths: mongomock crashes when a dotted multikey path
            // has an element without the field.
            // ... and alone: mongomock crashes on $all beside another operator over a scalar.
            13 if TOP.contains(&p) && n == 1 => (
                "$all".into(),
                Value::Array((0..1 + r.below(2)).map(|_| scalar_nonnull(r)).collect()),
            ),
            14 | 15 if ARRAYS.contains(&p) && depth < 2 => ("$elemMatch".into(), elem_match(r, p)),
            _ => ("$eq".into(), eq_operand(r, null_ok)),
        };
        m.insert(k, v);
    }
    Value::Object(m)
}

fn elem_match(r: &mut Rng, p: &str) -> Value {
    if p == "items" && r.chance(60) {
        // Object form: a query over each element document.
        let mut m = Map::new();
        if r.chance(70) {
            // Positive conditions only: mongomock lets negations match scalar elements.
            let v = match r.below(4) {
                0 | 1 => no_empty_obj(operand(r, true)),
                2 => obj(vec![(*r.pick(&["$gt", "$lte"]), scalar_nonnull(r))]),
                _ => obj(vec![("$in", in_list(r, true))]),
            };
            m.insert("k".into(), v);
        }
        if r.chance(50) {
            let v = match r.below(3) {
                0 => obj(vec![("$size", Value::Int(r.below(3) as i64))]),
                1 => obj(vec![("$all", Value::Array(vec![scalar_nonnull(r)]))]),
                _ => scalar_nonnull(r),
            };
            m.insert("v".into(), v);
        }
        if m.is_empty() || r.chance(20) {
            let sub = obj(vec![("k", scalar_nonnull(r))]);
            m.insert(
                "$or".into(),
                Value::Array(vec![
                    sub,
                    obj(vec![("v", Value::Int(2 + r.below(3) as i64))]),
                ]),
            );
        }
        return Value::Object(m);
    }
    // Value form: operators applied to each element.
    let mut m = Map::new();
    let ops = [
        "$gt", "$gte", "$lt", "$lte", "$eq", "$ne", "$in", "$type", "$regex",
    ];
    for _ in 0..1 + r.below(2) {
        let k = *r.pick(&ops);
        let v = match k {
            "$in" => Value::Array((0..1 + r.below(3)).map(|_| scalar_nonnull(r)).collect()),
            "$type" => type_name(r),
            "$regex" => Value::Str("^a".into()),
            _ => scalar_nonnull(r),
        };
        m.insert(k.to_string(), v);
    }
    Value::Object(m)
}

/// mongomock: an implicit `{f: {}}` also matches a missing f; use the `$eq` form instead.
fn no_empty_obj(v: Value) -> Value {
    match v {
        Value::Object(m) if m.is_empty() => obj(vec![("$eq", Value::Object(m))]),
        v => v,
    }
}

fn field_clause(r: &mut Rng, depth: usize) -> (String, Value) {
    let (p, top) = path(r);
    let v = if r.chance(35) {
        no_empty_obj(operand(r, top))
    } else {
        op_doc(r, top, p, depth)
    };
    (p.to_string(), v)
}

fn query(r: &mut Rng, depth: usize) -> Value {
    let mut m = Map::new();
    let n = 1 + r.below(2);
    for _ in 0..n {
        if depth < 2 && r.chance(20) {
            let op = *r.pick(&["$and", "$or", "$nor"]);
            let subs = (0..1 + r.below(3)).map(|_| query(r, depth + 1)).collect();
            m.insert(op.to_string(), Value::Array(subs));
        } else {
            let (k, v) = field_clause(r, depth);
            m.insert(k, v);
        }
    }
    Value::Object(m)
}

/// Queries MongoDB (and mongomock) reject.
fn bad_query(r: &mut Rng) -> Value {
    match r.below(8) {
        0 => obj(vec![("$and", Value::Array(vec![]))]),
        1 => obj(vec![("n", obj(vec![("$in", Value::Int(5))]))]),
        2 => obj(vec![("n", obj(vec![("$foo", Value::Int(1))]))]),
        3 => obj(vec![("$foo", Value::Int(1))]),
        4 => obj(vec![("n", obj(vec![("$not", Value::Int(5))]))]),
        5 => obj(vec![("$or", Value::Int(1))]),
        6 => obj(vec![("t", obj(vec![("$elemMatch", Value::Int(1))]))]),
        _ => obj(vec![("t", obj(vec![("$all", Value::Int(5))]))]),
    }
}

fn sort_doc(r: &mut Rng, i: usize) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), Value::Str(format!("d{i}")));
    for k in ["n", "s"] {
        if r.chance(85) {
            let v = match r.below(8) {
                0 => small_obj(r),
                1 => Value::Null,
                _ => scalar(r),
            };
            m.insert(k.into(), v);
        }
    }
    if r.chance(80) {
        let mut pairs = vec![];
        if r.chance(80) {
            pairs.push(("x", scalar(r)));
        }
        if r.chance(60) {
            pairs.push(("y", obj(vec![("z", scalar(r))])));
        }
        m.insert("o".into(), obj(pairs));
    }
    Value::Object(m)
}

fn sort_spec(r: &mut Rng) -> Vec<(String, i64)> {
    let paths = ["n", "s", "o", "o.x", "o.y", "zz", "o.y.z"];
    (0..1 + r.below(2))
        .map(|_| {
            (
                r.pick(&paths).to_string(),
                if r.chance(50) { 1 } else { -1 },
            )
        })
        .collect()
}

struct Set {
    docs: Vec<Value>,
    queries: Vec<Value>,
    sorts: Vec<Vec<(String, i64)>>,
}

#[test]
fn mongo_dialect_agrees_with_mongomock() {
    let seed: u64 = std::env::var("JVDB_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x6a76_6462);
    let n_sets: usize = std::env::var("JVDB_DIFF_SETS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(250);
    let mut r = Rng(seed);
    let mut sets = Vec::new();
    for _ in 0..n_sets {
        let docs = (0..12).map(|i| doc(&mut r, i)).collect();
        let queries = (0..24)
            .map(|_| {
                if r.chance(3) {
                    bad_query(&mut r)
                } else {
                    query(&mut r, 0)
                }
            })
            .collect();
        sets.push(Set {
            docs,
            queries,
            sorts: vec![],
        });
    }
    // Sorts run on their own documents: mongomock sorts an array by its first element (MongoDB:
    // by its min ascending / max descending), so sort paths never meet arrays here; manual
    // cases cover arrays.
    for _ in 0..n_sets / 4 {
        let docs = (0..12).map(|i| sort_doc(&mut r, i)).collect();
        let sorts = (0..4).map(|_| sort_spec(&mut r)).collect();
        sets.push(Set {
            docs,
            queries: vec![],
            sorts,
        });
    }

    // One batch to Python.
    let mut payload = String::from("{\"sets\":[");
    for (i, s) in sets.iter().enumerate() {
        if i > 0 {
            payload.push(',');
        }
        payload.push_str("{\"docs\":");
        payload.push_str(&json(&Value::Array(s.docs.clone())));
        payload.push_str(",\"queries\":");
        payload.push_str(&json(&Value::Array(s.queries.clone())));
        payload.push_str(",\"sorts\":[");
        for (j, spec) in s.sorts.iter().enumerate() {
            if j > 0 {
                payload.push(',');
            }
            let parts: Vec<String> = spec.iter().map(|(p, d)| format!("[\"{p}\",{d}]")).collect();
            payload.push_str(&format!("[{}]", parts.join(",")));
        }
        payload.push_str("]}");
    }
    payload.push_str("]}");

    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/py/mongo_oracle.py");
    let mut child = Command::new(python())
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the Python oracle");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(payload.as_bytes())
        .expect("send the batch");
    let out = child.wait_with_output().expect("oracle output");
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");

    let mut cases = 0usize;
    let mut sort_cases = 0usize;
    let mut errors_seen = 0usize;
    let mut disagreements = Vec::new();
    for line in text.lines() {
        let mut it = line.splitn(5, ' ');
        let kind = it.next().unwrap_or("");
        let si: usize = it.next().and_then(|s| s.parse().ok()).expect("set index");
        let qi: usize = it.next().and_then(|s| s.parse().ok()).expect("case index");
        let status = it.next().unwrap_or("");
        let rest = it.next().unwrap_or("");
        let set = &sets[si];
        if kind == "Q" {
            cases += 1;
            let q = &set.queries[qi];
            let theirs: Result<Vec<usize>, String> = if status == "ok" {
                Ok(rest
                    .split_whitespace()
                    .map(|x| x.parse().expect("index"))
                    .collect())
            } else {
                Err(rest.to_string())
            };
            let ours: Result<Vec<usize>, String> = match mongo::compile(q) {
                Ok(m) => Ok(set
                    .docs
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| m.matches(d).expect("mongo never fails at match time"))
                    .map(|(i, _)| i)
                    .collect()),
                Err(e) => Err(e.0),
            };
            if theirs.is_err() {
                errors_seen += 1;
            }
            let same = match (&ours, &theirs) {
                (Ok(a), Ok(b)) => a == b,
                (Err(_), Err(_)) => true,
                _ => false,
            };
            if !same {
                disagreements.push(format!(
                    "query {} on set {si}: ours {:?}, mongomock {:?}\n  docs: {}",
                    json(q),
                    ours,
                    theirs,
                    ours.as_ref()
                        .ok()
                        .into_iter()
                        .chain(theirs.as_ref().ok())
                        .flatten()
                        .collect::<std::collections::BTreeSet<_>>()
                        .iter()
                        .map(|&&i| json(&set.docs[i]))
                        .collect::<Vec<_>>()
                        .join(" | ")
                ));
            }
        } else if kind == "S" {
            sort_cases += 1;
            assert_eq!(status, "ok", "mongomock sort failed: {line}");
            let theirs: Vec<usize> = rest
                .split_whitespace()
                .map(|x| x.parse().expect("index"))
                .collect();
            let keys: Vec<SortKey> = set.sorts[qi]
                .iter()
                .map(|(p, d)| SortKey {
                    path: p.clone(),
                    descending: *d < 0,
                })
                .collect();
            let mut ours: Vec<usize> = (0..set.docs.len()).collect();
            ours.sort_by(|&a, &b| mongo::compare_for_sort(&set.docs[a], &set.docs[b], &keys));
            if ours != theirs {
                disagreements.push(format!(
                    "sort {:?} on set {si}: ours {ours:?}, mongomock {theirs:?}\n  docs: {}",
                    set.sorts[qi],
                    set.docs.iter().map(json).collect::<Vec<_>>().join(" | ")
                ));
            }
        }
    }
    eprintln!(
        "mongo diff: {cases} query cases ({errors_seen} errors), {sort_cases} sort cases, {} disagreements",
        disagreements.len()
    );
    assert!(cases >= 5000 || n_sets < 250, "too few cases: {cases}");
    assert_eq!(cases, n_sets * 24, "every query got an answer");
    assert_eq!(sort_cases, (n_sets / 4) * 4, "every sort got an answer");
    assert!(
        disagreements.is_empty(),
        "{} disagreements with mongomock:\n{}",
        disagreements.len(),
        disagreements
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
