//! The in-memory value model of a jvspatial record.
//!
//! It mirrors what Python's `json` module produces, not what strict JSON allows: integers of
//! any size (`Int` when they fit in i64, `BigInt` only when they do not), floats including
//! NaN and ±Infinity, and objects that keep key insertion order (a duplicate key keeps the
//! first position and the last value, like a Python dict). A string value that holds a lone
//! surrogate (which Python's `json.loads` accepts: `"a\ud800b"`) is a [`Value::WStr`]; object
//! keys are always valid UTF-8.

use indexmap::IndexMap;
use num_bigint::BigInt;

/// An ordered JSON object.
pub type Map = IndexMap<String, Value>;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// An integer that fits in i64.
    Int(i64),
    /// An integer outside the i64 range (never one that fits: see [`Value::from_bigint`]).
    BigInt(Box<BigInt>),
    Float(f64),
    Str(String),
    /// A string with at least one lone surrogate (U+D800..U+DFFF), in generalized UTF-8 (see
    /// [`crate::wtf8`]). Never valid UTF-8: build it with [`Value::from_wtf8`].
    WStr(Box<[u8]>),
    Array(Vec<Value>),
    Object(Map),
}

impl Value {
    /// Normalising constructor: an integer that fits in i64 becomes `Int`.
    pub fn from_bigint(b: BigInt) -> Value {
        match i64::try_from(&b) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::BigInt(Box::new(b)),
        }
    }

    /// Normalising constructor for a string in generalized UTF-8: `Str` when the bytes are
    /// valid UTF-8, `WStr` otherwise.
    pub fn from_wtf8(bytes: Vec<u8>) -> Value {
        match String::from_utf8(bytes) {
            Ok(s) => Value::Str(s),
            Err(e) => Value::WStr(e.into_bytes().into_boxed_slice()),
        }
    }

    /// Is this a string (`Str` or `WStr`)?
    pub fn is_string(&self) -> bool {
        matches!(self, Value::Str(_) | Value::WStr(_))
    }

    /// The bytes of a string value (`Str` or `WStr`), in generalized UTF-8: comparing them
    /// compares code points, and a `Str` never equals a `WStr`.
    pub fn str_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Str(s) => Some(s.as_bytes()),
            Value::WStr(b) => Some(b),
            _ => None,
        }
    }

    /// The text of a string value with lone surrogates replaced by U+FFFD (`None` for other
    /// types). Borrowed for `Str`.
    pub fn to_string_lossy(&self) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            Value::Str(s) => Some(std::borrow::Cow::Borrowed(s)),
            Value::WStr(b) => Some(std::borrow::Cow::Owned(crate::wtf8::to_string_lossy(b))),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// `obj[key]` for objects, `None` otherwise.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|m| m.get(key))
    }

    /// The record id: the string `id` field of an object (`None` for an id with a lone
    /// surrogate, which cannot name a file or a key).
    pub fn record_id(&self) -> Option<&str> {
        self.get("id").and_then(Value::as_str)
    }

    /// A short name of the JSON type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::BigInt(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) | Value::WStr(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Object(m)
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::Array(v)
    }
}
