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

use crate::error::Result;
use crate::store::{Item, Store};
use crate::value::Value;
use futures::StreamExt;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Python's `str()` of a JSON value (what validate_graph compares ids with).
pub fn py_str(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        other => py_repr(other),
    }
}

fn py_repr(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Int(i) => i.to_string(),
        Value::BigInt(b) => b.to_string(),
        Value::Float(f) => crate::json::float_repr(*f),
        Value::Str(s) => {
            let q = if s.contains('\'') && !s.contains('"') {
                '"'
            } else {
                '\''
            };
            let mut out = String::new();
            out.push(q);
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if c == q => {
                        out.push('\\');
                        out.push(c);
                    }
                    c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                        out.push_str(&format!("\\x{:02x}", c as u32))
                    }
                    c => out.push(c),
                }
            }
            out.push(q);
            out
        }
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
    let bidi = matches!(p.get("bidirectional"), Some(v) if truthy(v));
    (nonnull("source"), nonnull("target"), bidi)
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::BigInt(_) => true,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
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
    pub roots: Vec<String>,
    /// Sorted, de-duplicated ids of dangling edges.
    pub dangling: Vec<String>,
    /// Sorted ids of nodes not reachable from a Root (empty when there is no Root).
    pub orphans: Vec<String>,
    /// Ids of node records that carry a legacy `edges` array.
    pub legacy_edge_arrays: Vec<String>,
    /// Records that could not be read: (collection, id, reason).
    pub unreadable: Vec<(String, String, String)>,
}

/// What the graph scan keeps of one node record.
enum NodeSum {
    Record {
        /// `str(id)` when the id is not null.
        id: Option<String>,
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
            id: n.get("id").filter(|v| !v.is_null()).map(py_str),
        },
        Item::Unreadable { id, reason } => NodeSum::Unreadable(id, reason),
    }
}

/// What the graph scan keeps of one edge record, given the node index.
enum EdgeSum {
    Link(u32, u32),
    Dangling(String),
    Unreadable(String, String),
}

fn lookup(index: &HashMap<String, u32>, v: &Value) -> Option<u32> {
    match v {
        Value::Str(s) => index.get(s.as_str()).copied(),
        other => index.get(&py_repr(other)).copied(),
    }
}

fn edge_sum(index: &HashMap<String, u32>, item: Item) -> EdgeSum {
    match item {
        Item::Record(e) => {
            let (src, tgt, _bidi) = edge_endpoints(&e);
            match (
                src.and_then(|v| lookup(index, v)),
                tgt.and_then(|v| lookup(index, v)),
            ) {
                (Some(s), Some(t)) => EdgeSum::Link(s, t),
                _ => EdgeSum::Dangling(edge_id(&e)),
            }
        }
        Item::Unreadable { id, reason } => EdgeSum::Unreadable(id, reason),
    }
}

/// Scan nodes and edges once and apply validate_graph's rules. Memory: one interned id and
/// one integer per node; edges are not kept (only the ids of dangling ones). On a JSON store the per-record work (parse, ids, lookups)
/// runs in the reader threads and the directory is read in its own order (results are sorted).
pub async fn analyze(store: &dyn Store, node_coll: &str, edge_coll: &str) -> Result<GraphReport> {
    let json = match store.json_dir() {
        Some(dir) => Some(crate::store::json::JsonStore::open(
            dir,
            &crate::store::OpenOptions::default(),
        )?),
        None => None,
    };
    let mut rep = GraphReport::default();
    let mut index: HashMap<String, u32> = HashMap::new();
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
            NodeSum::Record { id, root, legacy } => {
                rep.nodes += 1;
                if let Some(l) = legacy {
                    rep.legacy_edge_arrays.push(l);
                }
                let Some(id) = id else { continue };
                let next = index.len() as u32;
                let i = match index.get(&id) {
                    Some(&i) => i,
                    None => {
                        index.insert(id.clone(), next);
                        next
                    }
                };
                if root {
                    rep.roots.push(id);
                    root_idx.push(i);
                }
            }
            NodeSum::Unreadable(id, reason) => {
                let next = index.len() as u32;
                index.entry(id.clone()).or_insert(next);
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
    // node is reachable exactly when it is in the same connected component as a Root. A
    // union-find over the node indexes (one integer per node) answers that without keeping
    // the edges.
    let mut parent: Vec<u32> = if root_idx.is_empty() {
        Vec::new()
    } else {
        (0..index.len() as u32).collect()
    };
    let mut dangling: Vec<String> = Vec::new();
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
            EdgeSum::Unreadable(id, reason) => {
                edge_unreadable.push((edge_coll.to_string(), id, reason));
            }
        }
    }
    drop(edges);
    edge_unreadable.sort();
    rep.unreadable.extend(edge_unreadable);
    dangling.sort();
    dangling.dedup();
    rep.dangling = dangling;
    if !root_idx.is_empty() {
        let mut root_sets = vec![false; index.len()];
        for &r in &root_idx {
            let f = find(&mut parent, r);
            root_sets[f as usize] = true;
        }
        let unreadable_ids: HashSet<&str> = rep
            .unreadable
            .iter()
            .filter(|(c, _, _)| c == node_coll)
            .map(|(_, id, _)| id.as_str())
            .collect();
        let mut orphans: Vec<String> = Vec::new();
        for (id, &i) in index.iter() {
            if !root_sets[find(&mut parent, i) as usize] && !unreadable_ids.contains(id.as_str()) {
                orphans.push(id.clone());
            }
        }
        orphans.sort();
        rep.orphans = orphans;
    }
    rep.roots.sort();
    Ok(rep)
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
        // the smaller index becomes the root: deterministic, and trees stay shallow enough
        // with path halving
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[hi as usize] = lo;
    }
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
                let hit =
                    |v: Option<&Value>| v.is_some_and(|v| node_ids.contains(py_str(v).as_str()));
                if (hit(s) || hit(t))
                    && let Some(id) = e.record_id()
                {
                    out.push(id.to_string());
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
