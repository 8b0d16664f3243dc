//! The reader: encoding detection like `json.detect_encoding`, then a byte-level port of the
//! C scanner of CPython's `_json` module (strict mode), without recursion.

use super::ParseError;
use crate::value::{Map, Value};
use num_bigint::BigInt;

/// Deepest nesting of arrays/objects we read. CPython itself gives up (RecursionError) a
/// little below 1000 levels, so everything Python can read, we can read.
pub const MAX_DEPTH: usize = 1000;

/// CPython's `sys.int_info.default_max_str_digits`: longer integer literals make
/// `json.loads` raise `ValueError`.
const MAX_INT_DIGITS: usize = 4300;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf8Sig,
    Utf16Bom,
    Utf16Le,
    Utf16Be,
    Utf32Bom,
    Utf32Le,
    Utf32Be,
}

/// `json.detect_encoding(b)`.
fn detect_encoding(b: &[u8]) -> Encoding {
    if b.starts_with(&[0x00, 0x00, 0xFE, 0xFF]) || b.starts_with(&[0xFF, 0xFE, 0x00, 0x00]) {
        return Encoding::Utf32Bom;
    }
    if b.starts_with(&[0xFE, 0xFF]) || b.starts_with(&[0xFF, 0xFE]) {
        return Encoding::Utf16Bom;
    }
    if b.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Encoding::Utf8Sig;
    }
    if b.len() >= 4 {
        if b[0] == 0 {
            return if b[1] != 0 {
                Encoding::Utf16Be
            } else {
                Encoding::Utf32Be
            };
        }
        if b[1] == 0 {
            return if b[2] != 0 || b[3] != 0 {
                Encoding::Utf16Le
            } else {
                Encoding::Utf32Le
            };
        }
    } else if b.len() == 2 {
        if b[0] == 0 {
            return Encoding::Utf16Be;
        }
        if b[1] == 0 {
            return Encoding::Utf16Le;
        }
    }
    Encoding::Utf8
}

pub fn parse_bytes(bytes: &[u8]) -> Result<Value, ParseError> {
    let (text, lone) = match detect_encoding(bytes) {
        Encoding::Utf8 => match std::str::from_utf8(bytes) {
            // The fast path: nothing to copy.
            Ok(text) => return parse_text(text, Vec::new()),
            Err(_) => decode_utf8(bytes, 0)?,
        },
        Encoding::Utf8Sig => match std::str::from_utf8(&bytes[3..]) {
            Ok(text) => return parse_text(text, Vec::new()),
            Err(_) => decode_utf8(&bytes[3..], 3)?,
        },
        Encoding::Utf16Bom => decode_utf16(&bytes[2..], bytes[0] == 0xFF, "utf-16", 2)?,
        Encoding::Utf16Le => decode_utf16(bytes, true, "utf-16-le", 0)?,
        Encoding::Utf16Be => decode_utf16(bytes, false, "utf-16-be", 0)?,
        Encoding::Utf32Bom => decode_utf32(&bytes[4..], bytes[0] == 0xFF, "utf-32", 4)?,
        Encoding::Utf32Le => decode_utf32(bytes, true, "utf-32-le", 0)?,
        Encoding::Utf32Be => decode_utf32(bytes, false, "utf-32-be", 0)?,
    };
    parse_text(&text, lone)
}

pub fn parse_str(text: &str) -> Result<Value, ParseError> {
    parse_text(text, Vec::new())
}

/// A lone surrogate: its code point and the byte offset where it is.
type Lone = Option<(u32, usize)>;

/// The lone surrogates the decoder found in the bytes (Python's 'surrogatepass'), in text
/// order: each code point and its byte offset in the decoded text, where it stands as the
/// placeholder U+FFFD (3 bytes and one character, like the surrogate itself).
type Decoded = Vec<(u32, usize)>;

/// Parse decoded text. Python accepts lone surrogates (from `\uXXXX` escapes, or decoded from
/// the bytes with 'surrogatepass'). In a string value they make a `Value::WStr`; in an object
/// key (keys are Rust `String`s) they are an error, reported only if the document is
/// otherwise valid (so every document Python rejects gets Python's own error) and only if
/// the key is in the result (its object may be the value of a key repeated later).
fn parse_text(text: &str, decoded: Decoded) -> Result<Value, ParseError> {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        pos: 0,
        scratch: String::new(),
        lone: None,
        decoded: &decoded,
        escaped_keys: None,
    };
    let v = p.parse_document()?;
    if p.lone.is_none() {
        return Ok(v);
    }
    // Rare: read again with every key escaped (injectively), then look for a surviving one.
    p.pos = 0;
    p.lone = None;
    p.escaped_keys = Some(std::collections::HashMap::new());
    let v = p.parse_document()?;
    let found = p.escaped_keys.unwrap_or_default();
    unescape_keys(v).map_err(|key| {
        let (code, at) = found.get(&key).copied().unwrap_or((0xD800, 0));
        lone_surrogate(code, text, at)
    })
}

fn lone_surrogate(code: u32, text: &str, pos: usize) -> ParseError {
    error_at(
        text,
        pos,
        format!("lone surrogate \\u{code:04x} in an object key is not supported"),
    )
}

/// UTF-8 with Python's 'surrogatepass' (only called when the input is not valid UTF-8).
fn decode_utf8(bytes: &[u8], base: usize) -> Result<(String, Decoded), ParseError> {
    let mut out = String::with_capacity(bytes.len());
    let mut lone = Decoded::new();
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(text) => {
                out.push_str(text);
                return Ok((out, lone));
            }
            Err(e) => {
                let at = e.valid_up_to();
                out.push_str(std::str::from_utf8(&rest[..at]).unwrap_or(""));
                let bad = &rest[at..];
                if bad.len() >= 3
                    && bad[0] == 0xED
                    && (0xA0..=0xBF).contains(&bad[1])
                    && (0x80..=0xBF).contains(&bad[2])
                {
                    let code = 0xD000 | (u32::from(bad[1] & 0x3F) << 6) | u32::from(bad[2] & 0x3F);
                    lone.push((code, out.len()));
                    out.push('\u{FFFD}');
                    rest = &bad[3..];
                    continue;
                }
                let reason = match e.error_len() {
                    None => "unexpected end of data",
                    Some(_) if is_utf8_start(bad[0]) => "invalid continuation byte",
                    Some(_) => "invalid start byte",
                };
                let pos = base + (bytes.len() - bad.len());
                return Err(decode_error(&out, "utf-8", bad[0], pos, reason));
            }
        }
    }
}

fn is_utf8_start(b: u8) -> bool {
    b < 0x80 || (0xC2..=0xF4).contains(&b)
}

fn decode_error(text: &str, codec: &str, byte: u8, pos: usize, reason: &str) -> ParseError {
    error_at(
        text,
        text.len(),
        format!("'{codec}' codec can't decode byte 0x{byte:02x} in position {pos}: {reason}"),
    )
}

fn decode_utf16(
    b: &[u8],
    le: bool,
    codec: &str,
    base: usize,
) -> Result<(String, Decoded), ParseError> {
    let mut out = String::with_capacity(b.len() / 2);
    let mut lone = Decoded::new();
    let unit = |i: usize| -> u16 {
        if le {
            u16::from_le_bytes([b[i], b[i + 1]])
        } else {
            u16::from_be_bytes([b[i], b[i + 1]])
        }
    };
    let n = b.len() / 2 * 2;
    let mut i = 0;
    while i < n {
        let u = unit(i);
        if (0xD800..0xDC00).contains(&u) && i + 4 <= n {
            let u2 = unit(i + 2);
            if (0xDC00..0xE000).contains(&u2) {
                let c = 0x10000 + ((u32::from(u) - 0xD800) << 10) + (u32::from(u2) - 0xDC00);
                out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                i += 4;
                continue;
            }
        }
        match char::from_u32(u32::from(u)) {
            Some(c) => out.push(c),
            None => {
                lone.push((u32::from(u), out.len()));
                out.push('\u{FFFD}');
            }
        }
        i += 2;
    }
    if n != b.len() {
        return Err(decode_error(&out, codec, b[n], base + n, "truncated data"));
    }
    Ok((out, lone))
}

fn decode_utf32(
    b: &[u8],
    le: bool,
    codec: &str,
    base: usize,
) -> Result<(String, Decoded), ParseError> {
    let mut out = String::with_capacity(b.len() / 4);
    let mut lone = Decoded::new();
    let n = b.len() / 4 * 4;
    let mut i = 0;
    while i < n {
        let q = [b[i], b[i + 1], b[i + 2], b[i + 3]];
        let c = if le {
            u32::from_le_bytes(q)
        } else {
            u32::from_be_bytes(q)
        };
        match char::from_u32(c) {
            Some(ch) => out.push(ch),
            None if (0xD800..0xE000).contains(&c) => {
                lone.push((c, out.len()));
                out.push('\u{FFFD}');
            }
            None => {
                return Err(error_at(
                    &out,
                    out.len(),
                    format!(
                        "'{codec}' codec can't decode bytes in position {}-{}: code point not in range(0x110000)",
                        base + i,
                        base + i + 3
                    ),
                ));
            }
        }
        i += 4;
    }
    if n != b.len() {
        return Err(decode_error(&out, codec, b[n], base + n, "truncated data"));
    }
    Ok((out, lone))
}

/// Python's `JSONDecodeError` position: line = newlines before + 1, column = characters since
/// the last newline + 1 (both counted in characters of the decoded text).
fn error_at(text: &str, pos: usize, message: String) -> ParseError {
    let mut pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    let before = &text.as_bytes()[..pos];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = text[line_start..pos].chars().count() + 1;
    ParseError {
        message,
        line,
        column,
    }
}

/// Bytes that end a plain run inside a string: `"`, `\` and control characters.
static STRING_STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// The index of the first byte at or after `i` that ends a plain string run (`"`, `\\` or a
/// control character), or `s.len()`. Eight bytes at a time (SWAR), then byte by byte.
#[inline]
fn skip_plain(s: &[u8], mut i: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = s.get(i..i + 8) {
        let w = match <[u8; 8]>::try_from(chunk) {
            Ok(a) => u64::from_le_bytes(a),
            Err(_) => break,
        };
        let q = w ^ (LO * u64::from(b'"'));
        let b = w ^ (LO * u64::from(b'\\'));
        // A byte is flagged when it is zero (after the xor) or below 0x20; the lowest flagged
        // byte is always a true match (borrows only propagate upwards).
        let mask = ((q.wrapping_sub(LO) & !q)
            | (b.wrapping_sub(LO) & !b)
            | (w.wrapping_sub(LO * 0x20) & !w))
            & HI;
        if mask != 0 {
            return i + (mask.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < s.len() && !STRING_STOP[s[i] as usize] {
        i += 1;
    }
    i
}

enum Frame {
    Array(Vec<Value>),
    Object(Map, String),
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    scratch: String,
    /// The first lone surrogate in an object key (an error once the document is read).
    lone: Lone,
    decoded: &'a [(u32, usize)],
    /// Second reading only: keys escaped with [`escape_key`], with the first lone surrogate
    /// of each such key.
    escaped_keys: Option<std::collections::HashMap<String, (u32, usize)>>,
}

impl<'a> Parser<'a> {
    fn err(&self, message: &str, pos: usize) -> ParseError {
        error_at(self.text, pos, message.to_string())
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(&b) = self.s.get(self.pos) {
            if b == b' ' || b == b'\n' || b == b'\r' || b == b'\t' {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn parse_document(&mut self) -> Result<Value, ParseError> {
        self.skip_ws();
        let v = self.parse_value()?;
        self.skip_ws();
        if self.pos != self.s.len() {
            return Err(self.err("Extra data", self.pos));
        }
        Ok(v)
    }

    fn depth_error(&self) -> ParseError {
        self.err(
            &format!("nesting deeper than {MAX_DEPTH} levels is not supported"),
            self.pos,
        )
    }

    /// `"key"` `:` and the whitespace after it; `self.pos` is at the opening quote.
    fn parse_key(&mut self) -> Result<String, ParseError> {
        if self.peek() != Some(b'"') {
            return Err(self.err(
                "Expecting property name enclosed in double quotes",
                self.pos,
            ));
        }
        let begin = self.pos;
        let key = self.parse_string()?;
        let key = self.key_done(begin, key);
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.err("Expecting ':' delimiter", self.pos));
        }
        self.pos += 1;
        self.skip_ws();
        Ok(key)
    }

    /// One value starting at `self.pos` (no leading whitespace), iteratively.
    fn parse_value(&mut self) -> Result<Value, ParseError> {
        let mut stack: Vec<Frame> = Vec::new();
        'value: loop {
            let mut v = match self.peek() {
                Some(b'[') => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(self.depth_error());
                    }
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        Value::Array(Vec::new())
                    } else {
                        stack.push(Frame::Array(Vec::new()));
                        continue 'value;
                    }
                }
                Some(b'{') => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(self.depth_error());
                    }
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        Value::Object(Map::new())
                    } else {
                        let key = self.parse_key()?;
                        stack.push(Frame::Object(Map::new(), key));
                        continue 'value;
                    }
                }
                Some(b'"') => self.parse_string_value()?,
                _ => self.parse_scalar()?,
            };
            // A complete value: hand it to the enclosing containers.
            loop {
                match stack.last_mut() {
                    None => return Ok(v),
                    Some(Frame::Array(items)) => {
                        items.push(v);
                        self.skip_ws();
                        match self.peek() {
                            Some(b']') => {
                                self.pos += 1;
                                match stack.pop() {
                                    Some(Frame::Array(items)) => v = Value::Array(items),
                                    _ => return Err(self.err("internal parser error", self.pos)),
                                }
                            }
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_ws();
                                continue 'value;
                            }
                            _ => return Err(self.err("Expecting ',' delimiter", self.pos)),
                        }
                    }
                    Some(Frame::Object(map, key)) => {
                        // Python dict semantics: a repeated key keeps its first position and
                        // takes the last value (IndexMap::insert does exactly that).
                        map.insert(std::mem::take(key), v);
                        self.skip_ws();
                        match self.peek() {
                            Some(b'}') => {
                                self.pos += 1;
                                match stack.pop() {
                                    Some(Frame::Object(map, _)) => v = Value::Object(map),
                                    _ => return Err(self.err("internal parser error", self.pos)),
                                }
                            }
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_ws();
                                let k = self.parse_key()?;
                                if let Some(Frame::Object(_, key)) = stack.last_mut() {
                                    *key = k;
                                }
                                continue 'value;
                            }
                            _ => return Err(self.err("Expecting ',' delimiter", self.pos)),
                        }
                    }
                }
            }
        }
    }

    /// null/true/false/NaN/Infinity/-Infinity or a number (`_match_number_unicode`).
    fn parse_scalar(&mut self) -> Result<Value, ParseError> {
        let start = self.pos;
        let rest = &self.s[start..];
        let lit = |word: &[u8], v: Value| -> Option<(Value, usize)> {
            if rest.starts_with(word) {
                Some((v, word.len()))
            } else {
                None
            }
        };
        let found = match rest.first() {
            None => None,
            Some(b'n') => lit(b"null", Value::Null),
            Some(b't') => lit(b"true", Value::Bool(true)),
            Some(b'f') => lit(b"false", Value::Bool(false)),
            Some(b'N') => lit(b"NaN", Value::Float(f64::NAN)),
            Some(b'I') => lit(b"Infinity", Value::Float(f64::INFINITY)),
            Some(b'-') => lit(b"-Infinity", Value::Float(f64::NEG_INFINITY)),
            _ => None,
        };
        if let Some((v, n)) = found {
            self.pos += n;
            return Ok(v);
        }
        self.parse_number()
    }

    fn parse_number(&mut self) -> Result<Value, ParseError> {
        let s = self.s;
        let len = s.len();
        let start = self.pos;
        let digit = |i: usize| i < len && s[i].is_ascii_digit();
        let mut i = start;
        if i < len && s[i] == b'-' {
            i += 1;
        }
        if i >= len {
            return Err(self.err("Expecting value", start));
        }
        let int_start = i;
        match s[i] {
            b'1'..=b'9' => {
                i += 1;
                while digit(i) {
                    i += 1;
                }
            }
            b'0' => i += 1,
            _ => return Err(self.err("Expecting value", start)),
        }
        let int_end = i;
        let mut is_float = false;
        if i + 1 < len && s[i] == b'.' && s[i + 1].is_ascii_digit() {
            is_float = true;
            i += 2;
            while digit(i) {
                i += 1;
            }
        }
        if i + 1 < len && (s[i] == b'e' || s[i] == b'E') {
            let e_start = i;
            i += 1;
            if i + 1 < len && (s[i] == b'-' || s[i] == b'+') {
                i += 1;
            }
            while digit(i) {
                i += 1;
            }
            if s[i - 1].is_ascii_digit() {
                is_float = true;
            } else {
                i = e_start;
            }
        }
        self.pos = i;
        let token = &self.text[start..i];
        if is_float {
            return match token.parse::<f64>() {
                Ok(f) => Ok(Value::Float(f)),
                Err(_) => Err(self.err("invalid float literal", start)),
            };
        }
        let ndigits = int_end - int_start;
        if ndigits <= 18 {
            let mut n: i64 = 0;
            for &b in &s[int_start..int_end] {
                n = n * 10 + i64::from(b - b'0');
            }
            return Ok(Value::Int(if int_start > start { -n } else { n }));
        }
        if ndigits > MAX_INT_DIGITS {
            return Err(self.err(
                &format!(
                    "Exceeds the limit ({MAX_INT_DIGITS} digits) for integer string conversion: \
                     value has {ndigits} digits; use sys.set_int_max_str_digits() to increase the limit"
                ),
                start,
            ));
        }
        match token.parse::<BigInt>() {
            Ok(b) => Ok(Value::from_bigint(b)),
            Err(_) => Err(self.err("invalid integer literal", start)),
        }
    }

    /// A string starting at the opening quote (`scanstring_unicode`, strict).
    fn parse_string(&mut self) -> Result<String, ParseError> {
        let s = self.s;
        let len = s.len();
        let begin = self.pos;
        let mut i = begin + 1;
        let mut run = i;
        let mut escaped = false;
        self.scratch.clear();
        loop {
            i = skip_plain(s, i);
            if i >= len {
                return Err(self.err("Unterminated string starting at", begin));
            }
            let c = s[i];
            if c == b'"' {
                self.pos = i + 1;
                if !escaped {
                    return Ok(self.text[run..i].to_string());
                }
                self.scratch.push_str(&self.text[run..i]);
                return Ok(std::mem::take(&mut self.scratch));
            }
            if c != b'\\' {
                return Err(self.err("Invalid control character at", i));
            }
            // A backslash escape.
            if !escaped {
                escaped = true;
                self.scratch.reserve(i - run + 16);
            }
            self.scratch.push_str(&self.text[run..i]);
            let bs = i;
            i += 1;
            if i >= len {
                return Err(self.err("Unterminated string starting at", begin));
            }
            let e = s[i];
            if e != b'u' {
                let ch = match e {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    _ => return Err(self.err("Invalid \\escape", bs)),
                };
                self.scratch.push(ch);
                i += 1;
                run = i;
                continue;
            }
            // \uXXXX
            let u_pos = i;
            let first = i + 1;
            let mut end = first + 4;
            if end >= len {
                return Err(self.err("Invalid \\uXXXX escape", u_pos));
            }
            let mut code = match hex4(&s[first..end]) {
                Some(c) => c,
                None => return Err(self.err("Invalid \\uXXXX escape", u_pos)),
            };
            if (0xD800..0xDC00).contains(&code)
                && end + 6 < len
                && s[end] == b'\\'
                && s[end + 1] == b'u'
            {
                let c2 = match hex4(&s[end + 2..end + 6]) {
                    Some(c) => c,
                    None => return Err(self.err("Invalid \\uXXXX escape", end + 1)),
                };
                if (0xDC00..0xE000).contains(&c2) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (c2 - 0xDC00);
                    end += 6;
                }
            }
            match char::from_u32(code) {
                Some(ch) => self.scratch.push(ch),
                None => {
                    // A `WStr` for a value (see `parse_string_value`), an error for a key.
                    self.lone.get_or_insert((code, bs));
                    self.scratch.push('\u{FFFD}');
                }
            }
            i = end;
            run = i;
        }
    }
}

impl Parser<'_> {
    /// A key just read by `parse_string` from `text[begin..self.pos]`: note its first lone
    /// surrogate; on the second reading, return it escaped.
    fn key_done(&mut self, begin: usize, key: String) -> String {
        if let Some(&d) = self.decoded_in(begin, self.pos).first() {
            self.lone.get_or_insert(d);
        }
        if self.escaped_keys.is_none() {
            return key;
        }
        let bytes = self.rescan_wtf8(begin, self.pos);
        let escaped = escape_key(&bytes);
        if let Some(code) = crate::wtf8::code_points(&bytes).find(|&c| crate::wtf8::is_surrogate(c))
            && let Some(map) = self.escaped_keys.as_mut()
        {
            map.entry(escaped.clone()).or_insert((code, begin));
        }
        escaped
    }

    /// The decoded lone surrogates between byte offsets `begin` and `end`.
    fn decoded_in(&self, begin: usize, end: usize) -> &[(u32, usize)] {
        if self.decoded.is_empty() {
            return &[];
        }
        let a = self.decoded.partition_point(|&(_, p)| p < begin);
        let b = self.decoded.partition_point(|&(_, p)| p < end);
        &self.decoded[a..b]
    }

    /// A string value: `Str`, or `WStr` when it holds a lone surrogate (from a `\uXXXX`
    /// escape or from the bytes).
    fn parse_string_value(&mut self) -> Result<Value, ParseError> {
        let begin = self.pos;
        let key_lone = self.lone.take();
        let s = self.parse_string()?;
        let escaped_lone = std::mem::replace(&mut self.lone, key_lone).is_some();
        if !escaped_lone && self.decoded_in(begin, self.pos).is_empty() {
            return Ok(Value::Str(s));
        }
        Ok(Value::from_wtf8(self.rescan_wtf8(begin, self.pos)))
    }

    /// The generalized UTF-8 of the string literal `text[begin..end]`, already checked by
    /// `parse_string`: the same escapes (a `\uXXXX` high surrogate combines with a directly
    /// following `\uXXXX` low one, nothing else combines), with the decoded surrogates put back
    /// in place of their U+FFFD placeholders.
    fn rescan_wtf8(&self, begin: usize, end: usize) -> Vec<u8> {
        let s = self.s;
        let len = s.len();
        let last = end.saturating_sub(1).max(begin + 1);
        let mut out = Vec::with_capacity(end - begin);
        let mut decoded = self.decoded_in(begin, end).iter().peekable();
        let mut i = begin + 1;
        while i < last {
            if let Some(&&(code, at)) = decoded.peek()
                && at == i
            {
                crate::wtf8::push_code_point(&mut out, code);
                decoded.next();
                i += 3;
                continue;
            }
            if s[i] != b'\\' {
                out.push(s[i]);
                i += 1;
                continue;
            }
            let e = s.get(i + 1).copied().unwrap_or(b'\\');
            let simple = match e {
                b'b' => Some(0x08),
                b'f' => Some(0x0c),
                b'n' => Some(b'\n'),
                b'r' => Some(b'\r'),
                b't' => Some(b'\t'),
                b'u' => None,
                other => Some(other),
            };
            if let Some(c) = simple {
                out.push(c);
                i += 2;
                continue;
            }
            let first = i + 2;
            let mut stop = first + 4;
            let mut code = s.get(first..stop).and_then(hex4).unwrap_or(0xFFFD);
            if (0xD800..0xDC00).contains(&code)
                && stop + 6 < len
                && s[stop] == b'\\'
                && s[stop + 1] == b'u'
                && let Some(c2) = hex4(&s[stop + 2..stop + 6])
                && (0xDC00..0xE000).contains(&c2)
            {
                code = 0x10000 + ((code - 0xD800) << 10) + (c2 - 0xDC00);
                stop += 6;
            }
            crate::wtf8::push_code_point(&mut out, code);
            i = stop;
        }
        out
    }
}

/// An injective `String` form of a key in generalized UTF-8: `\` doubled, a lone surrogate
/// as `\udXXX`.
fn escape_key(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    for c in crate::wtf8::code_points(b) {
        match char::from_u32(c) {
            Some('\\') => out.push_str("\\\\"),
            Some(ch) => out.push(ch),
            None => out.push_str(&format!("\\u{c:04x}")),
        }
    }
    out
}

/// Undo [`escape_key`] on every key; `Err(key)` for the first key (in document order) that
/// holds a lone surrogate.
fn unescape_keys(v: Value) -> Result<Value, String> {
    match v {
        Value::Array(items) => items
            .into_iter()
            .map(unescape_keys)
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Value::Object(m) => {
            let mut out = Map::with_capacity(m.len());
            for (k, v) in m {
                if k.contains("\\u") && k.replace("\\\\", "").contains("\\u") {
                    return Err(k);
                }
                out.insert(k.replace("\\\\", "\\"), unescape_keys(v)?);
            }
            Ok(Value::Object(out))
        }
        other => Ok(other),
    }
}

fn hex4(b: &[u8]) -> Option<u32> {
    let mut c = 0u32;
    for &d in b {
        let v = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            b'A'..=b'F' => d - b'A' + 10,
            _ => return None,
        };
        c = (c << 4) | u32::from(v);
    }
    Some(c)
}
