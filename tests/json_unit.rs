//! Unit tests of the Python-compatible JSON codec (`jvdb::json`). Every expected string here
//! is what CPython 3.11's `json` module produces for the same input.

use jvdb::json::{
    MAX_DEPTH, float_repr, parse_bytes, parse_str, to_line, to_pretty, to_python_compact,
    to_python_indent2, write_line, write_python_indent2,
};
use jvdb::{Map, Value};
use num_bigint::BigInt;

fn obj(pairs: &[(&str, Value)]) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert((*k).to_string(), v.clone());
    }
    Value::Object(m)
}

fn indent2(v: &Value) -> String {
    String::from_utf8(to_python_indent2(v)).expect("utf-8")
}

fn err(input: &[u8]) -> (String, usize, usize) {
    match parse_bytes(input) {
        Ok(v) => panic!("expected an error for {input:?}, got {v:?}"),
        Err(e) => (e.message, e.line, e.column),
    }
}

#[test]
fn float_repr_matches_python() {
    let cases: &[(f64, &str)] = &[
        (1e16, "1e+16"),
        (1e-7, "1e-07"),
        (1.5e300, "1.5e+300"),
        (100.0, "100.0"),
        (-0.0, "-0.0"),
        (0.0, "0.0"),
        (5e-324, "5e-324"),
        (1234567890123456.0, "1234567890123456.0"),
        (12345678901234567.0, "1.2345678901234568e+16"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (0.00012345, "0.00012345"),
        (1.0, "1.0"),
        (0.1, "0.1"),
        (0.30000000000000004, "0.30000000000000004"),
        (-2.5, "-2.5"),
        (9999999999999998.0, "9999999999999998.0"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (2.2250738585072014e-308, "2.2250738585072014e-308"),
        (123456.789, "123456.789"),
        (1e22, "1e+22"),
        (1e100, "1e+100"),
        (f64::NAN, "nan"),
        (f64::INFINITY, "inf"),
        (f64::NEG_INFINITY, "-inf"),
    ];
    for (f, want) in cases {
        assert_eq!(float_repr(*f), *want, "repr of {f:e}");
    }
}

#[test]
fn json_non_finite_tokens() {
    let v = Value::Array(vec![
        Value::Float(f64::NAN),
        Value::Float(f64::INFINITY),
        Value::Float(f64::NEG_INFINITY),
    ]);
    assert_eq!(to_python_compact(&v), "[NaN, Infinity, -Infinity]");
    assert_eq!(to_line(&v), "[NaN,Infinity,-Infinity]");
    assert_eq!(indent2(&v), "[\n  NaN,\n  Infinity,\n  -Infinity\n]");
    let back = parse_bytes(b"[NaN, Infinity, -Infinity]").unwrap();
    let a = back.as_array().unwrap();
    assert!(matches!(a[0], Value::Float(f) if f.is_nan()));
    assert_eq!(a[1], Value::Float(f64::INFINITY));
    assert_eq!(a[2], Value::Float(f64::NEG_INFINITY));
}

#[test]
fn indent2_layout() {
    let v = obj(&[
        ("id", "n.City.1".into()),
        (
            "context",
            obj(&[("a", Value::Array(vec![1.into(), Value::Null]))]),
        ),
        ("empty_list", Value::Array(vec![])),
        ("empty_obj", Value::Object(Map::new())),
        ("t", true.into()),
        ("f", 1.5.into()),
    ]);
    let want = "{\n  \"id\": \"n.City.1\",\n  \"context\": {\n    \"a\": [\n      1,\n      null\n    ]\n  },\n  \"empty_list\": [],\n  \"empty_obj\": {},\n  \"t\": true,\n  \"f\": 1.5\n}";
    assert_eq!(indent2(&v), want);
    assert_eq!(
        to_python_compact(&v),
        "{\"id\": \"n.City.1\", \"context\": {\"a\": [1, null]}, \"empty_list\": [], \"empty_obj\": {}, \"t\": true, \"f\": 1.5}"
    );
    assert_eq!(
        to_line(&v),
        "{\"id\":\"n.City.1\",\"context\":{\"a\":[1,null]},\"empty_list\":[],\"empty_obj\":{},\"t\":true,\"f\":1.5}"
    );
    assert_eq!(to_pretty(&v), want);
    let mut buf = b"prefix".to_vec();
    write_python_indent2(&v, &mut buf);
    assert_eq!(&buf[6..], want.as_bytes());
    let mut s = String::from(">");
    write_line(&v, &mut s);
    assert_eq!(&s[1..], to_line(&v));
    // Scalars at top level.
    assert_eq!(indent2(&Value::Null), "null");
    assert_eq!(indent2(&"x".into()), "\"x\"");
    assert_eq!(indent2(&Value::Array(vec![])), "[]");
}

#[test]
fn string_escapes() {
    let s = "q\" b\\ n\n r\r t\t b\u{8} f\u{c} nul\u{0} us\u{1f} del\u{7f} é 東 😀 \u{2028} /";
    let v = Value::Str(s.into());
    assert_eq!(
        to_python_compact(&v),
        "\"q\\\" b\\\\ n\\n r\\r t\\t b\\b f\\f nul\\u0000 us\\u001f del\\u007f \\u00e9 \\u6771 \\ud83d\\ude00 \\u2028 /\""
    );
    assert_eq!(
        to_line(&v),
        "\"q\\\" b\\\\ n\\n r\\r t\\t b\\b f\\f nul\\u0000 us\\u001f del\u{7f} é 東 😀 \u{2028} /\""
    );
    assert_eq!(to_pretty(&v), to_line(&v));
    assert_eq!(parse_str(&to_python_compact(&v)).unwrap(), v);
    assert_eq!(parse_str(&to_line(&v)).unwrap(), v);
    // Keys are escaped the same way.
    let k = obj(&[("Zürich 🏙", 1.into())]);
    assert_eq!(indent2(&k), "{\n  \"Z\\u00fcrich \\ud83c\\udfd9\": 1\n}");
}

#[test]
fn parse_escapes_and_surrogate_pairs() {
    let v = parse_bytes(br#""\ud83c\udfd9 \u00E9\u00e9 \/ \b\f\n\r\t \" \\""#).unwrap();
    assert_eq!(v, Value::Str("🏙 éé / \u{8}\u{c}\n\r\t \" \\".into()));
    // Raw UTF-8 as orjson writes it.
    let v = parse_bytes("\"Zürich 東京 😀 \u{2028}\"".as_bytes()).unwrap();
    assert_eq!(v, Value::Str("Zürich 東京 😀 \u{2028}".into()));
    // A high surrogate followed by a non-surrogate escape is a lone surrogate: Python keeps
    // it, and so do we (a `WStr`).
    assert_eq!(
        parse_bytes(br#""\ud800\u0041""#).unwrap(),
        wstr(&[0xD800, 0x41])
    );
    assert_eq!(
        parse_bytes(br#"["ok", "\udc00"]"#).unwrap(),
        Value::Array(vec!["ok".into(), wstr(&[0xDC00])])
    );
    // An encoded surrogate in the UTF-8 bytes (Python decodes with 'surrogatepass').
    assert_eq!(parse_bytes(b"\"\xed\xa0\x80\"").unwrap(), wstr(&[0xD800]));
    // In an object key it is still an error, reported where the key starts.
    let (m, l, c) = err(br#"{"a": 1, "k\ud800": 2}"#);
    assert_eq!(
        (m.as_str(), l, c),
        (
            "lone surrogate \\ud800 in an object key is not supported",
            1,
            10
        )
    );
    let (m, _, _) = err(b"{\"\xed\xb0\x80\": 1}");
    assert_eq!(
        m,
        "lone surrogate \\udc00 in an object key is not supported"
    );
    // ... but not when the key is gone: its object was the value of a key given again.
    // Python: {'x': 3, 'a\\ud800': [{'\\\\': 0}]}.
    let v = parse_bytes(br#"{"x": {"\ud800": 1}, "a\\ud800": [{"\\\\": 0}], "x": 3}"#).unwrap();
    assert_eq!(
        indent2(&v),
        "{\n  \"x\": 3,\n  \"a\\\\ud800\": [\n    {\n      \"\\\\\\\\\": 0\n    }\n  ]\n}"
    );
    assert_eq!(v.get("a\\ud800").map(|a| a.type_name()), Some("array"));
}

/// A string value from code points (surrogates allowed).
fn wstr(cps: &[u32]) -> Value {
    let mut b = Vec::new();
    for &c in cps {
        jvdb::wtf8::push_code_point(&mut b, c);
    }
    Value::from_wtf8(b)
}

/// Every way Python's `json.loads` makes a lone surrogate, checked against what CPython 3.11
/// gives (`[hex(ord(c)) for c in json.loads(doc)]`).
#[test]
fn lone_surrogates_in_values_like_python() {
    let cases: &[(&[u8], &[u32])] = &[
        (br#""a\ud800b""#, &[0x61, 0xD800, 0x62]),
        (br#""\udfff""#, &[0xDFFF]),
        // A pair of escapes combines; a low escape after a high one that is not a pair, not.
        (br#""\ud83d\ude00""#, &[0x1F600]),
        (br#""\ud800\ud800\udc00""#, &[0xD800, 0x10000]),
        (br#""\udc00\ud800""#, &[0xDC00, 0xD800]),
        (br#""\ud800\n\u0041""#, &[0xD800, 0x0A, 0x41]),
        // Raw surrogates (surrogatepass) never combine, with each other or with an escape.
        (b"\"\xed\xa0\x80\xed\xb0\x80\"", &[0xD800, 0xDC00]),
        (b"\"\\ud800\xed\xb0\x80x\"", &[0xD800, 0xDC00, 0x78]),
        (b"\"\xed\xa0\x80\\udc00\"", &[0xD800, 0xDC00]),
        (
            b"\"\xef\xbf\xbd\xed\xa0\x80\xef\xbf\xbd\"",
            &[0xFFFD, 0xD800, 0xFFFD],
        ),
        // UTF-16 and UTF-32 with lone surrogates.
        (b"\"\x00\x00\xd8\"\x00", &[0xD800]),
        (b"\"\x00\x00\x00\x00\xdc\x00\x00\"\x00\x00\x00", &[0xDC00]),
    ];
    for (doc, cps) in cases {
        let v = parse_bytes(doc).unwrap_or_else(|e| panic!("{doc:?}: {e}"));
        assert_eq!(v, wstr(cps), "{doc:?}");
        let codes: Vec<u32> = match &v {
            Value::Str(s) => s.chars().map(u32::from).collect(),
            Value::WStr(b) => jvdb::wtf8::code_points(b).collect(),
            other => panic!("{doc:?}: not a string: {other:?}"),
        };
        assert_eq!(&codes, cps, "{doc:?}");
    }
    // A surrogate outside a string is Python's error at the same column.
    let (m, l, c) = err(b"[1, \xed\xa0\x80]");
    assert_eq!((m.as_str(), l, c), ("Expecting value", 1, 5));
    // Positions after a raw surrogate count it as one character, as Python does.
    let (m, l, c) = err(b"[\"\xed\xa0\x80\" 1]");
    assert_eq!((m.as_str(), l, c), ("Expecting ',' delimiter", 1, 6));
}

/// The writers on lone surrogates: `json.dumps(v, indent=2)` escapes them like CPython; the
/// `ensure_ascii=False` writers (where CPython would write the raw surrogate, which UTF-8
/// cannot hold) write the same escape, so the output stays UTF-8 and reads back the same.
#[test]
fn lone_surrogates_written_as_escapes() {
    let v = Value::Array(vec![wstr(&[
        0x61, 0xD800, 0x62, 0xE9, 0x1F600, 0xDFFF, 0x22,
    ])]);
    assert_eq!(
        indent2(&v),
        "[\n  \"a\\ud800b\\u00e9\\ud83d\\ude00\\udfff\\\"\"\n]"
    );
    assert_eq!(
        to_python_compact(&v),
        "[\"a\\ud800b\\u00e9\\ud83d\\ude00\\udfff\\\"\"]"
    );
    assert_eq!(to_line(&v), "[\"a\\ud800bé😀\\udfff\\\"\"]");
    assert_eq!(to_pretty(&v), "[\n  \"a\\ud800bé😀\\udfff\\\"\"\n]");
    for text in [
        indent2(&v),
        to_line(&v),
        to_pretty(&v),
        to_python_compact(&v),
    ] {
        assert_eq!(parse_str(&text).unwrap(), v, "{text}");
    }
    // Helpers: lossy text, length, code points, order.
    let w = wstr(&[0x61, 0xD800, 0x62]);
    assert_eq!(w.to_string_lossy().as_deref(), Some("a\u{FFFD}b"));
    assert_eq!(w.type_name(), "string");
    assert!(w.is_string() && w.as_str().is_none() && w.str_bytes().is_some());
    assert_eq!(jvdb::wtf8::len(w.str_bytes().unwrap()), 3);
    assert!(w.str_bytes() > Value::from("a\u{D7FF}").str_bytes());
    assert!(w.str_bytes() < Value::from("a\u{E000}").str_bytes());
    assert_eq!(Value::from_wtf8(b"plain".to_vec()), Value::from("plain"));
}

#[test]
fn big_ints_never_through_f64() {
    let v = parse_bytes(b"[18446744073709551617, -9223372036854775808, 9223372036854775807, 9223372036854775808, -0, 123456789012345678901234567890]").unwrap();
    let a = v.as_array().unwrap();
    assert_eq!(
        a[0],
        Value::from_bigint("18446744073709551617".parse::<BigInt>().unwrap())
    );
    assert!(matches!(a[0], Value::BigInt(_)));
    assert_eq!(a[1], Value::Int(i64::MIN));
    assert_eq!(a[2], Value::Int(i64::MAX));
    assert!(matches!(a[3], Value::BigInt(_)));
    assert_eq!(a[4], Value::Int(0));
    assert_eq!(
        to_python_compact(&v),
        "[18446744073709551617, -9223372036854775808, 9223372036854775807, 9223372036854775808, 0, 123456789012345678901234567890]"
    );
    // CPython's int_max_str_digits limit (4300 digits).
    assert!(parse_bytes("9".repeat(4300).as_bytes()).is_ok());
    let (m, _, _) = err("9".repeat(4301).as_bytes());
    assert!(m.starts_with("Exceeds the limit (4300 digits)"), "{m}");
}

#[test]
fn floats_like_python_float() {
    let v = parse_bytes(b"[1e400, -1e400, 1e-400, -0.0, 1E5, 1.5e+3, 2.5E-3, 0.1]").unwrap();
    assert_eq!(
        v,
        Value::Array(vec![
            Value::Float(f64::INFINITY),
            Value::Float(f64::NEG_INFINITY),
            Value::Float(0.0),
            Value::Float(-0.0),
            Value::Float(1e5),
            Value::Float(1500.0),
            Value::Float(0.0025),
            Value::Float(0.1),
        ])
    );
    assert!(matches!(&v.as_array().unwrap()[3], Value::Float(f) if f.is_sign_negative()));
    assert_eq!(
        to_python_compact(&v),
        "[Infinity, -Infinity, 0.0, -0.0, 100000.0, 1500.0, 0.0025, 0.1]"
    );
}

#[test]
fn encodings_like_detect_encoding() {
    let text = "{\"a\": \"é😀\", \"b\": [1, 2.5]}";
    let want = parse_str(text).unwrap();
    let u16le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let u16be: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    let u32le: Vec<u8> = text
        .chars()
        .flat_map(|c| (c as u32).to_le_bytes())
        .collect();
    let u32be: Vec<u8> = text
        .chars()
        .flat_map(|c| (c as u32).to_be_bytes())
        .collect();
    let with = |bom: &[u8], body: &[u8]| [bom, body].concat();
    let inputs: Vec<Vec<u8>> = vec![
        text.as_bytes().to_vec(),
        with(&[0xEF, 0xBB, 0xBF], text.as_bytes()),
        u16le.clone(),
        u16be.clone(),
        with(&[0xFF, 0xFE], &u16le),
        with(&[0xFE, 0xFF], &u16be),
        u32le.clone(),
        u32be.clone(),
        with(&[0xFF, 0xFE, 0, 0], &u32le),
        with(&[0, 0, 0xFE, 0xFF], &u32be),
    ];
    for (n, input) in inputs.iter().enumerate() {
        assert_eq!(parse_bytes(input).as_ref(), Ok(&want), "input #{n}");
    }
    // Two-byte documents in UTF-16.
    assert_eq!(parse_bytes(b"1\x00"), Ok(Value::Int(1)));
    assert_eq!(parse_bytes(b"\x001"), Ok(Value::Int(1)));
    // A second BOM is a character, not whitespace.
    assert_eq!(err(b"\xef\xbb\xbf\xef\xbb\xbf1").0, "Expecting value");
    // A str with a BOM is refused like json.loads(str).
    assert!(parse_str("\u{feff}1").is_err());
    // Undecodable bytes.
    assert!(err(b"\"\xff\"").0.contains("can't decode byte 0xff"));
    assert!(err(b"[\x001\x00]").0.contains("truncated data"));
}

#[test]
fn duplicate_keys_last_value_first_position() {
    let v = parse_bytes(br#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
    assert_eq!(to_python_compact(&v), r#"{"a": 3, "b": 2}"#);
}

#[test]
fn whitespace_is_only_space_tab_cr_lf() {
    assert_eq!(
        parse_bytes(b" \t\r\n[ 1 ,\n2 ] \n"),
        Ok(Value::Array(vec![1.into(), 2.into()]))
    );
    assert_eq!(err(b"\x0c1"), ("Expecting value".into(), 1, 1));
    assert_eq!(err("\u{a0}1".as_bytes()), ("Expecting value".into(), 1, 1));
}

#[test]
fn errors_with_python_messages_and_positions() {
    let cases: &[(&[u8], &str, usize, usize)] = &[
        (b"", "Expecting value", 1, 1),
        (b"[1,]", "Expecting value", 1, 4),
        (
            b"{\"a\":1,}",
            "Expecting property name enclosed in double quotes",
            1,
            8,
        ),
        (b"[", "Expecting value", 1, 2),
        (
            b"{",
            "Expecting property name enclosed in double quotes",
            1,
            2,
        ),
        (b"1.", "Extra data", 1, 2),
        (b"-", "Expecting value", 1, 1),
        (b"\"\\u004", "Invalid \\uXXXX escape", 1, 3),
        (b"\"abc", "Unterminated string starting at", 1, 1),
        (b"[1 2]", "Expecting ',' delimiter", 1, 4),
        (b"{\"a\" 1}", "Expecting ':' delimiter", 1, 6),
        (b"\"a\x01\"", "Invalid control character at", 1, 3),
        (b"\"a\nb\"", "Invalid control character at", 1, 3),
        (b"\"\\x\"", "Invalid \\escape", 1, 2),
        (b"[1]\n  x", "Extra data", 2, 3),
        (b"01", "Extra data", 1, 2),
        (b"nul", "Expecting value", 1, 1),
        (b"-NaN", "Expecting value", 1, 1),
        (b"[\"\xc3\xa9\", x]", "Expecting value", 1, 7),
        (
            b"{'a': 1}",
            "Expecting property name enclosed in double quotes",
            1,
            2,
        ),
    ];
    for (input, msg, line, col) in cases {
        assert_eq!(
            err(input),
            (msg.to_string(), *line, *col),
            "input {:?}",
            String::from_utf8_lossy(input)
        );
    }
    let e = parse_bytes(b"[1 2]").unwrap_err();
    assert_eq!(e.to_string(), "Expecting ',' delimiter: line 1 column 4");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for open in [b'[', b'{'] {
        let mut doc = Vec::new();
        for _ in 0..100_000 {
            doc.push(open);
            if open == b'{' {
                doc.extend_from_slice(b"\"k\":");
            }
        }
        let (m, _, _) = err(&doc);
        assert_eq!(
            m,
            format!("nesting deeper than {MAX_DEPTH} levels is not supported")
        );
    }
    let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert!(parse_bytes(ok.as_bytes()).is_ok());
    let bad = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
    assert!(parse_bytes(bad.as_bytes()).is_err());
}

#[test]
fn round_trip_of_a_library_record() {
    let raw = "{\n  \"id\": \"n.City.8f0c\",\n  \"entity\": \"City\",\n  \"context\": {\n    \"name\": \"Z\\u00fcrich \\u6771\\u4eac \\ud83d\\ude00\",\n    \"population\": 18446744073709551617,\n    \"area\": 1e+16,\n    \"tiny\": 1e-07,\n    \"nan\": NaN,\n    \"tags\": []\n  }\n}";
    let v = parse_bytes(raw.as_bytes()).unwrap();
    assert_eq!(indent2(&v), raw);
}

#[test]
fn string_runs_of_every_length_and_alignment() {
    // The plain-run scanner works 8 bytes at a time; put the stop byte everywhere.
    for pad in 0..20 {
        for len in 0..20 {
            let pre = "é".repeat(pad % 3) + &"a".repeat(pad);
            let post = "z".repeat(len) + &"東".repeat(len % 2);
            let doc = format!("\"{pre}\\n{post}\"");
            assert_eq!(
                parse_str(&doc),
                Ok(Value::Str(format!("{pre}\n{post}"))),
                "{doc}"
            );
            let doc = format!("\"{pre}\u{1}{post}\"");
            let e = parse_str(&doc).unwrap_err();
            assert_eq!(e.message, "Invalid control character at");
            assert_eq!(e.column, 2 + pre.chars().count());
            let doc = format!("\"{pre}{post}\"");
            assert_eq!(parse_str(&doc), Ok(Value::Str(format!("{pre}{post}"))));
            let doc = format!("\"{pre}{post}");
            assert_eq!(
                parse_str(&doc).unwrap_err().message,
                "Unterminated string starting at"
            );
        }
    }
}

#[test]
fn deepest_readable_document_can_be_written_and_dropped() {
    let doc = format!(
        "{}1{}",
        "[{\"k\":".repeat(MAX_DEPTH / 2),
        "}]".repeat(MAX_DEPTH / 2)
    );
    let v = parse_bytes(doc.as_bytes()).unwrap();
    assert_eq!(to_line(&v), doc);
    let back = parse_bytes(&to_python_indent2(&v)).unwrap();
    assert_eq!(back, v);
    assert!(to_pretty(&v).len() > doc.len());
    assert_eq!(parse_str(&to_python_compact(&v)).unwrap(), v);
}
