//! Python-compatible JSON: the reader accepts what `json.loads(bytes)` accepts, the writer
//! produces exactly what `json.dumps(value, indent=2)` produces (jvspatial's JsonDB encoding).
//!
//! STUB: the real implementation replaces these bodies.

use crate::value::Value;

/// Why a document could not be read; `offset` is a byte offset in the decoded text.
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
            "{} at line {} column {}",
            self.message, self.line, self.column
        )
    }
}

/// Parse bytes the way Python's `json.loads(bytes)` does: UTF-8 (with or without BOM),
/// UTF-16/32 detected from the bytes, NaN/Infinity/-Infinity, integers of any size,
/// duplicate keys (last value wins, first position kept).
pub fn parse_bytes(_bytes: &[u8]) -> Result<Value, ParseError> {
    Err(ParseError {
        message: "not implemented".into(),
        line: 1,
        column: 1,
    })
}

/// Parse a `str` the way Python's `json.loads(str)` does.
pub fn parse_str(s: &str) -> Result<Value, ParseError> {
    parse_bytes(s.as_bytes())
}

/// Exactly `json.dumps(value, indent=2).encode()`: the bytes of a JsonDB record file.
pub fn to_python_indent2(_v: &Value) -> Vec<u8> {
    Vec::new()
}

/// Exactly `json.dumps(value)` (separators `", "` and `": "`, ASCII escapes).
pub fn to_python_compact(_v: &Value) -> String {
    String::new()
}

/// One-line JSON for jsonl/csv output: separators `,` and `:`, non-ASCII kept as UTF-8,
/// NaN/Infinity as bare tokens (as Python writes them), Python float repr.
pub fn to_line(_v: &Value) -> String {
    String::new()
}

/// Pretty JSON for humans (`get`, `--format json`): like `to_python_indent2` but with
/// non-ASCII kept as UTF-8.
pub fn to_pretty(_v: &Value) -> String {
    String::new()
}

/// Python's `repr(float)`.
pub fn float_repr(_f: f64) -> String {
    String::new()
}
