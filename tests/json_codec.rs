//! Differential tests of `jvdb::json` against CPython's `json` module (tests/py/json_oracle.py).
//!
//! Python is found through `JVDB_TEST_PYTHON`, else `<crate>/.venv/bin/python`; the tests fail
//! with a clear message when neither exists.

use jvdb::json::{parse_bytes, to_line, to_pretty, to_python_compact, to_python_indent2};
use jvdb::{Map, Value};
use num_bigint::{BigInt, Sign};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("JVDB_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    if venv.exists() {
        return venv;
    }
    panic!(
        "no Python for the oracle: set JVDB_TEST_PYTHON to a Python 3.11 interpreter, or create \
         {}",
        venv.display()
    );
}

fn oracle(args: &[&str]) -> Vec<u8> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/py/json_oracle.py");
    let out = Command::new(python())
        .arg(&script)
        .args(args)
        .output()
        .expect("run the Python oracle");
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn put(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u32).to_le_bytes());
    out.extend_from_slice(b);
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn done(&self) -> bool {
        self.pos >= self.data.len()
    }
    fn byte(&mut self) -> u8 {
        let b = self.data[self.pos];
        self.pos += 1;
        b
    }
    fn record(&mut self) -> &'a [u8] {
        let n = u32::from_le_bytes(self.data[self.pos..self.pos + 4].try_into().unwrap()) as usize;
        self.pos += 4;
        let r = &self.data[self.pos..self.pos + n];
        self.pos += n;
        r
    }
}

/// splitmix64: a small seeded generator, so the test data does not depend on a crate's API.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(u64::from(hi - lo + 1)) as u32
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

fn rand_char(r: &mut Rng) -> char {
    let cp = match r.below(20) {
        0..=7 => r.range(0x20, 0x7E),
        8..=9 => r.range(0, 0x1F),
        10 => *[0x22, 0x5C, 0x2F, 0x7F, 0x2028, 0x2029, 0xFEFF, 0x85, 0xA0]
            .get(r.below(9) as usize)
            .unwrap_or(&0x22),
        11..=14 => r.range(0x80, 0xD7FF),
        15..=16 => r.range(0xE000, 0xFFFF),
        _ => r.range(0x10000, 0x10FFFF),
    };
    char::from_u32(cp).unwrap_or('?')
}

fn rand_string(r: &mut Rng) -> String {
    let n = [0, 1, 2, 3, 6, 12, 40][r.below(7) as usize];
    (0..n).map(|_| rand_char(r)).collect()
}

/// A string value that holds lone surrogates (never a high one directly before a low one:
/// any JSON text of that pair reads back as one character, in Python too).
fn rand_wstring(r: &mut Rng) -> Value {
    let n = [1, 2, 3, 6, 12][r.below(5) as usize];
    let mut b = Vec::new();
    let mut prev = 0u32;
    for i in 0..n {
        let mut cp = if i == 0 || r.chance(0.3) {
            r.range(0xD800, 0xDFFF)
        } else {
            u32::from(rand_char(r))
        };
        if (0xD800..0xDC00).contains(&prev) && (0xDC00..0xE000).contains(&cp) {
            cp = 0x41;
        }
        jvdb::wtf8::push_code_point(&mut b, cp);
        prev = cp;
    }
    Value::from_wtf8(b)
}

fn has_wstr(v: &Value) -> bool {
    match v {
        Value::WStr(_) => true,
        Value::Array(a) => a.iter().any(has_wstr),
        Value::Object(m) => m.values().any(has_wstr),
        _ => false,
    }
}

fn rand_float(r: &mut Rng) -> f64 {
    match r.below(10) {
        0..=1 => f64::from_bits(r.next()),
        2 => {
            let specials = [
                0.0,
                -0.0,
                5e-324,
                -5e-324,
                2.2250738585072014e-308,
                1.7976931348623157e308,
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                1e16,
                1e15,
                1e-5,
                1e-4,
                9999999999999998.0,
                1234567890123456.0,
                0.1,
                100.0,
            ];
            specials[r.below(specials.len() as u64) as usize]
        }
        3..=5 => {
            // Near the positional/scientific boundaries, and subnormals.
            let base: f64 = [1e16, 1e-4, 1e-5, 1e15, 1e17, 5e-324, 1e-310][r.below(7) as usize];
            let steps = r.below(5) as i64 - 2;
            let bits = (base.to_bits() as i64 + steps).max(0) as u64;
            f64::from_bits(bits)
        }
        6..=8 => {
            let digits = r.range(1, 17);
            let m = r.below(10u64.pow(digits));
            let e = r.range(0, 60) as i32 - 30;
            let s = if r.chance(0.5) { "-" } else { "" };
            format!("{s}{m}e{e}").parse().unwrap_or(0.0)
        }
        _ => (r.next() as f64 / u64::MAX as f64 - 0.5) * 2e6,
    }
}

fn rand_int(r: &mut Rng) -> Value {
    match r.below(6) {
        0 => Value::Int(r.next() as i64),
        1 => Value::Int(r.below(1000) as i64 - 500),
        2 => Value::Int([i64::MIN, i64::MAX, 0, -1][r.below(4) as usize]),
        _ => {
            // Beyond 64 bits.
            let words = 1 + r.below(8) as usize;
            let digits: Vec<u32> = (0..=words * 2).map(|_| r.next() as u32).collect();
            let sign = if r.chance(0.5) {
                Sign::Minus
            } else {
                Sign::Plus
            };
            Value::from_bigint(BigInt::from_slice(sign, &digits))
        }
    }
}

fn rand_value(r: &mut Rng, depth: u32) -> Value {
    let k = r.below(20);
    if depth > 0 && k < 5 {
        let mut m = Map::new();
        for _ in 0..[0, 1, 2, 3, 6][r.below(5) as usize] {
            m.insert(rand_string(r), rand_value(r, depth - 1));
        }
        return Value::Object(m);
    }
    if depth > 0 && k < 9 {
        let n = [0, 1, 2, 4, 7][r.below(5) as usize];
        return Value::Array((0..n).map(|_| rand_value(r, depth - 1)).collect());
    }
    match r.below(10) {
        0..=2 if r.chance(0.1) => rand_wstring(r),
        0..=2 => Value::Str(rand_string(r)),
        3..=4 => rand_int(r),
        5..=7 => Value::Float(rand_float(r)),
        8 => Value::Bool(r.chance(0.5)),
        _ => Value::Null,
    }
}

/// A deep chain of arrays/objects (well below Python's recursion limit).
fn deep_value(r: &mut Rng) -> Value {
    let depth = 20 + r.below(180);
    let mut v = rand_value(r, 2);
    for _ in 0..depth {
        v = if r.chance(0.5) {
            Value::Array(vec![v])
        } else {
            let mut m = Map::new();
            m.insert(rand_string(r), v);
            Value::Object(m)
        };
    }
    v
}

/// Equal as Python would see it after a round trip (NaN equals NaN; -0.0 differs from 0.0).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => {
            (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
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

const FORWARD_VALUES: usize = 4000;

#[test]
fn rust_written_documents_match_python_dumps() {
    let mut r = Rng(0x6a76_6462_636f_6465);
    let mut values: Vec<Value> = Vec::new();
    for i in 0..FORWARD_VALUES {
        values.push(if i % 25 == 0 {
            deep_value(&mut r)
        } else {
            let depth = r.range(0, 5);
            rand_value(&mut r, depth)
        });
    }
    let mut batch = Vec::new();
    for v in &values {
        put(&mut batch, &to_python_indent2(v));
    }
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(&batch).expect("write batch");
    file.flush().expect("flush batch");
    let path = file.path().to_str().expect("utf-8 temp path").to_string();
    let answer = oracle(&["check", &path]);

    let mut rd = Reader {
        data: &answer,
        pos: 0,
    };
    let mut failures: Vec<String> = Vec::new();
    let mut compared = 0usize;
    let names = ["indent=2", "compact", "pretty", "line"];
    for (i, v) in values.iter().enumerate() {
        let ours: [Vec<u8>; 4] = [
            to_python_indent2(v),
            to_python_compact(v).into_bytes(),
            to_pretty(v).into_bytes(),
            to_line(v).into_bytes(),
        ];
        for (n, mine) in ours.iter().enumerate() {
            let theirs = rd.record();
            compared += 1;
            if theirs != mine.as_slice() && failures.len() < 10 {
                failures.push(format!(
                    "value #{i} {}: python {:?}\n  jvdb {:?}",
                    names[n],
                    String::from_utf8_lossy(theirs),
                    String::from_utf8_lossy(mine)
                ));
            }
            // Every layout reads back to the same value.
            match parse_bytes(mine) {
                Ok(back) if same(&back, v) => {}
                other => {
                    if failures.len() < 10 {
                        failures.push(format!("value #{i} {}: read back as {other:?}", names[n]));
                    }
                }
            }
        }
    }
    assert!(rd.done(), "oracle returned more records than expected");
    assert_eq!(compared, FORWARD_VALUES * 4);
    assert!(
        failures.is_empty(),
        "{} disagreements with Python:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("forward: {FORWARD_VALUES} values x 4 layouts = {compared} outputs, 0 disagreements");
}

#[test]
fn python_written_documents_read_like_python() {
    let answer = oracle(&["generate", "20240611", "6000"]);
    let mut rd = Reader {
        data: &answer,
        pos: 0,
    };
    let mut counts: BTreeMap<char, usize> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    while !rd.done() {
        let kind = rd.byte() as char;
        let input = rd.record();
        let expected = rd.record();
        *counts.entry(kind).or_default() += 1;
        let got = parse_bytes(input);
        let ok = match (kind, &got) {
            ('V', Ok(v)) => to_python_indent2(v) == expected,
            ('E', Err(e)) => {
                format!("{}\n{}\n{}", e.message, e.line, e.column).as_bytes() == expected
            }
            ('U', Err(e)) => e.message.contains("codec can't decode"),
            ('R', Err(e)) => e.message.starts_with("nesting deeper than"),
            ('X', Err(e)) => e.message.as_bytes() == expected,
            ('S', Ok(v)) => to_python_indent2(v) == expected && has_wstr(v),
            ('K', Err(e)) => {
                e.message.starts_with("lone surrogate \\u")
                    && e.message.ends_with(" in an object key is not supported")
            }
            _ => false,
        };
        if !ok && failures.len() < 10 {
            let got_text = match &got {
                Ok(v) => String::from_utf8_lossy(&to_python_indent2(v)).into_owned(),
                Err(e) => format!("error {}: {}:{}", e.message, e.line, e.column),
            };
            failures.push(format!(
                "kind {kind} input {:?}\n  python {:?}\n  jvdb   {:?}",
                String::from_utf8_lossy(&input[..input.len().min(300)]),
                String::from_utf8_lossy(expected),
                got_text
            ));
        }
    }
    let total: usize = counts.values().sum();
    assert!(total >= 6000, "too few documents from the oracle: {total}");
    for k in ['V', 'E', 'S', 'K', 'U', 'R', 'X'] {
        assert!(
            counts.get(&k).copied().unwrap_or(0) > 0,
            "no case of kind {k}"
        );
    }
    assert!(
        failures.is_empty(),
        "disagreements with Python ({counts:?}):\n{}",
        failures.join("\n")
    );
    eprintln!("reverse: {total} documents {counts:?}, 0 disagreements");
}

#[test]
fn files_written_by_jvspatial_jsondb_reencode_byte_for_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = dir.path().to_str().expect("utf-8 temp path").to_string();
    let printed = oracle(&["library", &base, "77", "300"]);
    let written: usize = String::from_utf8_lossy(&printed)
        .trim()
        .parse()
        .expect("record count from the oracle");
    let mut files = 0usize;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(dir.path().join("node")).expect("collection directory") {
        let path = entry.expect("dir entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        files += 1;
        let raw = std::fs::read(&path).expect("read record");
        match parse_bytes(&raw) {
            Ok(v) if to_python_indent2(&v) == raw => {}
            Ok(v) => failures.push(format!(
                "{}: library {:?}\n  jvdb {:?}",
                path.display(),
                String::from_utf8_lossy(&raw),
                String::from_utf8_lossy(&to_python_indent2(&v))
            )),
            Err(e) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    assert_eq!(files, written);
    assert!(files >= 300);
    assert!(
        failures.is_empty(),
        "{} files differ:\n{}",
        failures.len(),
        failures[..failures.len().min(5)].join("\n")
    );
    eprintln!("library: {files} JsonDB files re-encoded byte for byte");
}
