//! Fuzzing the JSON reader and writers (issue 5 §6): arbitrary bytes never panic; any value
//! written by any writer reads back as itself; parse → write_indent2 → parse is the identity.
//! Long run: `PROPTEST_CASES=1000000 cargo test --release --test fuzz_json`.

mod fuzz_common;

use fuzz_common::*;
use jvdb::json;
use proptest::prelude::*;

/// Mutate a byte string: flip, insert, delete or truncate at positions chosen by `ops`.
fn mutate(mut b: Vec<u8>, ops: &[(u8, usize, u8)]) -> Vec<u8> {
    for &(op, at, byte) in ops {
        if b.is_empty() {
            b.push(byte);
            continue;
        }
        let i = at % b.len();
        match op % 4 {
            0 => b[i] = byte,
            1 => b.insert(i, byte),
            2 => {
                b.remove(i);
            }
            _ => b.truncate(i),
        }
    }
    b
}

fn roundtrip_from(v: &jvdb::value::Value) -> Result<(), TestCaseError> {
    let w = json::to_python_indent2(v);
    let p = json::parse_bytes(&w).map_err(|e| TestCaseError::fail(format!("{e}")))?;
    prop_assert!(same(&p, v), "indent2 round trip differs");
    prop_assert_eq!(json::to_python_indent2(&p), w);
    Ok(())
}

proptest! {
    #![proptest_config(config(3000))]

    #[test]
    fn arbitrary_bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(v) = json::parse_bytes(&b) {
            roundtrip_from(&v)?;
        }
    }

    #[test]
    fn arbitrary_str_never_panics(s in any::<String>()) {
        if let Ok(v) = json::parse_str(&s) {
            roundtrip_from(&v)?;
        }
    }

    #[test]
    fn mutated_documents_never_panic(
        v in value(),
        ops in prop::collection::vec((any::<u8>(), any::<usize>(), prop::sample::select(
            b"{}[],:\"\\0123456789-+.eEtrufalsnNIy \n\t\xff\xc3\x80\x00".to_vec())), 1..6),
        writer in 0..4u8,
    ) {
        let text = match writer {
            0 => json::to_python_indent2(&v),
            1 => json::to_python_compact(&v).into_bytes(),
            2 => json::to_line(&v).into_bytes(),
            _ => json::to_pretty(&v).into_bytes(),
        };
        let b = mutate(text, &ops);
        if let Ok(p) = json::parse_bytes(&b) {
            roundtrip_from(&p)?;
        }
    }

    #[test]
    fn every_writer_round_trips(v in value()) {
        for text in [
            json::to_python_indent2(&v),
            json::to_python_compact(&v).into_bytes(),
            json::to_line(&v).into_bytes(),
            json::to_pretty(&v).into_bytes(),
        ] {
            let p = json::parse_bytes(&text)
                .map_err(|e| TestCaseError::fail(format!("{e}: {}", String::from_utf8_lossy(&text))))?;
            prop_assert!(same(&p, &v), "round trip differs: {}", String::from_utf8_lossy(&text));
        }
        // JSONL lines are single lines
        prop_assert!(!json::to_line(&v).contains('\n'));
    }

}

proptest! {
    #![proptest_config(config(40))]

    #[test]
    fn deep_nesting_is_an_error_not_a_crash(depth in 990usize..1100, kind in 0..3u8) {
        let (open, close) = match kind { 0 => ("[", "]"), 1 => ("{\"a\":", "}"), _ => ("[{\"a\":", "}]") };
        let per = if kind == 2 { 2 } else { 1 };
        let doc = format!("{}1{}", open.repeat(depth), close.repeat(depth));
        let r = json::parse_str(&doc);
        prop_assert_eq!(r.is_ok(), depth * per <= json::MAX_DEPTH, "depth {}", depth * per);
        if let Ok(v) = r {
            roundtrip_from(&v)?;
        }
    }
}

/// Regression seeds: inputs that must keep working (documents found while fuzzing, and
/// classic troublemakers).
#[test]
fn regression_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/json");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let b = std::fs::read(e.path()).unwrap();
        if let Ok(v) = json::parse_bytes(&b) {
            roundtrip_from(&v).unwrap();
        }
        n += 1;
    }
    assert!(n >= 10, "corpus has {n} files");
}
