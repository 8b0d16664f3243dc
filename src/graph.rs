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
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

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

/// What the graph scan keeps of one node record.
enum NodeSum {
    Record {
        /// `str(id)` as bytes ([`py_str_key`]) when the id is not null.
        key: Option<Vec<u8>>,
        root: bool,
        /// The record id when the record carries a legacy `edges` array.
        legacy: Option<String>,
    },
    Unreadable(String, String),
}

fn node_sum(item: Item) -> NodeSum {
    match item {
        Item::Record(n) => NodeSum::Record {
            legacy: n
                .get("edges")
                .map(|_| n.record_id().map(str::to_string).unwrap_or_default()),
            root: n
                .get("entity")
                .is_some_and(|e| py_str(e).to_lowercase() == "root"),
            key: n.get("id").filter(|v| !v.is_null()).map(py_str_key),
        },
        Item::Unreadable { id, reason } => NodeSum::Unreadable(id, reason),
    }
}

/// What the graph scan keeps of one edge record, given the node index.
enum EdgeSum {
    Link(u32, u32),
    Dangling(String),
    /// A dangling edge whose id holds a lone surrogate.
    Undeletable(Value),
    Unreadable(String, String),
}

/// The node index of `str(v)`, without copying the common string case.
fn lookup(index: &HashMap<Vec<u8>, u32>, v: &Value) -> Option<u32> {
    match v {
        Value::Str(s) => index.get(s.as_bytes()).copied(),
        Value::WStr(b) => index.get(&b[..]).copied(),
        other => index.get(&py_str_key(other)).copied(),
    }
}

fn edge_sum(index: &HashMap<Vec<u8>, u32>, item: Item) -> EdgeSum {
    match item {
        Item::Record(e) => {
            let (src, tgt, _bidi) = edge_endpoints(&e);
            match (
                src.and_then(|v| lookup(index, v)),
                tgt.and_then(|v| lookup(index, v)),
            ) {
                (Some(s), Some(t)) => EdgeSum::Link(s, t),
                _ => match e.get("id") {
                    Some(id @ Value::WStr(_)) => EdgeSum::Undeletable(id.clone()),
                    _ => EdgeSum::Dangling(edge_id(&e)),
                },
            }
        }
        Item::Unreadable { id, reason } => EdgeSum::Unreadable(id, reason),
    }
}

/// Union-find root of `x`, halving the path on the way.
fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let p = parent[x as usize];
        parent[x as usize] = parent[p as usize];
        x = p;
    }
    x
}

fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[hi as usize] = lo;
    }
}

/// Scan nodes and edges once and apply validate_graph's rules. Memory: one interned id and
/// one integer per node; edges are not kept (only the ids of dangling ones). On a JSON store
/// the per-record work (parse, ids, index lookups) runs in the reader threads and the
/// directories are read in their own order; every list in the report is sorted.
pub async fn analyze(store: &dyn Store, node_coll: &str, edge_coll: &str) -> Result<GraphReport> {
    let json = match store.json_dir() {
        Some(dir) => Some(crate::store::json::JsonStore::open(
            dir,
            &crate::store::OpenOptions::default(),
        )?),
        None => None,
    };
    let mut rep = GraphReport::default();
    let mut index: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut root_idx: Vec<u32> = Vec::new();
    let mut nodes = match &json {
        Some(js) => {
            js.scan_map(node_coll, false, Arc::new(|i| Some(Ok(node_sum(i)))))
                .await?
        }
        None => store
            .scan(node_coll)
            .await?
            .map(|r| r.map(node_sum))
            .boxed(),
    };
    let mut node_unreadable = Vec::new();
    while let Some(item) = nodes.next().await {
        match item? {
            NodeSum::Record { key, root, legacy } => {
                rep.nodes += 1;
                if let Some(l) = legacy {
                    rep.legacy_edge_arrays.push(l);
                }
                let Some(key) = key else { continue };
                let next = index.len() as u32;
                let i = match index.get(&key) {
                    Some(&i) => i,
                    None => {
                        index.insert(key.clone(), next);
                        next
                    }
                };
                if root {
                    rep.roots.push(Value::from_wtf8(key));
                    root_idx.push(i);
                }
            }
            NodeSum::Unreadable(id, reason) => {
                let next = index.len() as u32;
                index.entry(id.clone().into_bytes()).or_insert(next);
                node_unreadable.push((node_coll.to_string(), id, reason));
            }
        }
    }
    drop(nodes);
    node_unreadable.sort();
    rep.unreadable = node_unreadable;
    if json.is_some() {
        rep.legacy_edge_arrays.sort();
    }
    let index = Arc::new(index);
    // Reachability from a Root walks every edge both ways, whatever `bidirectional` says: a
    // node is reachable exactly when it is in the same connected component as a Root, which a
    // union-find over the node indexes answers without keeping the edges.
    let mut parent: Vec<u32> = if root_idx.is_empty() {
        Vec::new()
    } else {
        (0..index.len() as u32).collect()
    };
    let mut dangling: Vec<String> = Vec::new();
    let mut undeletable: Vec<Value> = Vec::new();
    let mut edges = match &json {
        Some(js) => {
            let ix = index.clone();
            js.scan_map(
                edge_coll,
                false,
                Arc::new(move |i| Some(Ok(edge_sum(&ix, i)))),
            )
            .await?
        }
        None => {
            let ix = index.clone();
            store
                .scan(edge_coll)
                .await?
                .map(move |r| r.map(|i| edge_sum(&ix, i)))
                .boxed()
        }
    };
    let mut edge_unreadable = Vec::new();
    while let Some(item) = edges.next().await {
        match item? {
            EdgeSum::Link(s, t) => {
                rep.edges += 1;
                if !parent.is_empty() {
                    union(&mut parent, s, t);
                }
            }
            EdgeSum::Dangling(id) => {
                rep.edges += 1;
                dangling.push(id);
            }
            EdgeSum::Undeletable(id) => {
                rep.edges += 1;
                undeletable.push(id);
            }
            EdgeSum::Unreadable(id, reason) => {
                edge_unreadable.push((edge_coll.to_string(), id, reason));
            }
        }
    }
    drop(edges);
    edge_unreadable.sort();
    rep.unreadable.extend(edge_unreadable);
    undeletable.sort_by(|a, b| a.str_bytes().cmp(&b.str_bytes()));
    undeletable.dedup();
    rep.undeletable = undeletable;
    dangling.sort();
    dangling.dedup();
    rep.dangling = dangling;
    if !root_idx.is_empty() {
        let mut root_sets = vec![false; index.len()];
        for &r in &root_idx {
            let f = find(&mut parent, r);
            root_sets[f as usize] = true;
        }
        let unreadable_ids: HashSet<&[u8]> = rep
            .unreadable
            .iter()
            .filter(|(c, _, _)| c == node_coll)
            .map(|(_, id, _)| id.as_bytes())
            .collect();
        let mut orphans: Vec<Value> = Vec::new();
        for (id, &i) in index.iter() {
            if !root_sets[find(&mut parent, i) as usize] && !unreadable_ids.contains(id.as_slice())
            {
                orphans.push(Value::from_wtf8(id.clone()));
            }
        }
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
