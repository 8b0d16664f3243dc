//! `$regex` for the jvspatial dialect: jvspatial 0.2.2 calls the third-party Python `regex`
//! module (V0 syntax) as `regex.search(pattern, value, flags, timeout=0.005)`. This translates
//! the V0 pattern syntax to fancy-regex syntax where the two differ, and reports patterns that
//! Python rejects (`regex.error`) as `Invalid` so the caller can return False like Python.
//!
//! Differences handled: `\Z`/`\z` (end of string), `$` (end or before a final newline unless
//! MULTILINE), inline flags anywhere apply to the whole pattern (V0), `{` that does not start
//! a valid quantifier is a literal, `{,n}`, `[` / `&&` / `--` / `~~` are literals inside sets,
//! superfluous escapes of punctuation, octal/`\x`/`\u`/`\U` escapes, `\m` `\M` `\G` `\K`,
//! `(?#…)` comments, `(?<name>…)` groups. Not reproduced: `\N{name}`, `\X` (approximated),
//! `(?a)`/`(?L)` ASCII/locale modes, variable-length look-behind (fancy-regex limit), and the
//! 5 ms wall-clock timeout (approximated by a backtracking budget).

use fancy_regex::{Regex, RegexBuilder};

/// Backtracking budget standing in for Python's 5 ms timeout.
const BACKTRACK_LIMIT: usize = 200_000;

#[derive(Debug)]
pub enum Compiled {
    /// Python would compile this pattern.
    Ok(Box<Regex>),
    /// Python raises `regex.error` (or we cannot translate it): the condition is False.
    Invalid,
}

impl Compiled {
    /// `regex.search(...) is not None`; a timeout (backtracking budget) is False like Python.
    pub fn search(&self, text: &str) -> bool {
        match self {
            Compiled::Ok(re) => re.is_match(text).unwrap_or(false),
            Compiled::Invalid => false,
        }
    }
}

pub fn compile(pattern: &str, ignore_case: bool) -> Compiled {
    let Some(t) = translate(pattern) else {
        return Compiled::Invalid;
    };
    let mut b = RegexBuilder::new(&t.pattern);
    b.case_insensitive(ignore_case || t.flag_i)
        .multi_line(t.flag_m)
        .dot_matches_new_line(t.flag_s)
        .backtrack_limit(BACKTRACK_LIMIT);
    match b.build() {
        Ok(re) => Compiled::Ok(Box::new(re)),
        Err(_) => Compiled::Invalid,
    }
}

struct Translated {
    pattern: String,
    flag_i: bool,
    flag_m: bool,
    flag_s: bool,
}

fn hex_lit(c: char) -> String {
    format!("\\x{{{:X}}}", c as u32)
}

/// A literal char as fancy-regex syntax (safe inside and outside sets).
fn lit(c: char) -> String {
    if c.is_ascii_alphanumeric() || (!c.is_ascii() && !c.is_whitespace()) {
        c.to_string()
    } else {
        hex_lit(c)
    }
}

struct P<'a> {
    s: &'a [char],
    i: usize,
}

impl P<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }
    fn at(&self, k: usize) -> Option<char> {
        self.s.get(self.i + k).copied()
    }
}

/// Pre-scan for V0 global inline flags (a `(?flags)` group anywhere applies to everything).
fn global_flags(s: &[char]) -> Option<(bool, bool, bool, bool)> {
    let (mut i_, mut m_, mut s_, mut x_) = (false, false, false, false);
    let mut k = 0;
    let mut in_set = false;
    while k < s.len() {
        let c = s[k];
        if c == '\\' {
            k += 2;
            continue;
        }
        if in_set {
            if c == ']' {
                in_set = false;
            }
            k += 1;
            continue;
        }
        if c == '[' {
            in_set = true;
            k += 1;
            if s.get(k) == Some(&'^') {
                k += 1;
            }
            if s.get(k) == Some(&']') {
                k += 1;
            }
            continue;
        }
        if c == '(' && s.get(k + 1) == Some(&'?') {
            let mut j = k + 2;
            let mut letters = Vec::new();
            while let Some(&ch) = s.get(j) {
                if ch.is_ascii_alphabetic() || ch.is_ascii_digit() || ch == '-' {
                    letters.push(ch);
                    j += 1;
                } else {
                    break;
                }
            }
            if s.get(j) == Some(&')') && !letters.is_empty() {
                for ch in letters {
                    match ch {
                        'i' => i_ = true,
                        'm' => m_ = true,
                        's' => s_ = true,
                        'x' => x_ = true,
                        'u' | 'V' | '0' => {}
                        _ => return None,
                    }
                }
            }
        }
        k += 1;
    }
    Some((i_, m_, s_, x_))
}

fn translate(pattern: &str) -> Option<Translated> {
    let chars: Vec<char> = pattern.chars().collect();
    let (flag_i, flag_m, flag_s, flag_x) = global_flags(&chars)?;
    if flag_x {
        // Verbose mode has its own whitespace/comment rules; not translated.
        return None;
    }
    let mut p = P { s: &chars, i: 0 };
    let mut out = String::new();
    let mut groups = 0usize;
    // Whether the previous item can take a quantifier (for `{` literal detection).
    let mut can_repeat = false;
    while let Some(c) = p.peek() {
        match c {
            '\\' => {
                p.i += 1;
                let e = p.peek()?;
                p.i += 1;
                can_repeat = true;
                match e {
                    'd' | 'D' | 'w' | 'W' | 's' | 'S' | 'b' | 'B' | 'A' => {
                        out.push('\\');
                        out.push(e);
                        if matches!(e, 'b' | 'B' | 'A') {
                            can_repeat = false;
                        }
                    }
                    'Z' | 'z' => {
                        out.push_str("\\z");
                        can_repeat = false;
                    }
                    'G' => {
                        out.push_str("\\A");
                        can_repeat = false;
                    }
                    'K' => {
                        can_repeat = false;
                    }
                    'm' => {
                        out.push_str("\\b(?=\\w)");
                        can_repeat = false;
                    }
                    'M' => {
                        out.push_str("\\b(?<=\\w)");
                        can_repeat = false;
                    }
                    'X' => out.push_str("(?:(?s:.)\\p{M}*)"),
                    'p' | 'P' => {
                        out.push('\\');
                        out.push(e);
                        if p.peek() == Some('{') {
                            while let Some(ch) = p.peek() {
                                out.push(ch);
                                p.i += 1;
                                if ch == '}' {
                                    break;
                                }
                            }
                        } else {
                            out.push(p.peek()?);
                            p.i += 1;
                        }
                    }
                    '1'..='9' => {
                        let mut n = e.to_digit(10)? as usize;
                        if let Some(d) = p.peek().and_then(|d| d.to_digit(10)) {
                            n = n * 10 + d as usize;
                            p.i += 1;
                        }
                        if n > groups {
                            return None;
                        }
                        out.push_str(&format!("\\{n}"));
                    }
                    _ => out.push_str(&lit(escape_char(&mut p, e, false)?)),
                }
            }
            '[' => {
                p.i += 1;
                out.push_str(&set(&mut p)?);
                can_repeat = true;
            }
            '{' => {
                if let Some((q, len)) = quantifier(&chars[p.i..]) {
                    if !can_repeat || q.starts_with('\u{0}') {
                        return None;
                    }
                    out.push_str(&q);
                    p.i += len;
                    // A lazy or possessive suffix.
                    if matches!(p.peek(), Some('?') | Some('+')) {
                        out.push(p.peek()?);
                        p.i += 1;
                    }
                    can_repeat = false;
                } else {
                    out.push_str(&lit('{'));
                    p.i += 1;
                    can_repeat = true;
                }
            }
            '$' => {
                p.i += 1;
                if flag_m {
                    out.push('$');
                } else {
                    out.push_str("(?=\\n?\\z)");
                }
                can_repeat = false;
            }
            '(' => {
                p.i += 1;
                can_repeat = false;
                if p.peek() == Some('?') {
                    p.i += 1;
                    match p.peek()? {
                        ':' | '=' | '!' | '>' => {
                            out.push_str("(?");
                            out.push(p.peek()?);
                            p.i += 1;
                        }
                        '#' => {
                            while p.peek()? != ')' {
                                p.i += 1;
                            }
                            p.i += 1;
                        }
                        '<' if matches!(p.at(1), Some('=') | Some('!')) => {
                            out.push_str("(?<");
                            out.push(p.at(1)?);
                            p.i += 2;
                        }
                        '<' | 'P' => {
                            if p.peek() == Some('P') {
                                p.i += 1;
                                if p.peek() == Some('=') {
                                    // (?P=name) back reference.
                                    p.i += 1;
                                    let mut name = String::new();
                                    while p.peek()? != ')' {
                                        name.push(p.peek()?);
                                        p.i += 1;
                                    }
                                    p.i += 1;
                                    out.push_str(&format!("\\k<{name}>"));
                                    can_repeat = true;
                                    continue;
                                }
                                if p.peek() != Some('<') {
                                    return None;
                                }
                            }
                            p.i += 1;
                            let mut name = String::new();
                            while p.peek()? != '>' {
                                name.push(p.peek()?);
                                p.i += 1;
                            }
                            p.i += 1;
                            groups += 1;
                            out.push_str(&format!("(?P<{name}>"));
                        }
                        _ => {
                            // Flags: global `(?i)` (already applied) or scoped `(?i:...)`.
                            let mut letters = String::new();
                            while let Some(ch) = p.peek() {
                                if ch.is_ascii_alphanumeric() || ch == '-' {
                                    letters.push(ch);
                                    p.i += 1;
                                } else {
                                    break;
                                }
                            }
                            let ok = letters
                                .chars()
                                .all(|ch| matches!(ch, 'i' | 'm' | 's' | '-' | 'u'));
                            if !ok {
                                return None;
                            }
                            match p.peek()? {
                                ')' => {
                                    p.i += 1;
                                }
                                ':' => {
                                    p.i += 1;
                                    out.push_str("(?");
                                    out.push_str(&letters.replace('u', ""));
                                    out.push(':');
                                }
                                _ => return None,
                            }
                        }
                    }
                } else {
                    groups += 1;
                    out.push('(');
                }
            }
            ')' => {
                p.i += 1;
                out.push(')');
                can_repeat = true;
            }
            '*' | '+' | '?' => {
                p.i += 1;
                out.push(c);
                if can_repeat {
                    if matches!(p.peek(), Some('?') | Some('+')) {
                        out.push(p.peek()?);
                        p.i += 1;
                    }
                    can_repeat = false;
                } else {
                    return None;
                }
            }
            '|' => {
                p.i += 1;
                out.push('|');
                can_repeat = false;
            }
            '^' => {
                p.i += 1;
                out.push('^');
                can_repeat = false;
            }
            '.' => {
                p.i += 1;
                out.push('.');
                can_repeat = true;
            }
            _ => {
                p.i += 1;
                out.push_str(&lit(c));
                can_repeat = true;
            }
        }
    }
    Some(Translated {
        pattern: out,
        flag_i,
        flag_m,
        flag_s,
    })
}

/// `{m}`, `{m,}`, `{,n}`, `{m,n}` (digits only) → (fancy syntax, length consumed).
fn quantifier(s: &[char]) -> Option<(String, usize)> {
    let end = s.iter().position(|&c| c == '}')?;
    let body: String = s[1..end].iter().collect();
    let (lo, hi) = match body.split_once(',') {
        Some((a, b)) => (a.to_string(), Some(b.to_string())),
        None => (body.clone(), None),
    };
    let digits = |x: &str| x.chars().all(|c| c.is_ascii_digit());
    if !digits(&lo) || !hi.as_deref().is_none_or(digits) {
        return None;
    }
    if lo.is_empty() && hi.as_deref().is_none_or(str::is_empty) {
        return None;
    }
    let lo_n: u64 = if lo.is_empty() { 0 } else { lo.parse().ok()? };
    let q = match hi {
        None => format!("{{{lo_n}}}"),
        Some(h) if h.is_empty() => format!("{{{lo_n},}}"),
        Some(h) => {
            let hi_n: u64 = h.parse().ok()?;
            if hi_n < lo_n {
                return Some(("\u{0}INVALID".into(), end + 1));
            }
            format!("{{{lo_n},{hi_n}}}")
        }
    };
    Some((q, end + 1))
}

/// The char of a simple escape `\e` (already consumed), or None when Python rejects it.
fn escape_char(p: &mut P, e: char, in_set: bool) -> Option<char> {
    let hex = |p: &mut P, n: usize| -> Option<char> {
        let mut v = 0u32;
        for _ in 0..n {
            v = v * 16 + p.peek()?.to_digit(16)?;
            p.i += 1;
        }
        char::from_u32(v)
    };
    Some(match e {
        'a' => '\u{7}',
        'b' if in_set => '\u{8}',
        'f' => '\u{c}',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\u{b}',
        'x' => hex(p, 2)?,
        'u' => hex(p, 4)?,
        'U' => hex(p, 8)?,
        '0'..='7' if e == '0' || in_set => {
            let mut v = e.to_digit(8)?;
            for _ in 0..2 {
                match p.peek().and_then(|d| d.to_digit(8)) {
                    Some(d) => {
                        v = v * 8 + d;
                        p.i += 1;
                    }
                    None => break,
                }
            }
            char::from_u32(v)?
        }
        c if c.is_ascii_alphanumeric() => return None,
        c => c,
    })
}

/// A V0 character set, after the opening `[`.
fn set(p: &mut P) -> Option<String> {
    let mut out = String::from("[");
    if p.peek() == Some('^') {
        out.push('^');
        p.i += 1;
    }
    let mut first = true;
    let mut items = 0;
    loop {
        let c = p.peek()?;
        if c == ']' && !first {
            p.i += 1;
            break;
        }
        first = false;
        // One item: a class escape or a (possibly ranged) char.
        let lo = match c {
            '\\' => {
                p.i += 1;
                let e = p.peek()?;
                p.i += 1;
                match e {
                    'd' | 'D' | 'w' | 'W' | 's' | 'S' => {
                        out.push('\\');
                        out.push(e);
                        items += 1;
                        continue;
                    }
                    'p' | 'P' => {
                        out.push('\\');
                        out.push(e);
                        if p.peek() == Some('{') {
                            while let Some(ch) = p.peek() {
                                out.push(ch);
                                p.i += 1;
                                if ch == '}' {
                                    break;
                                }
                            }
                        } else {
                            out.push(p.peek()?);
                            p.i += 1;
                        }
                        items += 1;
                        continue;
                    }
                    _ => escape_char(p, e, true)?,
                }
            }
            _ => {
                p.i += 1;
                c
            }
        };
        if p.peek() == Some('-') && p.at(1).is_some_and(|n| n != ']') {
            p.i += 1;
            let hc = p.peek()?;
            p.i += 1;
            let hi = if hc == '\\' {
                let e = p.peek()?;
                p.i += 1;
                if matches!(e, 'd' | 'D' | 'w' | 'W' | 's' | 'S' | 'p' | 'P') {
                    return None;
                }
                escape_char(p, e, true)?
            } else {
                hc
            };
            if hi < lo {
                return None;
            }
            out.push_str(&hex_lit(lo));
            out.push('-');
            out.push_str(&hex_lit(hi));
        } else {
            out.push_str(&hex_lit(lo));
        }
        items += 1;
    }
    if items == 0 {
        return None;
    }
    out.push(']');
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        compile(p, false).search(t)
    }

    #[test]
    fn v0_syntax() {
        assert!(m("^Par", "Paris"));
        assert!(m("is$", "Paris\n"));
        assert!(!m("is$", "Paris\nx"));
        assert!(m("s\\Z", "Paris"));
        assert!(!m("s\\Z", "Paris\n"));
        assert!(m("a{", "a{"));
        assert!(m("x{,2}y", "xxy"));
        assert!(m("[[]", "["));
        assert!(m("[a&&b]", "&"));
        assert!(m("[]a]", "]"));
        assert!(m("a(?i)B", "Ab"));
        assert!(m("(?P<n>a)(?P=n)", "aa"));
        assert!(m("\\x41", "A"));
        assert!(m("\\<", "<"));
        assert!(!m("\\<", "a"));
        assert!(matches!(compile("\\q", false), Compiled::Invalid));
        assert!(matches!(compile("[z-a]", false), Compiled::Invalid));
        assert!(matches!(compile("[]", false), Compiled::Invalid));
        assert!(matches!(compile("(a)\\2", false), Compiled::Invalid));
        assert!(matches!(compile("a**", false), Compiled::Invalid));
        assert!(matches!(compile("a{3,2}", false), Compiled::Invalid));
        assert!(!m("PARIS", "paris") && compile("PARIS", true).search("paris"));
    }
}
