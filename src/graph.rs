//! Graph rules shared by `cleanup` and `delete --cascade`, following jvspatial 0.2.2's
//! `core/validate.validate_graph`:
//! - node ids are `str(id)` of every node record whose `id` is not null;
//! - an edge's endpoints are read from the top level when it has `source` or `target` there,
//!   otherwise from `context` (legacy records);
//! - an edge is dangling when an endpoint is missing/null or `str(endpoint)` is not a node id;
//! - an orphan is a node not reachable from any Root (`entity.lower() == "root"`) walking
//!   non-dangling edges in both directions; Roots themselves are not orphans.
//!
//! One deliberate difference, on the safe side: a node file that cannot be read still counts
//! as a node (by its stored id), so its edges are never deleted as dangling; it is reported.
//! Ids compare exactly, lone surrogates included; a dangling edge whose id holds a lone
//! surrogate cannot name a record file, so it is reported in `undeletable` instead.

use crate::error::Result;
use crate::store::{Item, Store};
use crate::value::Value;
use futures::StreamExt;
use std::collections::{HashMap, HashSet, VecDeque};

/// Python's `str()` of a JSON value (what validate_graph compares ids with). A lone
/// surrogate is shown as `\udXXX` (use [`py_str_key`] to compare).
pub fn py_str(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        Value::WStr(b) => crate::wtf8::to_string_escaped(b),
        other => py_repr(other),
    }
}

/// `str(v)` as generalized UTF-8 bytes: exact, lone surrogates included.
pub fn py_str_key(v: &Value) -> Vec<u8> {
    match v {
        Value::WStr(b) => b.to_vec(),
        other => py_str(other).into_bytes(),
    }
}

fn py_repr(v: &Value) -> String {
    match v {
        Value::WStr(b) => crate::query::jvspatial::py_repr_wtf8(b),
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Int(i) => i.to_string(),
        Value::BigInt(b) => b.to_string(),
        Value::Float(f) => crate::json::float_repr(*f),
        Value::Str(s) => crate::query::jvspatial::py_repr_str(s),
        Value::Array(a) => format!("[{}]", a.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", py_repr(&Value::Str(k.clone())), py_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// An edge's `(source, target, bidirectional)` by validate_graph's `_payload` rule.
pub fn edge_endpoints(edge: &Value) -> (Option<&Value>, Option<&Value>, bool) {
    let Some(m) = edge.as_object() else {
        return (None, None, false);
    };
    let payload = if m.contains_key("source") || m.contains_key("target") {
        Some(m)
    } else {
        match m.get("context") {
            Some(Value::Object(c)) => Some(c),
            _ => None,
        }
    };
    let Some(p) = payload else {
        return (None, None, false);
    };
    let nonnull = |k: &str| p.get(k).filter(|v| !v.is_null());
    let bidi = matches!(p.get("bidirectional"), Some(v) if crate::query::jvspatial::py_truthy(v));
    (nonnull("source"), nonnull("target"), bidi)
}

/// `str(edge.get("id", ""))`.
pub fn edge_id(edge: &Value) -> String {
    match edge.get("id") {
        Some(v) => py_str(v),
        None => String::new(),
    }
}

/// What a graph scan found.
#[derive(Debug, Default, Clone)]
pub struct GraphReport {
    pub nodes: u64,
    pub edges: u64,
    /// `str(id)` of the Roots, sorted (a `Str`, or a `WStr` for an id with a lone surrogate).
    pub roots: Vec<Value>,
    /// Sorted, de-duplicated ids of dangling edges.
    pub dangling: Vec<String>,
    /// Sorted ids (`str(id)`, as for `roots`) of nodes not reachable from a Root (empty when
    /// there is no Root).
    pub orphans: Vec<Value>,
    /// Ids of node records that carry a legacy `edges` array.
    pub legacy_edge_arrays: Vec<String>,
    /// Records that could not be read: (collection, id, reason).
    pub unreadable: Vec<(String, String, String)>,
    /// Dangling edges whose id holds a lone surrogate (`Value::WStr` ids, sorted): no record
    /// file can be named by it, so they cannot be deleted; they are reported.
    pub undeletable: Vec<Value>,
}

/// Scan nodes and edges once and apply validate_graph's rules. Memory: one interned id per
/// node and two integers per edge.
pub async fn analyze(store: &dyn Store, node_coll: &str, edge_coll: &str) -> Result<GraphReport> {
    let mut rep = GraphReport::default();
    let mut index: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut root_idx: Vec<u32> = Vec::new();
    let mut nodes = store.scan(node_coll).await?;
    while let Some(item) = nodes.next().await {
        match item? {
            Item::Record(n) => {
                rep.nodes += 1;
                if n.get("edges").is_some() {
                    rep.legacy_edge_arrays
                        .push(n.record_id().map(str::to_string).unwrap_or_default());
                }
                let Some(idv) = n.get("id").filter(|v| !v.is_null()) else {
                    continue;
                };
                let next = index.len() as u32;
                let i = *index.entry(py_str_key(idv)).or_insert(next);
                let is_root = match n.get("entity") {
                    Some(e) => py_str(e).to_lowercase() == "root",
                    None => false,
                };
                if is_root {
                    rep.roots.push(Value::from_wtf8(py_str_key(idv)));
                    root_idx.push(i);
                }
            }
            Item::Unreadable { id, reason } => {
                let next = index.len() as u32;
                index.entry(id.clone().into_bytes()).or_insert(next);
                rep.unreadable.push((node_coll.to_string(), id, reason));
            }
        }
    }
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); index.len()];
    let mut dangling: Vec<String> = Vec::new();
    let mut undeletable: Vec<Value> = Vec::new();
    let mut dangle = |e: &Value| match e.get("id") {
        Some(id @ Value::WStr(_)) => undeletable.push(id.clone()),
        _ => dangling.push(edge_id(e)),
    };
    let mut edges = store.scan(edge_coll).await?;
    while let Some(item) = edges.next().await {
        match item? {
            Item::Record(e) => {
                rep.edges += 1;
                let (src, tgt, _bidi) = edge_endpoints(&e);
                let (Some(src), Some(tgt)) = (src, tgt) else {
                    dangle(&e);
                    continue;
                };
                match (index.get(&py_str_key(src)), index.get(&py_str_key(tgt))) {
                    (Some(&s), Some(&t)) => {
                        // Reachability walks every edge both ways, whatever `bidirectional` says.
                        adj[s as usize].push(t);
                        adj[t as usize].push(s);
                    }
                    _ => dangle(&e),
                }
            }
            Item::Unreadable { id, reason } => {
                rep.unreadable.push((edge_coll.to_string(), id, reason));
            }
        }
    }
    undeletable.sort_by(|a, b| a.str_bytes().cmp(&b.str_bytes()));
    undeletable.dedup();
    rep.undeletable = undeletable;
    dangling.sort();
    dangling.dedup();
    rep.dangling = dangling;
    if !root_idx.is_empty() {
        let mut seen = vec![false; index.len()];
        let mut queue: VecDeque<u32> = root_idx.iter().copied().collect();
        while let Some(cur) = queue.pop_front() {
            if std::mem::replace(&mut seen[cur as usize], true) {
                continue;
            }
            for &n in &adj[cur as usize] {
                if !seen[n as usize] {
                    queue.push_back(n);
                }
            }
        }
        let unreadable_ids: HashSet<&[u8]> = rep
            .unreadable
            .iter()
            .filter(|(c, _, _)| c == node_coll)
            .map(|(_, id, _)| id.as_bytes())
            .collect();
        let mut orphans: Vec<Value> = index
            .iter()
            .filter(|(id, i)| !seen[**i as usize] && !unreadable_ids.contains(id.as_slice()))
            .map(|(id, _)| Value::from_wtf8(id.clone()))
            .collect();
        orphans.sort_by(|a, b| a.str_bytes().cmp(&b.str_bytes()));
        rep.orphans = orphans;
    }
    rep.roots.sort_by(|a, b| a.str_bytes().cmp(&b.str_bytes()));
    Ok(rep)
}

/// Ids of the edges that touch any of `node_ids` (top-level or legacy context endpoints).
pub async fn incident_edges(
    store: &dyn Store,
    edge_coll: &str,
    node_ids: &HashSet<&str>,
    unreadable: &mut Vec<(String, String)>,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut edges = store.scan(edge_coll).await?;
    while let Some(item) = edges.next().await {
        match item? {
            Item::Record(e) => {
                let (s, t, _) = edge_endpoints(&e);
                // A lone surrogate in `str(endpoint)` never equals a target id (those are
                // valid UTF-8).
                let hit = |v: Option<&Value>| {
                    v.is_some_and(|v| {
                        std::str::from_utf8(&py_str_key(v)).is_ok_and(|s| node_ids.contains(s))
                    })
                };
                if hit(s) || hit(t) {
                    match e.get("id") {
                        Some(Value::WStr(b)) => unreadable.push((
                            crate::wtf8::to_string_escaped(b),
                            "edge id contains a lone surrogate, so it cannot name a record file; not deleted".into(),
                        )),
                        _ => {
                            if let Some(id) = e.record_id() {
                                out.push(id.to_string());
                            }
                        }
                    }
                }
            }
            Item::Unreadable { id, reason } => unreadable.push((id, reason)),
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_str() {
        assert_eq!(py_str(&Value::Int(5)), "5");
        assert_eq!(py_str(&Value::Bool(true)), "True");
        assert_eq!(py_str(&Value::Null), "None");
        assert_eq!(
            py_str(&Value::Array(vec![Value::Str("a".into()), Value::Null])),
            "['a', None]"
        );
    }
}
