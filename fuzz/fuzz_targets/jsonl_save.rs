//! The record reader of `jvdb save` (src/jsonl.rs): any input (one object, a JSON array, or
//! JSONL) is read to the end without a panic, line numbers and item numbers count up, and a
//! record that is not JSON is an error for that record only. The records read back: written as
//! JSONL (one `to_line` per line) they are read as the same records from `line 1..n`; written
//! as one pretty JSON array they are read as the same records `item 1..n`.
#![no_main]

mod common;

use common::{same, show};
use jvdb::json;
use jvdb::jsonl::RecordReader;
use jvdb::value::Value;
use libfuzzer_sys::fuzz_target;

/// One record read: its origin (`line 3`, `item 2`, `input`) and its value or error text.
type Record = (String, Result<Value, String>);

/// Every record of `input`, or the error that ended the read.
fn read_all(input: Vec<u8>) -> Result<Vec<Record>, String> {
    // Each record takes at least one byte of the input (a line, or an array item).
    let limit = input.len() + 1;
    let mut reader = RecordReader::new(Box::new(std::io::Cursor::new(input)));
    let mut out = Vec::new();
    loop {
        match reader.next_record() {
            Ok(Some((origin, v, _raw))) => {
                out.push((origin.0, v.map_err(|e| e.message)));
                assert!(out.len() <= limit, "more records than input bytes");
            }
            Ok(None) => return Ok(out),
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// `line N` / `item N` numbers strictly increase.
fn check_origins(records: &[Record]) {
    let mut last: Option<(&str, u64)> = None;
    for (origin, _) in records {
        let (kind, n) = match origin.split_once(' ') {
            Some((k @ ("line" | "item"), n)) => (k, n.parse::<u64>().expect("origin number")),
            _ => {
                assert_eq!(origin, "input", "unexpected origin");
                assert_eq!(records.len(), 1, "a single document gave several records");
                continue;
            }
        };
        if let Some((k, m)) = last {
            assert_eq!(k, kind, "origins mix lines and items");
            assert!(n > m, "origin numbers do not increase: {m} then {n}");
        }
        last = Some((kind, n));
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(records) = read_all(data.to_vec()) else {
        return;
    };
    check_origins(&records);
    // The objects read, written back in the two shapes `save` reads.
    let objects: Vec<Value> = records
        .into_iter()
        .filter_map(|(_, v)| v.ok())
        .filter(|v| v.as_object().is_some())
        .collect();
    if objects.is_empty() {
        return;
    }
    let mut jsonl = Vec::new();
    for v in &objects {
        json::write_line_bytes(v, &mut jsonl);
        jsonl.push(b'\n');
    }
    let back = read_all(jsonl).expect("JSONL of objects reads back");
    assert_eq!(back.len(), objects.len(), "JSONL record count");
    for (i, ((origin, v), want)) in back.iter().zip(&objects).enumerate() {
        assert_eq!(origin, &format!("line {}", i + 1));
        let v = v.as_ref().expect("a JSONL line written by to_line reads");
        assert!(same(v, want), "JSONL round trip differs: {}", show(want));
    }
    let array = json::to_pretty(&Value::Array(objects.clone()));
    let back = read_all(array.into_bytes()).expect("a JSON array reads back");
    assert_eq!(back.len(), objects.len(), "array record count");
    for (i, ((origin, v), want)) in back.iter().zip(&objects).enumerate() {
        assert_eq!(origin, &format!("item {}", i + 1));
        let v = v.as_ref().expect("an array item reads");
        assert!(same(v, want), "array round trip differs: {}", show(want));
    }
});
