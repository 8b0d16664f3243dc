//! Strings with lone surrogates, as Python's `json.loads` can produce them (`"a\ud800b"`).
//!
//! They are held as *generalized UTF-8* (WTF-8 without the pairing rule): every code point,
//! a surrogate U+D800..U+DFFF included, is encoded on its own the way UTF-8 would encode it
//! (a surrogate as the 3 bytes `ED A0..BF 80..BF`). A high surrogate followed by a low one
//! stays two code points, as in a Python `str` built from `"\ud800" + "\udc00"`. Because every
//! code point is encoded independently and order-preservingly, comparing the bytes compares
//! the code points (Python's `str` order), and a byte substring is a code-point substring.
//!
//! Such bytes live in [`Value::WStr`](crate::value::Value::WStr) only when they hold at least
//! one surrogate; valid UTF-8 is always `Value::Str`.

/// Append code point `cp` (any value below 0x110000, surrogates included).
pub fn push_code_point(out: &mut Vec<u8>, cp: u32) {
    if let Some(c) = char::from_u32(cp) {
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    } else if (0xD800..0xE000).contains(&cp) {
        out.extend_from_slice(&[
            0xE0 | (cp >> 12) as u8,
            0x80 | ((cp >> 6) & 0x3F) as u8,
            0x80 | (cp & 0x3F) as u8,
        ]);
    } else {
        out.extend_from_slice("\u{FFFD}".as_bytes());
    }
}

/// Is `cp` a surrogate code point?
pub fn is_surrogate(cp: u32) -> bool {
    (0xD800..0xE000).contains(&cp)
}

/// The code points of generalized UTF-8 bytes. Malformed bytes (never produced by jvdb)
/// decode as U+FFFD, one per byte.
pub fn code_points(b: &[u8]) -> CodePoints<'_> {
    CodePoints { b, i: 0 }
}

pub struct CodePoints<'a> {
    b: &'a [u8],
    i: usize,
}

impl Iterator for CodePoints<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        let b = self.b;
        let lead = *b.get(self.i)?;
        let (n, init) = match lead {
            0x00..=0x7F => (1, u32::from(lead)),
            0xC2..=0xDF => (2, u32::from(lead & 0x1F)),
            0xE0..=0xEF => (3, u32::from(lead & 0x0F)),
            0xF0..=0xF4 => (4, u32::from(lead & 0x07)),
            _ => (0, 0),
        };
        let cont = b.get(self.i + 1..self.i + n.max(1));
        match cont {
            Some(c) if n > 0 && c.iter().all(|&x| x & 0xC0 == 0x80) => {
                self.i += n;
                Some(
                    c.iter()
                        .fold(init, |acc, &x| (acc << 6) | u32::from(x & 0x3F)),
                )
            }
            _ => {
                self.i += 1;
                Some(0xFFFD)
            }
        }
    }
}

/// `len(s)`: the number of code points.
pub fn len(b: &[u8]) -> usize {
    code_points(b).count()
}

/// The text with every surrogate replaced by U+FFFD.
pub fn to_string_lossy(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => code_points(b)
            .map(|c| char::from_u32(c).unwrap_or('\u{FFFD}'))
            .collect(),
    }
}

/// The text with every surrogate written as the escape `\udXXX` (what `repr` and the JSON
/// writers show); other characters are kept. For messages.
pub fn to_string_escaped(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    for c in code_points(b) {
        match char::from_u32(c) {
            Some(ch) => out.push(ch),
            None => out.push_str(&format!("\\u{c:04x}")),
        }
    }
    out
}

/// One code point as a string value (`Str`, or `WStr` for a surrogate).
pub fn code_point_value(cp: u32) -> crate::value::Value {
    let mut b = Vec::with_capacity(4);
    push_code_point(&mut b, cp);
    crate::value::Value::from_wtf8(b)
}

/// `needle in haystack` for Python strings.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(cps: &[u32]) -> Vec<u8> {
        let mut b = Vec::new();
        for &c in cps {
            push_code_point(&mut b, c);
        }
        b
    }

    #[test]
    fn round_trip_and_length() {
        let cps = [
            0x61, 0xD800, 0x62, 0xDC00, 0xDFFF, 0xE9, 0x1F600, 0xD83D, 0xDE00,
        ];
        let b = enc(&cps);
        assert!(std::str::from_utf8(&b).is_err());
        assert_eq!(code_points(&b).collect::<Vec<_>>(), cps);
        assert_eq!(len(&b), cps.len());
        assert_eq!(
            to_string_lossy(&b),
            "a\u{FFFD}b\u{FFFD}\u{FFFD}é😀\u{FFFD}\u{FFFD}"
        );
        assert_eq!(
            to_string_escaped(&b),
            "a\\ud800b\\udc00\\udfffé😀\\ud83d\\ude00"
        );
    }

    #[test]
    fn byte_order_is_code_point_order() {
        let samples: Vec<Vec<u32>> = vec![
            vec![0xD7FF],
            vec![0xD800],
            vec![0xD800, 0xDC00],
            vec![0xDBFF],
            vec![0xDFFF],
            vec![0xE000],
            vec![0xFFFD],
            vec![0x10000],
            vec![0x10FFFF],
            vec![0x61, 0xD800],
            vec![0x61],
        ];
        for a in &samples {
            for b in &samples {
                assert_eq!(enc(a).cmp(&enc(b)), a.cmp(b), "{a:x?} vs {b:x?}");
            }
        }
    }

    #[test]
    fn substring() {
        let h = enc(&[0x61, 0xD800, 0x62]);
        assert!(contains(&h, &enc(&[0xD800])));
        assert!(contains(&h, b"a"));
        assert!(contains(&h, b""));
        assert!(!contains(&enc(&[0x10000]), &enc(&[0xD800])));
        assert!(!contains(&h, &enc(&[0xDC00])));
    }
}
