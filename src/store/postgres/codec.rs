//! Records ⇄ rows. A row is `(id, entity, tenant_id, data)` computed as jvspatial's
//! `_split_payload` computes it; `data` is the record as JSON text, which the server parses
//! into JSONB. Reading takes the JSONB text back and parses it the way jvspatial does
//! (asyncpg hands it the text; `json.loads`), so jvdb reads exactly what jvspatial reads.
//!
//! What JSONB does to a record ([`stored_form`] models it exactly):
//! * object keys come back ordered by length, then bytes;
//! * numbers are `numeric`: `-0.0` comes back `0.0`; a float Python writes with a positive
//!   exponent (`1e+16`, `1.5e+300`: every float of magnitude ≥ 1e16) comes back as the integer
//!   literal `10000000000000000`, which `json.loads` reads as an int;
//! * NaN, ±Infinity, `\u0000` and lone surrogates cannot be stored at all ([`check`]).
use crate::value::{Map, Value};
use bytes::BufMut;
use num_bigint::BigInt;
use tokio_postgres::types::{FromSql, Type};

/// Why a value cannot go into JSONB, with the path of the field.
pub struct Unstorable {
    path: Vec<String>,
    what: &'static str,
}

impl Unstorable {
    /// "field context.x holds NaN, which PostgreSQL's JSONB cannot store"
    pub fn message(&self) -> String {
        let mut p: Vec<&str> = self.path.iter().map(String::as_str).collect();
        p.reverse();
        format!(
            "field {} holds {}, which PostgreSQL's JSONB cannot store",
            p.join("."),
            self.what
        )
    }
}

fn at(mut u: Unstorable, seg: String) -> Unstorable {
    u.path.push(seg);
    u
}

/// The first value of `v` JSONB cannot hold.
pub fn check(v: &Value) -> Result<(), Unstorable> {
    let bad = |what| {
        Err(Unstorable {
            path: Vec::new(),
            what,
        })
    };
    match v {
        Value::Float(f) if f.is_nan() => bad("NaN"),
        Value::Float(f) if f.is_infinite() => bad(if *f > 0.0 { "Infinity" } else { "-Infinity" }),
        Value::Str(s) if s.contains('\0') => bad("a string with \\u0000"),
        Value::WStr(_) => bad("a string with a lone surrogate"),
        Value::Array(a) => {
            for (k, x) in a.iter().enumerate() {
                check(x).map_err(|u| at(u, k.to_string()))?;
            }
            Ok(())
        }
        Value::Object(m) => {
            for (k, x) in m {
                if k.contains('\0') {
                    return Err(at(
                        Unstorable {
                            path: Vec::new(),
                            what: "a key with \\u0000",
                        },
                        k.replace('\0', "\\u0000"),
                    ));
                }
                check(x).map_err(|u| at(u, k.clone()))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// [`check`] as a pre-flight answer (the same rule, so what it names is what a write
/// refuses).
pub fn unwritable(v: &Value) -> Option<crate::store::Unwritable> {
    use crate::store::ValueProblem as P;
    let u = check(v).err()?;
    let problem = match u.what {
        "NaN" | "Infinity" | "-Infinity" => P::NonFinite,
        "a string with a lone surrogate" => P::LoneSurrogate,
        _ => P::Nul,
    };
    let mut p: Vec<&str> = u.path.iter().map(String::as_str).collect();
    p.reverse();
    Some(crate::store::Unwritable {
        problem,
        path: p.join("."),
        message: u.message(),
    })
}

/// `_split_payload`'s `entity` and `tenant_id`: `str(data.get("entity") or "")` and
/// `str(tenant_id) if tenant_id is not None else None` (Python's `str`, so a number becomes
/// its repr, `True` becomes `"True"`).
pub fn entity_tenant(record: &Map) -> (String, Option<String>) {
    let entity = match record.get("entity") {
        Some(v) if crate::query::jvspatial::py_truthy(v) => crate::graph::py_str(v),
        _ => String::new(),
    };
    let tenant = match record.get("tenant_id") {
        None | Some(Value::Null) => None,
        Some(v) => Some(crate::graph::py_str(v)),
    };
    (entity, tenant)
}

/// The record's JSON text as sent (compact UTF-8; the server's JSONB is the same whatever the
/// escaping and spacing).
pub fn data_text(record: &Value, out: &mut Vec<u8>) {
    crate::json::write_line_bytes(record, out);
}

/// The record as PostgreSQL gives it back after storing it (see the module notes).
pub fn stored_form(v: &Value) -> Value {
    match v {
        Value::Float(f) if *f == 0.0 => Value::Float(0.0),
        Value::Float(f) if f.is_finite() && f.abs() >= 1e16 => float_as_integer(*f),
        Value::Array(a) => Value::Array(a.iter().map(stored_form).collect()),
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by(|a, b| {
                a.0.len()
                    .cmp(&b.0.len())
                    .then_with(|| a.0.as_bytes().cmp(b.0.as_bytes()))
            });
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, x)| (k.clone(), stored_form(x)))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

/// A float whose Python repr has a positive exponent (`d.ddde+XX`) as the integer `numeric`
/// prints for it: the decimal digits of the repr, scaled.
fn float_as_integer(f: f64) -> Value {
    let r = crate::json::float_repr(f);
    let Some((mant, exp)) = r.split_once('e') else {
        return Value::Float(f);
    };
    let Ok(exp) = exp.parse::<i64>() else {
        return Value::Float(f);
    };
    let (neg, mant) = match mant.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mant),
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let scale = exp - frac.len() as i64;
    if scale < 0 {
        return Value::Float(f);
    }
    let digits = format!("{int}{frac}{}", "0".repeat(scale as usize));
    match digits.parse::<BigInt>() {
        Ok(b) => Value::from_bigint(if neg { -b } else { b }),
        Err(_) => Value::Float(f),
    }
}

/// A JSONB (or JSON / TEXT) column as its text, without copying or a server-side cast: the
/// binary JSONB format is a version byte (1) then the text.
pub struct RawJson<'a>(pub &'a [u8]);

impl<'a> FromSql<'a> for RawJson<'a> {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        if *ty == Type::JSONB {
            match raw.split_first() {
                Some((1, rest)) => Ok(RawJson(rest)),
                _ => Err("unsupported JSONB binary format version".into()),
            }
        } else {
            Ok(RawJson(raw))
        }
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::JSONB | Type::JSON | Type::TEXT)
    }
}

/// The rows of a binary `COPY … FROM STDIN (FORMAT binary)` into `(id, entity, tenant_id,
/// data jsonb)`.
pub struct CopyBuf {
    pub buf: Vec<u8>,
}

impl CopyBuf {
    pub fn new() -> CopyBuf {
        let mut buf = Vec::with_capacity(64 * 1024);
        buf.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
        buf.put_i32(0); // flags
        buf.put_i32(0); // header extension
        CopyBuf { buf }
    }

    fn text(&mut self, s: Option<&[u8]>) {
        match s {
            None => self.buf.put_i32(-1),
            Some(b) => {
                self.buf.put_i32(b.len() as i32);
                self.buf.extend_from_slice(b);
            }
        }
    }

    /// One row; `data` is the record's JSON text.
    pub fn row(&mut self, id: &str, entity: &str, tenant: Option<&str>, data: &[u8]) {
        self.buf.put_i16(4);
        self.text(Some(id.as_bytes()));
        self.text(Some(entity.as_bytes()));
        self.text(tenant.map(str::as_bytes));
        self.buf.put_i32(data.len() as i32 + 1);
        self.buf.put_u8(1);
        self.buf.extend_from_slice(data);
    }

    pub fn finish(mut self) -> Vec<u8> {
        self.buf.put_i16(-1);
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Value {
        crate::json::parse_str(s).unwrap()
    }

    #[test]
    fn stored_form_is_what_jsonb_gives_back() {
        // what jvspatial read back from PostgreSQL 15 for the same record (see explore notes)
        let v = parse(
            r#"{"id": "x", "entity": "X", "v": 1e300, "w": -0.0, "u": 1e16, "t": 1.5e-7, "s": "é", "f": 1.0}"#,
        );
        let got = stored_form(&v);
        let want = parse(&format!(
            r#"{{"f": 1.0, "s": "é", "t": 1.5e-07, "u": 10000000000000000, "v": 1{}, "w": 0.0, "id": "x", "entity": "X"}}"#,
            "0".repeat(300)
        ));
        assert_eq!(got, want);
        assert_eq!(crate::json::to_line(&got), crate::json::to_line(&want));
        assert_eq!(stored_form(&got), got, "idempotent");
        assert_eq!(
            stored_form(&Value::Float(-1.2345e20)),
            parse("-123450000000000000000")
        );
    }

    #[test]
    fn entity_and_tenant_like_python_str() {
        let m = parse(r#"{"entity": 5, "tenant_id": 1.5}"#);
        let (e, t) = entity_tenant(m.as_object().unwrap());
        assert_eq!((e.as_str(), t.as_deref()), ("5", Some("1.5")));
        let m = parse(r#"{"entity": "", "tenant_id": false}"#);
        let (e, t) = entity_tenant(m.as_object().unwrap());
        assert_eq!((e.as_str(), t.as_deref()), ("", Some("False")));
        let m = parse(r#"{"entity": 0, "tenant_id": null}"#);
        let (e, t) = entity_tenant(m.as_object().unwrap());
        assert_eq!((e.as_str(), t), ("", None));
        let m = parse(r#"{"entity": ["a"], "tenant_id": {"k": 1}}"#);
        let (e, t) = entity_tenant(m.as_object().unwrap());
        assert_eq!((e.as_str(), t.as_deref()), ("['a']", Some("{'k': 1}")));
    }

    #[test]
    fn unstorable_values_are_named() {
        let v = parse(r#"{"id": "a", "context": {"xs": [1, NaN]}}"#);
        assert_eq!(
            check(&v).err().map(|u| u.message()).unwrap_or_default(),
            "field context.xs.1 holds NaN, which PostgreSQL's JSONB cannot store"
        );
        let v = parse(r#"{"id": "a", "s": "x\u0000"}"#);
        assert!(
            check(&v)
                .err()
                .map(|u| u.message())
                .unwrap_or_default()
                .contains("field s holds a string with \\u0000")
        );
        assert!(check(&parse(r#"{"a": [1.5, "x", {"b": -Infinity}]}"#)).is_err());
        assert!(check(&parse(r#"{"a": [1.5, "x", {"b": 1e308}]}"#)).is_ok());
    }
}
