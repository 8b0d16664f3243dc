//! The writers: ports of CPython's `json` encoder output (`_make_iterencode`, which is used
//! with `indent`, and the C encoder, which is used without it; both write the same tokens).

use crate::value::Value;

#[derive(Clone, Copy)]
pub struct Style {
    /// `indent=2` when true.
    pub indent: bool,
    /// `ensure_ascii`.
    pub ascii: bool,
    pub item_sep: &'static [u8],
    pub key_sep: &'static [u8],
}

/// `json.dumps(v, indent=2)`.
pub const INDENT2: Style = Style {
    indent: true,
    ascii: true,
    item_sep: b",",
    key_sep: b": ",
};
/// `json.dumps(v, indent=2, ensure_ascii=False)`.
pub const PRETTY: Style = Style {
    indent: true,
    ascii: false,
    item_sep: b",",
    key_sep: b": ",
};
/// `json.dumps(v)`.
pub const COMPACT: Style = Style {
    indent: false,
    ascii: true,
    item_sep: b", ",
    key_sep: b": ",
};
/// `json.dumps(v, ensure_ascii=False, separators=(",", ":"))`.
pub const LINE: Style = Style {
    indent: false,
    ascii: false,
    item_sep: b",",
    key_sep: b":",
};

pub fn write(out: &mut Vec<u8>, v: &Value, style: &Style) {
    write_value(out, v, style, 0);
}

fn newline_indent(out: &mut Vec<u8>, level: usize) {
    out.push(b'\n');
    for _ in 0..level {
        out.extend_from_slice(b"  ");
    }
}

fn write_value(out: &mut Vec<u8>, v: &Value, style: &Style, level: usize) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Int(i) => write_i64(out, *i),
        Value::BigInt(b) => out.extend_from_slice(b.to_string().as_bytes()),
        Value::Float(f) => write_json_float(out, *f),
        Value::Str(s) => write_str(out, s, style.ascii),
        Value::WStr(b) => write_wstr(out, b, style.ascii),
        Value::Array(items) => {
            if items.is_empty() {
                out.extend_from_slice(b"[]");
                return;
            }
            out.push(b'[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.extend_from_slice(style.item_sep);
                }
                if style.indent {
                    newline_indent(out, level + 1);
                }
                write_value(out, item, style, level + 1);
            }
            if style.indent {
                newline_indent(out, level);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.extend_from_slice(b"{}");
                return;
            }
            out.push(b'{');
            for (n, (k, item)) in map.iter().enumerate() {
                if n > 0 {
                    out.extend_from_slice(style.item_sep);
                }
                if style.indent {
                    newline_indent(out, level + 1);
                }
                write_str(out, k, style.ascii);
                out.extend_from_slice(style.key_sep);
                write_value(out, item, style, level + 1);
            }
            if style.indent {
                newline_indent(out, level);
            }
            out.push(b'}');
        }
    }
}

fn write_i64(out: &mut Vec<u8>, i: i64) {
    let mut buf = [0u8; 20];
    let mut n = i.unsigned_abs();
    let mut p = buf.len();
    loop {
        p -= 1;
        buf[p] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[p..]);
}

/// What the encoder writes for a float: `NaN`/`Infinity`/`-Infinity`, else `repr`.
pub fn write_json_float(out: &mut Vec<u8>, f: f64) {
    if f.is_nan() {
        out.extend_from_slice(b"NaN");
    } else if f == f64::INFINITY {
        out.extend_from_slice(b"Infinity");
    } else if f == f64::NEG_INFINITY {
        out.extend_from_slice(b"-Infinity");
    } else {
        write_float_repr_finite(out, f);
    }
}

/// Python `repr(float)` (`float_repr_style == 'short'`): the shortest digits that round-trip
/// (from ryu), positional notation for decimal exponents -4..=15, else `d.ddde±XX`.
pub fn write_float_repr(out: &mut Vec<u8>, f: f64) {
    if f.is_nan() {
        out.extend_from_slice(b"nan");
    } else if f == f64::INFINITY {
        out.extend_from_slice(b"inf");
    } else if f == f64::NEG_INFINITY {
        out.extend_from_slice(b"-inf");
    } else {
        write_float_repr_finite(out, f);
    }
}

fn write_float_repr_finite(out: &mut Vec<u8>, f: f64) {
    let mut buf = ryu::Buffer::new();
    let s = buf.format_finite(f).as_bytes();
    let (neg, s) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    // Split ryu's output ("1.5e-7", "1e16", "0.001", "123.0") into digits and exponent.
    let (mant, exp) = match s.iter().position(|&b| b == b'e' || b == b'E') {
        Some(p) => (&s[..p], parse_exp(&s[p + 1..])),
        None => (s, 0),
    };
    let mut digits = [0u8; 64];
    let mut nd = 0usize;
    let mut int_len = 0i32;
    let mut seen_point = false;
    for &b in mant {
        if b == b'.' {
            seen_point = true;
        } else if b.is_ascii_digit() {
            if nd < digits.len() {
                digits[nd] = b;
                nd += 1;
            }
            if !seen_point {
                int_len += 1;
            }
        }
    }
    // decpt: the decimal point comes after `decpt` digits.
    let mut decpt = int_len + exp;
    let mut lead = 0;
    while lead < nd && digits[lead] == b'0' {
        lead += 1;
        decpt -= 1;
    }
    let mut end = nd;
    while end > lead && digits[end - 1] == b'0' {
        end -= 1;
    }
    if neg {
        out.push(b'-');
    }
    if lead == end {
        out.extend_from_slice(b"0.0");
        return;
    }
    let d = &digits[lead..end];
    let n = d.len() as i32;
    if decpt <= -4 || decpt > 16 {
        out.push(d[0]);
        if d.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&d[1..]);
        }
        let e = decpt - 1;
        out.push(b'e');
        out.push(if e < 0 { b'-' } else { b'+' });
        let a = e.unsigned_abs();
        if a < 10 {
            out.push(b'0');
        }
        write_i64(out, i64::from(a));
    } else if decpt <= 0 {
        out.extend_from_slice(b"0.");
        for _ in 0..(-decpt) {
            out.push(b'0');
        }
        out.extend_from_slice(d);
    } else if decpt >= n {
        out.extend_from_slice(d);
        for _ in 0..(decpt - n) {
            out.push(b'0');
        }
        out.extend_from_slice(b".0");
    } else {
        let p = decpt as usize;
        out.extend_from_slice(&d[..p]);
        out.push(b'.');
        out.extend_from_slice(&d[p..]);
    }
}

fn parse_exp(s: &[u8]) -> i32 {
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    let mut e = 0i32;
    for &b in digits {
        e = e.saturating_mul(10).saturating_add(i32::from(b - b'0'));
    }
    if neg { -e } else { e }
}

/// 0: write as is; 1: needs an escape.
static ESC_UTF8: [bool; 256] = {
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

static ESC_ASCII: [bool; 256] = {
    let mut t = ESC_UTF8;
    let mut i = 0x7f;
    while i < 256 {
        t[i] = true;
        i += 1;
    }
    t
};

const HEX: &[u8; 16] = b"0123456789abcdef";

fn push_u4(out: &mut Vec<u8>, u: u32) {
    out.extend_from_slice(&[
        b'\\',
        b'u',
        HEX[((u >> 12) & 0xF) as usize],
        HEX[((u >> 8) & 0xF) as usize],
        HEX[((u >> 4) & 0xF) as usize],
        HEX[(u & 0xF) as usize],
    ]);
}

/// A JSON string: `encode_basestring_ascii` when `ascii`, else `encode_basestring`.
pub fn write_str(out: &mut Vec<u8>, s: &str, ascii: bool) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    write_str_body(out, s, ascii);
    out.push(b'"');
}

/// A string with lone surrogates (generalized UTF-8). Each surrogate is written as the escape
/// `\udXXX` in both modes: that is what `ensure_ascii=True` writes, and with
/// `ensure_ascii=False` Python would write the raw surrogate, which no UTF-8 output can hold
/// (the escape reads back as the same string).
pub fn write_wstr(out: &mut Vec<u8>, b: &[u8], ascii: bool) {
    out.push(b'"');
    let mut rest = b;
    while !rest.is_empty() {
        let (valid, tail) = match std::str::from_utf8(rest) {
            Ok(s) => (s, &rest[rest.len()..]),
            Err(e) => {
                let (v, t) = rest.split_at(e.valid_up_to());
                (std::str::from_utf8(v).unwrap_or(""), t)
            }
        };
        write_str_body(out, valid, ascii);
        rest = tail;
        if !rest.is_empty() {
            // A surrogate (3 bytes); anything else malformed is skipped byte by byte.
            let mut cps = crate::wtf8::code_points(rest);
            let cp = cps.next().unwrap_or(0xFFFD);
            let n = if crate::wtf8::is_surrogate(cp) { 3 } else { 1 };
            push_u4(out, if n == 3 { cp } else { 0xFFFD });
            rest = &rest[n.min(rest.len())..];
        }
    }
    out.push(b'"');
}

fn write_str_body(out: &mut Vec<u8>, s: &str, ascii: bool) {
    let table = if ascii { &ESC_ASCII } else { &ESC_UTF8 };
    let b = s.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if !table[c as usize] {
            i += 1;
            continue;
        }
        out.extend_from_slice(&b[run..i]);
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            0x00..=0x7f => push_u4(out, u32::from(c)),
            _ => {
                // Non-ASCII (ascii mode only): escape the whole character.
                let ch = s[i..].chars().next().unwrap_or('\u{FFFD}');
                let cp = ch as u32;
                if cp >= 0x10000 {
                    let v = cp - 0x10000;
                    push_u4(out, 0xD800 | (v >> 10));
                    push_u4(out, 0xDC00 | (v & 0x3FF));
                } else {
                    push_u4(out, cp);
                }
                i += ch.len_utf8();
                run = i;
                continue;
            }
        }
        i += 1;
        run = i;
    }
    out.extend_from_slice(&b[run..]);
}
