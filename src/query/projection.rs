//! Field projection (`--fields a,b.c`), with MongoDB's find-projection rules.
//!
//! * Inclusion (`a,b.c`): the result keeps the listed paths, in the record's own key order.
//!   A dot path descends objects; through an array it projects every document element and
//!   drops scalar elements (nested arrays are projected the same way); a parent that exists
//!   but lacks the child stays as `{}`. Numeric segments are field names, as in MongoDB's find
//!   projection (no positional indexing). `id` is always kept unless the list names `-id`.
//! * Exclusion (only `-x` entries, e.g. `-context,-id`): everything but the listed paths.
//! * Mixing inclusions with exclusions other than `-id`, empty entries, and overlapping paths
//!   (`a` with `a.b`) are errors.
use super::QueryError;
use crate::value::{Map, Value};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Projection {
    /// The listed paths (without the `-` of exclusions).
    pub paths: Vec<String>,
    /// True for an exclusion projection.
    pub exclude: bool,
    /// Keep `id` (inclusion projections; false when `-id` is listed).
    pub keep_id: bool,
}

/// A tree of path segments: a leaf means "the whole field".
#[derive(Debug, Default)]
struct Tree {
    children: Vec<(String, Tree)>,
}

impl Tree {
    fn insert(&mut self, parts: &[&str], full: &str) -> Result<(), QueryError> {
        let Some((first, rest)) = parts.split_first() else {
            return Ok(());
        };
        let pos = self.children.iter().position(|(k, _)| k == first);
        match pos {
            Some(i) => {
                let child = &mut self.children[i].1;
                if rest.is_empty() || child.children.is_empty() {
                    return Err(QueryError(format!("Path collision at {full}")));
                }
                child.insert(rest, full)
            }
            None => {
                let mut child = Tree::default();
                child.insert(rest, full)?;
                self.children.push((first.to_string(), child));
                Ok(())
            }
        }
    }

    fn get(&self, key: &str) -> Option<&Tree> {
        self.children.iter().find(|(k, _)| k == key).map(|(_, t)| t)
    }
}

impl Projection {
    pub fn parse(s: &str) -> Result<Projection, QueryError> {
        let mut incl = Vec::new();
        let mut excl = Vec::new();
        for raw in s.split(',') {
            let p = raw.trim();
            let (neg, path) = match p.strip_prefix('-') {
                Some(rest) => (true, rest.trim()),
                None => (false, p),
            };
            if path.is_empty() || path.split('.').any(str::is_empty) {
                return Err(QueryError(format!(
                    "invalid --fields '{s}': empty field name"
                )));
            }
            if neg { &mut excl } else { &mut incl }.push(path.to_string());
        }
        let drop_id = excl.iter().any(|p| p == "id");
        if !incl.is_empty() {
            if let Some(bad) = excl.iter().find(|p| *p != "id") {
                return Err(QueryError(format!(
                    "invalid --fields '{s}': cannot exclude '{bad}' in an inclusion projection (only -id)"
                )));
            }
            let proj = Projection {
                paths: incl,
                exclude: false,
                keep_id: !drop_id,
            };
            proj.tree()
                .map_err(|e| QueryError(format!("invalid --fields '{s}': {}", e.0)))?;
            Ok(proj)
        } else {
            let proj = Projection {
                paths: excl,
                exclude: true,
                keep_id: !drop_id,
            };
            proj.tree()
                .map_err(|e| QueryError(format!("invalid --fields '{s}': {}", e.0)))?;
            Ok(proj)
        }
    }

    fn tree(&self) -> Result<Tree, QueryError> {
        let mut t = Tree::default();
        for p in &self.paths {
            if !self.exclude && p == "id" {
                continue;
            }
            let parts: Vec<&str> = p.split('.').collect();
            t.insert(&parts, p)?;
        }
        Ok(t)
    }

    pub fn apply(&self, doc: &Value) -> Value {
        // The tree was validated by `parse`; a hand-built projection with a collision keeps
        // the record whole rather than failing.
        let Ok(tree) = self.tree() else {
            return doc.clone();
        };
        let Value::Object(m) = doc else {
            return doc.clone();
        };
        if self.exclude {
            Value::Object(exclude_obj(m, &tree))
        } else {
            let mut out = Map::new();
            for (k, v) in m {
                if k == "id" && self.keep_id {
                    out.insert(k.clone(), v.clone());
                } else if let Some(sub) = tree.get(k)
                    && let Some(pv) = include(v, sub)
                {
                    out.insert(k.clone(), pv);
                }
            }
            Value::Object(out)
        }
    }
}

/// Project `v` onto `tree` (inclusion). `None` drops the value.
fn include(v: &Value, tree: &Tree) -> Option<Value> {
    if tree.children.is_empty() {
        return Some(v.clone());
    }
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, x) in m {
                if let Some(sub) = tree.get(k)
                    && let Some(px) = include(x, sub)
                {
                    out.insert(k.clone(), px);
                }
            }
            Some(Value::Object(out))
        }
        Value::Array(a) => Some(Value::Array(
            a.iter()
                .filter(|e| matches!(e, Value::Object(_) | Value::Array(_)))
                .filter_map(|e| include(e, tree))
                .collect(),
        )),
        _ => None,
    }
}

fn exclude_obj(m: &Map, tree: &Tree) -> Map {
    let mut out = Map::new();
    for (k, v) in m {
        match tree.get(k) {
            Some(sub) if sub.children.is_empty() => {}
            Some(sub) => {
                out.insert(k.clone(), exclude_val(v, sub));
            }
            None => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

fn exclude_val(v: &Value, tree: &Tree) -> Value {
    match v {
        Value::Object(m) => Value::Object(exclude_obj(m, tree)),
        Value::Array(a) => Value::Array(a.iter().map(|e| exclude_val(e, tree)).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(pairs: Vec<(&str, Value)>) -> Value {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    fn rec() -> Value {
        o(vec![
            ("id", "n.City.1".into()),
            ("entity", "City".into()),
            (
                "context",
                o(vec![
                    ("name", "Paris".into()),
                    ("pop", Value::Int(100)),
                    (
                        "items",
                        Value::Array(vec![
                            o(vec![("k", Value::Int(1)), ("j", Value::Int(2))]),
                            Value::Int(5),
                            o(vec![("j", Value::Int(3))]),
                            Value::Array(vec![o(vec![("k", Value::Int(9))])]),
                        ]),
                    ),
                ]),
            ),
        ])
    }

    #[test]
    fn inclusion_keeps_document_order_and_id() {
        let p = Projection::parse("context.pop,entity").expect("parse");
        let got = p.apply(&rec());
        let want = o(vec![
            ("id", "n.City.1".into()),
            ("entity", "City".into()),
            ("context", o(vec![("pop", Value::Int(100))])),
        ]);
        assert_eq!(got, want);
    }

    #[test]
    fn minus_id_drops_id() {
        let p = Projection::parse("entity,-id").expect("parse");
        assert_eq!(p.apply(&rec()), o(vec![("entity", "City".into())]));
    }

    #[test]
    fn through_arrays_of_documents() {
        let p = Projection::parse("context.items.k").expect("parse");
        let got = p.apply(&rec());
        let items = Value::Array(vec![
            o(vec![("k", Value::Int(1))]),
            o(vec![]),
            Value::Array(vec![o(vec![("k", Value::Int(9))])]),
        ]);
        let want = o(vec![
            ("id", "n.City.1".into()),
            ("context", o(vec![("items", items)])),
        ]);
        assert_eq!(got, want);
    }

    #[test]
    fn missing_child_keeps_empty_parent_and_scalar_parent_is_dropped() {
        let p = Projection::parse("context.nope,entity.x").expect("parse");
        let want = o(vec![("id", "n.City.1".into()), ("context", o(vec![]))]);
        assert_eq!(p.apply(&rec()), want);
    }

    #[test]
    fn exclusion() {
        let p = Projection::parse("-context.items,-entity").expect("parse");
        let want = o(vec![
            ("id", "n.City.1".into()),
            (
                "context",
                o(vec![("name", "Paris".into()), ("pop", Value::Int(100))]),
            ),
        ]);
        assert_eq!(p.apply(&rec()), want);
    }

    #[test]
    fn errors() {
        assert!(Projection::parse("a,a.b").is_err());
        assert!(Projection::parse("a.b,a").is_err());
        assert!(Projection::parse("a,-b").is_err());
        assert!(Projection::parse("a,,b").is_err());
        assert!(Projection::parse("a..b").is_err());
        assert!(Projection::parse("a,-id").is_ok());
        assert!(Projection::parse("a.b,a.c").is_ok());
    }
}
