//! The query language: a filter document is compiled once into a [`Filter`]; sorting and
//! projection live here too. Two dialects: `mongo` (MongoDB semantics, DESIGN §4) and
//! `jvspatial` (jvspatial 0.2.2's `QueryEngine`, errors included).

pub mod bson_order;
pub mod jv_regex;
pub mod jv_timsort;
pub mod jv_unicode;
pub mod jvspatial;
pub mod mongo;
pub mod projection;

use crate::error::Error;
use crate::value::Value;
use std::cmp::Ordering;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Dialect {
    #[default]
    Mongo,
    Jvspatial,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Mongo => "mongo",
            Dialect::Jvspatial => "jvspatial",
        }
    }
}

/// A query error: a bad query (found when compiling) or an evaluation error that the
/// jvspatial dialect raises while matching (TypeError/QueryError in Python). Exit 2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError(pub String);

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<QueryError> for Error {
    fn from(e: QueryError) -> Self {
        Error::invalid(format!("invalid query: {}", e.0))
    }
}

/// A compiled matcher for one dialect.
pub trait Matcher: Send + Sync + fmt::Debug {
    fn matches(&self, doc: &Value) -> Result<bool, QueryError>;
}

/// A compiled filter: the raw query (backends that run queries natively use it) plus the
/// matcher that evaluates it in-process.
#[derive(Debug)]
pub struct Filter {
    pub raw: Value,
    pub dialect: Dialect,
    matcher: Box<dyn Matcher>,
}

impl Filter {
    /// Compile `query` (must be an object) in `dialect`.
    pub fn compile(query: &Value, dialect: Dialect) -> Result<Filter, QueryError> {
        if query.as_object().is_none() {
            return Err(QueryError(format!(
                "a query must be a JSON object, got {}",
                query.type_name()
            )));
        }
        // The compilers and matchers recurse once per operator level: bound it (MongoDB's own
        // limit is the same) so no query can overflow a thread's stack.
        if operator_depth(query) > MAX_QUERY_DEPTH {
            return Err(QueryError(format!(
                "query operators nested deeper than {MAX_QUERY_DEPTH} levels are not supported (exceeded maximum query tree depth, as MongoDB)"
            )));
        }
        let matcher: Box<dyn Matcher> = match dialect {
            Dialect::Mongo => Box::new(mongo::compile(query)?),
            Dialect::Jvspatial => Box::new(jvspatial::compile(query)?),
        };
        Ok(Filter {
            raw: query.clone(),
            dialect,
            matcher,
        })
    }

    /// The filter that matches everything.
    pub fn all(dialect: Dialect) -> Filter {
        Filter::compile(&Value::Object(Default::default()), dialect).expect("empty query compiles")
    }

    /// True when the query is `{}`.
    pub fn is_empty(&self) -> bool {
        self.raw.as_object().is_some_and(|m| m.is_empty())
    }

    pub fn matches(&self, doc: &Value) -> Result<bool, QueryError> {
        self.matcher.matches(doc)
    }
}

/// Deepest nesting of query operators (`$not`, `$elemMatch`, `$and`, …) [`Filter::compile`]
/// accepts; MongoDB's "maximum query tree depth" is 100 too.
pub const MAX_QUERY_DEPTH: usize = 100;

/// How many `$`-keys deep `query` nests (iteratively: the value itself may be 1000 deep).
fn operator_depth(query: &Value) -> usize {
    let mut max = 0;
    let mut stack = vec![(query, 0usize)];
    while let Some((v, d)) = stack.pop() {
        max = max.max(d);
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    stack.push((child, d + usize::from(k.starts_with('$'))));
                }
            }
            Value::Array(items) => stack.extend(items.iter().map(|c| (c, d))),
            _ => {}
        }
    }
    max
}

/// One sort key: a dot path and a direction (1 ascending, -1 descending).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortKey {
    pub path: String,
    pub descending: bool,
}

/// Parse `f:1,g:-1` (also `f`, `f:asc`, `-f`, `f:desc`).
pub fn parse_sort(s: &str) -> Result<Vec<SortKey>, QueryError> {
    let mut keys = Vec::new();
    for part in s.split(',') {
        let part = part.trim();
        if part.is_empty() {
            return Err(QueryError(format!("invalid --sort '{s}': empty field")));
        }
        let (path, dir) = match part.rsplit_once(':') {
            Some((p, d)) => (p.trim(), d.trim()),
            None => match part.strip_prefix('-') {
                Some(p) => (p, "-1"),
                None => (part, "1"),
            },
        };
        let descending = match dir {
            "1" | "asc" | "ASC" => false,
            "-1" | "desc" | "DESC" => true,
            _ => {
                return Err(QueryError(format!(
                    "invalid --sort '{part}': direction must be 1, -1, asc or desc"
                )));
            }
        };
        if path.is_empty() {
            return Err(QueryError(format!("invalid --sort '{part}': empty field")));
        }
        keys.push(SortKey {
            path: path.to_string(),
            descending,
        });
    }
    Ok(keys)
}

/// Compare two records by `keys` in `dialect`'s sort order.
/// The mongo dialect never fails; the jvspatial dialect fails on types Python cannot compare.
pub fn compare(
    a: &Value,
    b: &Value,
    keys: &[SortKey],
    dialect: Dialect,
) -> Result<Ordering, QueryError> {
    match dialect {
        Dialect::Mongo => Ok(mongo::compare_for_sort(a, b, keys)),
        Dialect::Jvspatial => jvspatial::compare_for_sort(a, b, keys),
    }
}

/// Stable sort of `records` by `keys`. The jvspatial dialect runs a port of CPython's
/// `list.sort`, so its order and its first TypeError are exactly Python's.
pub fn sort_records(
    records: &mut Vec<Value>,
    keys: &[SortKey],
    dialect: Dialect,
) -> Result<(), QueryError> {
    if keys.is_empty() {
        return Ok(());
    }
    match dialect {
        Dialect::Jvspatial => jvspatial::sort_records(records, keys),
        Dialect::Mongo => {
            records.sort_by(|a, b| mongo::compare_for_sort(a, b, keys));
            Ok(())
        }
    }
}

#[cfg(test)]
mod depth_tests {
    use super::*;

    /// Regression (reliability fuzzing): 997 nested `$not`/`$elemMatch` overflowed a 2 MiB
    /// stack in the mongo matcher; operator nesting is now bounded like MongoDB's.
    #[test]
    fn operator_nesting_is_bounded() {
        let nest = |op: &str, n: usize| {
            let text = format!(
                "{{\"x\": {}{{\"$eq\": 1}}{}}}",
                format!("{{\"{op}\": ").repeat(n),
                "}".repeat(n)
            );
            crate::json::parse_str(&text).unwrap()
        };
        for op in ["$not", "$elemMatch"] {
            assert!(Filter::compile(&nest(op, 99), Dialect::Mongo).is_ok());
            let e = Filter::compile(&nest(op, 997), Dialect::Mongo).unwrap_err();
            assert!(e.0.contains("maximum query tree depth"), "{}", e.0);
        }
        let and = format!(
            "{}{{\"x\": 1}}{}",
            "{\"$and\": [".repeat(150),
            "]}".repeat(150)
        );
        let q = crate::json::parse_str(&and).unwrap();
        assert!(Filter::compile(&q, Dialect::Mongo).is_err());
    }
}
