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
use std::collections::HashSet;
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
        /// Fingerprint of `str(id)` ([`fingerprint`]) when the id is not null.
        fp: Option<u128>,
        /// `str(id)` of a Root (the only ids the first scan keeps).
        root: Option<Value>,
        /// The record id when the record carries a legacy `edges` array.
        legacy: Option<String>,
    },
    Unreadable(String, String),
}

/// A 128-bit fingerprint of `str(id)` (its generalized UTF-8 bytes): the first 128 bits of
/// its BLAKE3 hash. The graph scan compares ids by fingerprint, so it keeps 16 bytes per node
/// instead of the id. BLAKE3 is collision resistant: two different ids sharing a fingerprint
/// is not a practical event (about 2^-128 per pair), even for ids chosen by an attacker.
pub fn fingerprint(key: &[u8]) -> u128 {
    let h = blake3::hash(key);
    let mut first = [0u8; 16];
    first.copy_from_slice(&h.as_bytes()[..16]);
    u128::from_le_bytes(first)
}

/// The fingerprint of `str(v)`, without copying the common string case.
pub fn fingerprint_of(v: &Value) -> u128 {
    match v {
        Value::Str(s) => fingerprint(s.as_bytes()),
        Value::WStr(b) => fingerprint(b),
        other => fingerprint(&py_str_key(other)),
    }
}

/// Whether a node record is a Root (`str(entity).lower() == "root"`).
pub fn is_root(n: &Value) -> bool {
    n.get("entity")
        .is_some_and(|e| py_str(e).to_lowercase() == "root")
}

fn node_sum(item: Item) -> NodeSum {
    match item {
        Item::Record(n) => {
            let id = n.get("id").filter(|v| !v.is_null());
            NodeSum::Record {
                legacy: n
                    .get("edges")
                    .map(|_| n.record_id().map(str::to_string).unwrap_or_default()),
                root: match id {
                    Some(id) if is_root(&n) => Some(Value::from_wtf8(py_str_key(id))),
                    _ => None,
                },
                fp: id.map(fingerprint_of),
            }
        }
        Item::Unreadable { id, reason } => NodeSum::Unreadable(id, reason),
    }
}

/// The node index: the sorted, de-duplicated fingerprints of every node id; a node's index is
/// its position (`cleanup`'s union-find and `stats`' degree counters are indexed by it).
pub struct NodeIndex(Vec<u128>);

impl NodeIndex {
    /// The index of these fingerprints (any order, duplicates allowed).
    pub fn new(mut fps: Vec<u128>) -> NodeIndex {
        fps.sort_unstable();
        fps.dedup();
        fps.shrink_to_fit();
        NodeIndex(fps)
    }

    /// The position of a fingerprint.
    pub fn position(&self, fp: u128) -> Option<u32> {
        self.0.binary_search(&fp).ok().map(|i| i as u32)
    }

    /// The position of the node whose id is `str(v)`.
    pub fn lookup(&self, v: &Value) -> Option<u32> {
        self.position(fingerprint_of(v))
    }

    /// The number of distinct node ids.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// validate_graph's rule for one edge record: `Some((source, target))` node positions when
/// both endpoints name a node of `index`; `None` when the edge is dangling.
pub fn link(index: &NodeIndex, edge: &Value) -> Option<(u32, u32)> {
    let (src, tgt, _bidi) = edge_endpoints(edge);
    Some((index.lookup(src?)?, index.lookup(tgt?)?))
}

/// What the graph scan keeps of one edge record, given the node index.
enum EdgeSum {
    Link(u32, u32),
    Dangling(String),
    /// A dangling edge whose id holds a lone surrogate.
    Undeletable(Value),
    Unreadable(String, String),
}

fn edge_sum(index: &NodeIndex, item: Item) -> EdgeSum {
    match item {
        Item::Record(e) => match link(index, &e) {
            Some((s, t)) => EdgeSum::Link(s, t),
            None => match e.get("id") {
                Some(id @ Value::WStr(_)) => EdgeSum::Undeletable(id.clone()),
                _ => EdgeSum::Dangling(edge_id(&e)),
            },
        },
        Item::Unreadable { id, reason } => EdgeSum::Unreadable(id, reason),
    }
}

/// Union-find root of `x`, halving the path on the way.
pub fn uf_find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let p = parent[x as usize];
        parent[x as usize] = parent[p as usize];
        x = p;
    }
    x
}

/// Union-find: join the sets of `a` and `b` (the smaller position becomes the root).
pub fn uf_union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (uf_find(parent, a), uf_find(parent, b));
    if ra != rb {
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[hi as usize] = lo;
    }
}

/// Every record of `coll`, mapped where the store reads (a JSON store's reader threads, in
/// directory order), or over its scan.
async fn scan_mapped<T: Send + 'static>(
    store: &dyn Store,
    coll: &str,
    map: impl Fn(Item) -> T + Send + Sync + 'static,
) -> Result<futures::stream::BoxStream<'static, Result<T>>> {
    crate::store::scan_map(store, coll, false, move |i| Some(Ok(map(i)))).await
}

/// Scan nodes and edges once and apply validate_graph's rules. Memory: 16 bytes (an id
/// fingerprint) plus 4 (union-find) per node; edges are not kept (only the ids of dangling
/// ones), nor node ids (only those of Roots; orphans, when there are any, are named by a
/// second pass over the nodes). On a JSON store the per-record work (parse, fingerprints,
/// index lookups) runs in the reader threads and the directories are read in their own order;
/// every list in the report is sorted.
pub async fn analyze(store: &dyn Store, node_coll: &str, edge_coll: &str) -> Result<GraphReport> {
    analyze_with::<()>(store, node_coll, edge_coll, None, &mut |_, _| {}).await
}

/// A per-record hook that runs beside the graph scan, where the store reads (a JSON store's
/// reader threads): it gets the collection, the name the record is stored under (a JSON
/// file's stem; `None` where records are stored under their id) and the item, and what it
/// returns goes to [`analyze_with`]'s `take`. So `check` judges every node and edge record in
/// the same read as the graph rules, instead of reading the store twice.
pub type RecordHook<T> = Arc<dyn Fn(&str, Option<&str>, &Item) -> Option<T> + Send + Sync>;

/// [`analyze`], with `hook` run on every node and edge record of the first pass and its
/// results handed to `take` (with `true` for the edge collection), in the order read.
pub async fn analyze_with<T: Send + 'static>(
    store: &dyn Store,
    node_coll: &str,
    edge_coll: &str,
    hook: Option<RecordHook<T>>,
    take: &mut (dyn FnMut(bool, T) + Send),
) -> Result<GraphReport> {
    let mut rep = GraphReport::default();
    let mut fps: Vec<u128> = Vec::new();
    let mut root_fps: Vec<u128> = Vec::new();
    let mut unreadable_fps: Vec<u128> = Vec::new();
    let (h, c) = (hook.clone(), node_coll.to_string());
    let mut nodes = crate::store::scan_map_named(store, node_coll, false, move |name, i| {
        let x = h.as_ref().and_then(|h| h(&c, name, &i));
        Some(Ok((node_sum(i), x)))
    })
    .await?;
    let mut node_unreadable = Vec::new();
    while let Some(item) = nodes.next().await {
        let (sum, x) = item?;
        if let Some(x) = x {
            take(false, x);
        }
        match sum {
            NodeSum::Record { fp, root, legacy } => {
                rep.nodes += 1;
                if let Some(l) = legacy {
                    rep.legacy_edge_arrays.push(l);
                }
                let Some(fp) = fp else { continue };
                fps.push(fp);
                if let Some(r) = root {
                    rep.roots.push(r);
                    root_fps.push(fp);
                }
            }
            NodeSum::Unreadable(id, reason) => {
                // Counted as a node by its stored id, so its edges are never deleted.
                let fp = fingerprint(id.as_bytes());
                fps.push(fp);
                unreadable_fps.push(fp);
                node_unreadable.push((node_coll.to_string(), id, reason));
            }
        }
    }
    drop(nodes);
    let index = Arc::new(NodeIndex::new(fps));
    node_unreadable.sort();
    rep.unreadable = node_unreadable;
    rep.legacy_edge_arrays.sort();
    // Reachability from a Root walks every edge both ways, whatever `bidirectional` says: a
    // node is reachable exactly when it is in the same connected component as a Root, which a
    // union-find over the node indexes answers without keeping the edges.
    let mut parent: Vec<u32> = if root_fps.is_empty() {
        Vec::new()
    } else {
        (0..index.len() as u32).collect()
    };
    let mut dangling: Vec<String> = Vec::new();
    let mut undeletable: Vec<Value> = Vec::new();
    let ix = index.clone();
    let (h, c) = (hook, edge_coll.to_string());
    let mut edges = crate::store::scan_map_named(store, edge_coll, false, move |name, i| {
        let x = h.as_ref().and_then(|h| h(&c, name, &i));
        Some(Ok((edge_sum(&ix, i), x)))
    })
    .await?;
    let mut edge_unreadable = Vec::new();
    while let Some(item) = edges.next().await {
        let (sum, x) = item?;
        if let Some(x) = x {
            take(true, x);
        }
        match sum {
            EdgeSum::Link(s, t) => {
                rep.edges += 1;
                if !parent.is_empty() {
                    uf_union(&mut parent, s, t);
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
    if !root_fps.is_empty() {
        let orphan = orphan_marks(&index, parent, &root_fps, &unreadable_fps);
        if orphan.iter().any(|&o| o) {
            rep.orphans = name_orphans(store, node_coll, &index, orphan).await?;
        }
    }
    rep.roots.sort_by(|a, b| a.str_bytes().cmp(&b.str_bytes()));
    Ok(rep)
}

/// validate_graph's orphan rule over a finished union-find (`parent`, over the positions of
/// `index`): a node is an orphan when its component holds no Root (`roots`, fingerprints);
/// unreadable nodes (`unreadable`, fingerprints) are not reported. One flag per position.
/// With no Root there are no orphans (all false), as `analyze` reports.
pub fn orphan_marks(
    index: &NodeIndex,
    mut parent: Vec<u32>,
    roots: &[u128],
    unreadable: &[u128],
) -> Vec<bool> {
    let mut orphan = vec![false; index.len()];
    if roots.is_empty() || parent.len() != index.len() {
        return orphan;
    }
    let mut root_sets = vec![false; index.len()];
    for &fp in roots {
        if let Some(r) = index.position(fp) {
            let f = uf_find(&mut parent, r);
            root_sets[f as usize] = true;
        }
    }
    for i in 0..index.len() as u32 {
        if !root_sets[uf_find(&mut parent, i) as usize] {
            orphan[i as usize] = true;
        }
    }
    drop(root_sets);
    drop(parent);
    for fp in unreadable {
        if let Some(i) = index.position(*fp) {
            orphan[i as usize] = false;
        }
    }
    orphan
}

/// The ids (`str(id)`, sorted) of the nodes whose index is marked in `orphan`, read from a
/// second pass over the nodes (the first one kept only fingerprints).
async fn name_orphans(
    store: &dyn Store,
    node_coll: &str,
    index: &Arc<NodeIndex>,
    orphan: Vec<bool>,
) -> Result<Vec<Value>> {
    let orphan = Arc::new(orphan);
    let (ix, marked) = (index.clone(), orphan.clone());
    let mut nodes = scan_mapped(store, node_coll, move |item| match item {
        Item::Record(n) => n.get("id").filter(|v| !v.is_null()).and_then(|id| {
            let i = ix.lookup(id)?;
            marked[i as usize].then(|| (i, Value::from_wtf8(py_str_key(id))))
        }),
        Item::Unreadable { .. } => None,
    })
    .await?;
    let mut reported = vec![false; index.len()];
    let mut out: Vec<Value> = Vec::new();
    while let Some(item) = nodes.next().await {
        if let Some((i, id)) = item?
            && !std::mem::replace(&mut reported[i as usize], true)
        {
            out.push(id);
        }
    }
    out.sort_by(|a, b| a.str_bytes().cmp(&b.str_bytes()));
    Ok(out)
}

/// Ids of the edges that touch any of `node_ids` (top-level or legacy context endpoints).
pub async fn incident_edges(
    store: &dyn Store,
    edge_coll: &str,
    node_ids: &HashSet<&str>,
    unreadable: &mut Vec<(String, String)>,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    // A store that can look incident edges up itself is asked (a superset, checked below by
    // the same rule); otherwise every edge is scanned.
    let ids: Vec<String> = node_ids.iter().map(|s| s.to_string()).collect();
    let mut edges = match store.incident_edge_candidates(edge_coll, &ids).await? {
        Some(items) => futures::stream::iter(items.into_iter().map(Ok)).boxed(),
        None => store.scan(edge_coll).await?,
    };
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
