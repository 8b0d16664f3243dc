//! Python-compatible JSON: the reader accepts what `json.loads(bytes)` accepts, the writer
//! produces exactly what `json.dumps(value, indent=2)` produces (jvspatial's JsonDB encoding).
//!
//! Reader (`parse_bytes`): encoding detected like `json.detect_encoding` (UTF-8 with or without
//! BOM, UTF-16/UTF-32 LE/BE with or without BOM), then the rules of CPython's strict decoder:
//! `NaN`/`Infinity`/`-Infinity`, integers of any size (never through f64; like CPython, more
//! than 4300 digits is an error), floats like `float()` (`1e400` is `inf`), duplicate keys
//! (last value, first position), whitespace = space/tab/CR/LF, control characters rejected in
//! strings, `\uXXXX` surrogate pairs combined, errors with Python's messages, lines and columns.
//!
//! Lone surrogates (`"a\ud800b"`, or one encoded in the bytes, decoded with 'surrogatepass')
//! are read like Python: a string value holding one is a [`Value::WStr`] (see [`crate::wtf8`]);
//! as in Python, only a `\uXXXX` high surrogate directly followed by a `\uXXXX` low one
//! combines into one character.
//!
//! Known gaps: an object KEY with a lone surrogate cannot be held (keys are Rust `String`s): if
//! such a key is in the result, the document is an error "lone surrogate \ud800 in an object
//! key is not supported" where Python succeeds (a key whose object is overwritten by a repeated
//! key is no error). Nesting deeper than [`MAX_DEPTH`] is an error (Python raises
//! RecursionError a bit earlier).
//!
//! Writers: `to_python_indent2` (= `json.dumps(v, indent=2).encode()`), `to_python_compact`
//! (= `json.dumps(v)`), `to_line` (= `json.dumps(v, ensure_ascii=False, separators=(",", ":"))`),
//! `to_pretty` (= `json.dumps(v, indent=2, ensure_ascii=False)`). Floats are written as Python's
//! `repr`, non-finite floats as the bare tokens `NaN`, `Infinity`, `-Infinity`. A lone surrogate
//! is written as the escape `\udXXX` by every writer: that is exactly what the ASCII writers of
//! Python write; with `ensure_ascii=False` Python would emit the raw surrogate, which no UTF-8
//! text can hold (`.encode()` fails), so `to_line`/`to_pretty` write the escape instead, and
//! `json.loads` reads it back as the same string. (A high surrogate directly followed by a low
//! one, as two code points, reads back as one character, in Python too.)

mod parse;
mod write;

use crate::value::Value;

pub use parse::MAX_DEPTH;

/// Why a document could not be read. `line`/`column` are 1-based and counted in characters of
/// the decoded text, like Python's `JSONDecodeError.lineno`/`colno`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: line {} column {}",
            self.message, self.line, self.column
        )
    }
}

impl std::error::Error for ParseError {}

/// Parse bytes the way Python's `json.loads(bytes)` does: UTF-8 (with or without BOM),
/// UTF-16/32 detected from the bytes, NaN/Infinity/-Infinity, integers of any size,
/// duplicate keys (last value wins, first position kept).
pub fn parse_bytes(bytes: &[u8]) -> Result<Value, ParseError> {
    parse::parse_bytes(bytes)
}

/// Parse a `str` the way Python's `json.loads(str)` does (a leading U+FEFF is an error).
pub fn parse_str(s: &str) -> Result<Value, ParseError> {
    if s.starts_with('\u{FEFF}') {
        return Err(ParseError {
            message: "Unexpected UTF-8 BOM (decode using utf-8-sig)".into(),
            line: 1,
            column: 1,
        });
    }
    parse::parse_str(s)
}

/// Exactly `json.dumps(value, indent=2).encode()`: the bytes of a JsonDB record file.
pub fn to_python_indent2(v: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write::write(&mut out, v, &write::INDENT2);
    out
}

/// Append `json.dumps(value, indent=2).encode()` to `out` (reuse the buffer in hot loops).
pub fn write_python_indent2(v: &Value, out: &mut Vec<u8>) {
    write::write(out, v, &write::INDENT2);
}

/// Exactly `json.dumps(value)` (separators `", "` and `": "`, ASCII escapes).
pub fn to_python_compact(v: &Value) -> String {
    let mut out = Vec::with_capacity(128);
    write::write(&mut out, v, &write::COMPACT);
    into_string(out)
}

/// One-line JSON for jsonl/csv output: exactly
/// `json.dumps(v, ensure_ascii=False, separators=(",", ":"))` (separators `,` and `:`,
/// non-ASCII kept as UTF-8, control characters escaped, NaN/Infinity as bare tokens).
pub fn to_line(v: &Value) -> String {
    let mut out = Vec::with_capacity(128);
    write::write(&mut out, v, &write::LINE);
    into_string(out)
}

/// Append [`to_line`]'s text to `out`.
pub fn write_line(v: &Value, out: &mut String) {
    // Only the new text is validated, so appending many lines stays linear.
    let mut buf = Vec::with_capacity(128);
    write::write(&mut buf, v, &write::LINE);
    if out.is_empty() {
        *out = into_string(buf);
    } else {
        out.push_str(&into_string(buf));
    }
}

/// Append [`to_line`]'s text, as UTF-8 bytes, to `out`.
pub fn write_line_bytes(v: &Value, out: &mut Vec<u8>) {
    write::write(out, v, &write::LINE);
}

/// Pretty JSON for humans (`get`, `--format json`): exactly
/// `json.dumps(v, indent=2, ensure_ascii=False)`.
pub fn to_pretty(v: &Value) -> String {
    let mut out = Vec::with_capacity(256);
    write::write(&mut out, v, &write::PRETTY);
    into_string(out)
}

/// Append [`to_pretty`]'s text, as UTF-8 bytes, to `out`.
pub fn write_pretty_bytes(v: &Value, out: &mut Vec<u8>) {
    write::write(out, v, &write::PRETTY);
}

/// Append one JSON string literal (`"..."`, escaped like `json.dumps(s, ensure_ascii=ascii)`).
pub fn write_json_str(s: &str, ascii: bool, out: &mut Vec<u8>) {
    write::write_str(out, s, ascii);
}

/// Python's `repr(float)`: `1e+16`, `1e-07`, `100.0`, `-0.0`, `5e-324`, `nan`, `inf`, `-inf`.
pub fn float_repr(f: f64) -> String {
    let mut out = Vec::with_capacity(24);
    write::write_float_repr(&mut out, f);
    into_string(out)
}

/// The writers only produce UTF-8; this never takes the lossy branch.
fn into_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
