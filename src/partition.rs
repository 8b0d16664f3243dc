//! Partitions of a store by record id, for `--partition K/N` (`migrate`, `copy`, `verify`):
//! N processes, on N machines if need be, each move and verify their own share of one store,
//! and the union of the shares is the whole store.
//!
//! # The hash (defined here once)
//!
//! The partition of an id is `(u32::from_be_bytes(md5(id)[0..4]) % N) + 1`, 1-based like
//! GNU `split -n K/N`. MD5 is not used for security: it is chosen because every database
//! server has it, so a backend can compute the same partition server-side. PostgreSQL:
//!
//! ```sql
//! (('x' || substr(md5(convert_to(id, 'UTF8')), 1, 8))::bit(32)::bigint % N) + 1
//! ```
//!
//! (`bit(32)::bigint` is unsigned — `x'ffffffff'` is 4294967295 — unlike `bit(32)::int`;
//! `convert_to` makes the bytes UTF-8 whatever the database encoding.) SQLite has no MD5, so
//! the SQLite backend registers [`SQLITE_FUNCTION`] (`jvdb_part(id, N)`) on its connections.
//!
//! # Which id
//!
//! A readable record's `id` field: its UTF-8 bytes; an id holding a lone surrogate
//! ([`Value::WStr`], see [`crate::wtf8`]) hashes its generalized UTF-8 bytes (the bytes SQLite
//! holds for it), so it still has one deterministic partition. A record whose `id` is missing or
//! not a string (no target accepts it; it is reported as not written) belongs to partition 1,
//! so exactly one process reports it. An unreadable record belongs to the partition of the id
//! its store gives it (a JSON file's stem, an SQL row's `id` column). In the SQL backends the
//! partition is computed from the `id` column, which jvdb and jvspatial write from the record's
//! `id`.

use crate::error::{Error, Result};
use crate::store::Item;
use crate::value::Value;
use md5::{Digest, Md5};

/// The name of the SQLite scalar function `jvdb_part(id, n)` (the partition, 1-based, of the
/// text or blob `id` among `n`).
pub const SQLITE_FUNCTION: &str = "jvdb_part";

/// Partition `k` of `n` (1 <= k <= n).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Partition {
    k: u32,
    n: u32,
}

/// The partition (1-based) among `n` of an id given as bytes (UTF-8, or generalized UTF-8
/// for an id with a lone surrogate). `n` must be at least 1.
pub fn partition_of(id: &[u8], n: u32) -> u32 {
    let h = Md5::digest(id);
    let first = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
    first % n.max(1) + 1
}

impl Partition {
    /// Partition `k` of `n`; an error (exit 2) unless 1 <= k <= n.
    pub fn new(k: u32, n: u32) -> Result<Partition> {
        let why = if n == 0 {
            "N must be at least 1"
        } else if k == 0 {
            "K must be at least 1 (partitions are numbered from 1)"
        } else if k > n {
            "K must not be above N"
        } else {
            return Ok(Partition { k, n });
        };
        Err(Error::invalid(format!(
            "partition {k}/{n}: {why} (K/N, e.g. 2/4 for the second of four)"
        )))
    }

    /// Parse `K/N` (e.g. `2/4`): two decimal numbers, 1 <= K <= N.
    pub fn parse(s: &str) -> Result<Partition> {
        let bad = || {
            Error::invalid(format!(
                "{s:?} is not K/N: two whole numbers with 1 <= K <= N, e.g. 2/4 for the second of four"
            ))
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let num = |t: &str| {
            if t.is_empty() || t.len() > 9 || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            t.parse::<u32>().map_err(|_| bad())
        };
        Partition::new(num(k)?, num(n)?)
    }

    pub fn k(&self) -> u32 {
        self.k
    }

    pub fn n(&self) -> u32 {
        self.n
    }

    /// Whether an id (as bytes) falls in this partition.
    pub fn holds_id(&self, id: &[u8]) -> bool {
        partition_of(id, self.n) == self.k
    }

    /// Whether a record falls in this partition (see the module documentation for which id).
    pub fn holds_record(&self, record: &Value) -> bool {
        match record.get("id") {
            Some(Value::Str(s)) => self.holds_id(s.as_bytes()),
            Some(Value::WStr(b)) => self.holds_id(b),
            _ => self.k == 1,
        }
    }

    /// Whether an item of a scan falls in this partition (an unreadable record by its id).
    pub fn holds(&self, item: &Item) -> bool {
        match item {
            Item::Record(rec) => self.holds_record(rec),
            Item::Unreadable { id, .. } => self.holds_id(id.as_bytes()),
        }
    }

    /// PostgreSQL's condition for "column `id_column` is in this partition" (the same hash,
    /// computed by the server). Only numbers are interpolated.
    pub fn postgres_condition(&self, id_column: &str) -> String {
        format!(
            "(('x' || substr(md5(convert_to({id_column}, 'UTF8')), 1, 8))::bit(32)::bigint % {}) = {}",
            self.n,
            self.k - 1
        )
    }

    /// SQLite's condition, with the [`SQLITE_FUNCTION`] the SQLite backend registers.
    pub fn sqlite_condition(&self, id_column: &str) -> String {
        format!("{SQLITE_FUNCTION}({id_column}, {}) = {}", self.n, self.k)
    }
}

impl std::fmt::Display for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

impl std::str::FromStr for Partition {
    type Err = Error;
    fn from_str(s: &str) -> Result<Partition> {
        Partition::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // First 4 bytes of md5 as big-endian u32 (values from Python's hashlib):
        // md5("") = d41d8cd9… = 3558706393; md5("abc") = 90015098… = 2416005272 (above
        // i32::MAX: read unsigned); md5("é") = 66ddcd97… = 1725812119 (its UTF-8 bytes).
        assert_eq!(partition_of(b"", 1), 1);
        assert_eq!(partition_of(b"", 4), 3558706393 % 4 + 1);
        assert_eq!(partition_of(b"", 1000), 3558706393 % 1000 + 1);
        assert_eq!(partition_of(b"abc", 7), 2416005272 % 7 + 1);
        assert_eq!(partition_of(b"abc", u32::MAX), 2416005272 + 1);
        assert_eq!(partition_of("é".as_bytes(), 10), 1725812119 % 10 + 1);
    }

    #[test]
    fn parses_and_validates() {
        let p = Partition::parse("2/4").unwrap();
        assert_eq!((p.k(), p.n(), p.to_string()), (2, 4, "2/4".to_string()));
        assert_eq!(Partition::parse("1/1").unwrap().n(), 1);
        for bad in [
            "0/4",
            "5/4",
            "1/0",
            "0/0",
            "4",
            "a/b",
            "-1/4",
            "1/-4",
            "",
            "/",
            "1/",
            "+1/4",
            "1/4/2",
            "99999999999/4",
        ] {
            let e = Partition::parse(bad).unwrap_err();
            assert_eq!(e.kind, crate::error::ErrorKind::Invalid, "{bad}");
            assert!(!e.message.contains('\n'), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn every_id_is_in_exactly_one_partition() {
        let n = 5;
        for i in 0..2000 {
            let id = format!("n:Node:{i}");
            let hits = (1..=n)
                .filter(|&k| Partition::new(k, n).unwrap().holds_id(id.as_bytes()))
                .count();
            assert_eq!(hits, 1, "{id}");
        }
        // No string id: partition 1 only.
        let rec = crate::json::parse_str(r#"{"id": 5}"#).unwrap();
        assert!(Partition::new(1, 3).unwrap().holds_record(&rec));
        assert!(!Partition::new(2, 3).unwrap().holds_record(&rec));
        // A lone surrogate: its generalized UTF-8 bytes.
        let rec = crate::json::parse_str(r#"{"id": "a\ud800"}"#).unwrap();
        let k = partition_of(b"a\xed\xa0\x80", 3);
        assert!(Partition::new(k, 3).unwrap().holds_record(&rec));
    }
}
