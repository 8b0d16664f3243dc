//! jvdb's JSON reader and writers (src/json.rs): any bytes are read the way jvspatial's JsonDB
//! reads a record file (`json.loads(bytes)`); a value read is written like
//! `json.dumps(v, indent=2)` (the JsonDB encoding), and reading that back gives the same value
//! and writing it again gives the same bytes. The other writers (compact, JSONL line, pretty)
//! read back as the same value too, and a UTF-8 input without NUL bytes reads the same as
//! bytes and as `str` (Python decodes the bytes, then parses the text).
#![no_main]

mod common;

use common::{same, show};
use jvdb::json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = json::parse_bytes(data);
    // Python detects UTF-16/32 only from NUL bytes or a BOM: other UTF-8 text is parsed as is.
    if let Ok(s) = std::str::from_utf8(data)
        && !data.contains(&0)
        && !s.starts_with('\u{FEFF}')
    {
        let as_str = json::parse_str(s);
        match (&parsed, &as_str) {
            (Ok(a), Ok(b)) => assert!(same(a, b), "bytes and str read differently"),
            (Err(a), Err(b)) => assert_eq!(a, b, "bytes and str fail differently"),
            _ => panic!("bytes: {parsed:?}, str: {as_str:?}"),
        }
    }
    let Ok(v) = parsed else { return };
    let w = json::to_python_indent2(&v);
    let p = json::parse_bytes(&w).unwrap_or_else(|e| {
        panic!(
            "indent=2 output does not read back ({e}): {}",
            String::from_utf8_lossy(&w)
        )
    });
    assert!(same(&p, &v), "indent=2 round trip differs: {}", show(&v));
    assert_eq!(
        json::to_python_indent2(&p),
        w,
        "indent=2 encoding not stable"
    );
    // indent=2 and the compact writer are ASCII (ensure_ascii=True)
    assert!(w.is_ascii(), "indent=2 output is not ASCII");
    for text in [
        json::to_python_compact(&v),
        json::to_line(&v),
        json::to_pretty(&v),
    ] {
        let q = json::parse_str(&text)
            .unwrap_or_else(|e| panic!("writer output does not read back ({e}): {text}"));
        assert!(same(&q, &v), "round trip differs: {text}");
    }
    assert!(
        !json::to_line(&v).contains('\n'),
        "a JSONL line holds a newline"
    );
});
