//! `jvdb stats`: what is in a store, computed in streaming passes with flat memory.
//!
//! Definitions (the same on every backend for the same data):
//! - **bytes** of a record: the length of `json.dumps(record, indent=2)` (the file jvspatial's
//!   JsonDB writes for it), whatever the backend keeps. A collection's bytes sum its readable
//!   records. (PostgreSQL's JSONB gives `-0.0` back as `0` and floats of magnitude ≥ 1e16 as
//!   integers, so a record holding those has other bytes there; see `Store::stored_form`.)
//! - **entity** of a record: `str(record["entity"])`, or none when it is missing or null.
//! - **nodes**: the distinct node ids (`str(id)` of the node records with a non-null id, and
//!   the stored ids of unreadable node records, as `cleanup` counts them).
//! - **edges**: the readable edge records; **bidirectional** by validate_graph's payload rule
//!   (top-level `source`/`target`, else `context`; `bidirectional` truthy); a **self-loop** has
//!   a source equal to its target (`str()` of both, dangling or not).
//! - **dangling** and **orphans**: validate_graph's rule, exactly the sets `cleanup` reports
//!   ([`crate::graph::analyze`]): dangling counts distinct edge ids, orphans distinct node ids;
//!   with no Root there are no orphans (see `roots`).
//! - **degree** of a node counts its non-dangling edges as stored: `out` the edges whose source
//!   it is, `in` those whose target it is, `total` = in + out (a self-loop adds one to each). A
//!   bidirectional edge counts once at each end, as stored (out at its source, in at its
//!   target), so `total` is the number of edge ends at the node and is not inflated by
//!   bidirectional edges; `edges.bidirectional` says how many can be walked both ways.
//! - **percentiles**: nearest rank over the nodes' degrees: the p-th is the value at 1-based
//!   rank ⌈p·n/100⌉ of the ascending list (n = nodes); `mean` = sum / n. All `null` with no
//!   nodes.
//! - **histogram**: nodes per log2 bucket of total degree: `0`, `1`, `2–3`, `4–7`, …, up to the
//!   bucket of the largest degree (empty buckets in between included).
//! - **top**: the N nodes of highest total degree, ties broken by ascending id (`str(id)`
//!   bytes).
//!
//! Memory: 16 bytes (an id fingerprint) + 4 (in) + 4 (out) + 4 (union-find) per node, plus
//! 16 per dangling edge; records are not kept. The top N are named by a second pass over the
//! nodes that keeps a bounded heap of N.

use crate::error::Result;
use crate::graph::{self, NodeIndex};
use crate::json;
use crate::store::{DiskUsage, Item, Store};
use crate::value::{Map, Value};
use futures::StreamExt;
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::sync::Arc;

/// The percentiles reported, besides min and max.
pub const PERCENTILES: [u64; 3] = [50, 90, 99];

/// One collection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CollectionStats {
    pub name: String,
    /// Readable records.
    pub count: u64,
    /// Stored records that could not be read (not in `count` or `bytes`).
    pub unreadable: u64,
    /// `json.dumps(record, indent=2)` bytes of the readable records, summed.
    pub bytes: u64,
    /// Records per entity (`None`: no entity).
    pub entities: BTreeMap<Option<String>, u64>,
    /// Files and bytes on disk, for a store kept in files ([`Store::disk_usage`]).
    pub disk: Option<DiskUsage>,
}

/// Edges of one entity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntityEdges {
    pub count: u64,
    pub bidirectional: u64,
    pub self_loops: u64,
    pub dangling: u64,
}

/// Min, percentiles, max and mean of a degree.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub min: u64,
    /// In the order of [`PERCENTILES`].
    pub percentiles: [u64; 3],
    pub max: u64,
    pub mean: f64,
}

/// One of the top nodes.
#[derive(Debug, Clone, PartialEq)]
pub struct TopNode {
    /// `str(id)` (a `WStr` for an id with a lone surrogate).
    pub id: Value,
    pub entity: Option<String>,
    pub in_degree: u64,
    pub out_degree: u64,
    pub total: u64,
}

/// One histogram bucket: nodes whose total degree is in `from..=to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub from: u64,
    pub to: u64,
    pub nodes: u64,
}

/// The graph part.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GraphStats {
    pub node_collection: String,
    pub edge_collection: String,
    /// Distinct node ids.
    pub nodes: u64,
    /// Root records.
    pub roots: u64,
    /// Readable edge records.
    pub edges: u64,
    pub bidirectional: u64,
    pub self_loops: u64,
    /// Distinct ids of dangling edges.
    pub dangling: u64,
    /// Distinct ids of nodes unreachable from a Root.
    pub orphans: u64,
    pub edges_by_entity: BTreeMap<Option<String>, EntityEdges>,
    pub degree_in: Option<Summary>,
    pub degree_out: Option<Summary>,
    pub degree_total: Option<Summary>,
    pub histogram: Vec<Bucket>,
    pub top: Vec<TopNode>,
}

/// Everything `stats` reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Every collection of the store, sorted by name.
    pub collections: Vec<CollectionStats>,
    pub graph: GraphStats,
}

/// `len(json.dumps(v, indent=2))`, encoded into a buffer each reader thread reuses.
pub fn encoded_len(v: &Value) -> u64 {
    thread_local! {
        static BUF: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(8192));
    }
    BUF.with(|b| {
        let mut b = b.borrow_mut();
        b.clear();
        json::write_python_indent2(v, &mut b);
        let n = b.len() as u64;
        if b.capacity() > 1 << 20 {
            *b = Vec::with_capacity(8192);
        }
        n
    })
}

/// `str(record["entity"])`, or `None` when missing or null.
pub fn entity_label(rec: &Value) -> Option<String> {
    rec.get("entity")
        .filter(|v| !v.is_null())
        .map(graph::py_str)
}

/// What the first node pass keeps of a record.
enum NodeRec {
    Record {
        fp: Option<u128>,
        root: bool,
        entity: Option<String>,
        bytes: u64,
    },
    Unreadable(u128),
}

/// What the edge pass keeps of a record.
enum EdgeRec {
    Record {
        entity: Option<String>,
        bytes: u64,
        bidi: bool,
        self_loop: bool,
        link: Option<(u32, u32)>,
        /// Fingerprint of `str(id)` of a dangling edge.
        dangling: Option<u128>,
    },
    Unreadable,
}

/// What a plain collection pass keeps of a record.
enum PlainRec {
    Record { entity: Option<String>, bytes: u64 },
    Unreadable,
}

fn same_id(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => x == y,
        _ => graph::py_str_key(a) == graph::py_str_key(b),
    }
}

fn edge_rec(index: &NodeIndex, item: Item) -> EdgeRec {
    match item {
        Item::Record(e) => {
            let (src, tgt, bidi) = graph::edge_endpoints(&e);
            let link = graph::link(index, &e);
            let dangling = link.is_none().then(|| {
                graph::fingerprint(&match e.get("id") {
                    Some(id) => graph::py_str_key(id),
                    None => Vec::new(),
                })
            });
            EdgeRec::Record {
                entity: entity_label(&e),
                bytes: encoded_len(&e),
                bidi,
                self_loop: matches!((src, tgt), (Some(s), Some(t)) if same_id(s, t)),
                link,
                dangling,
            }
        }
        Item::Unreadable { .. } => EdgeRec::Unreadable,
    }
}

async fn scan_mapped<T: Send + 'static>(
    store: &dyn Store,
    coll: &str,
    map: impl Fn(Item) -> Option<T> + Send + Sync + 'static,
) -> Result<futures::stream::BoxStream<'static, Result<T>>> {
    crate::store::scan_map(store, coll, false, move |i| map(i).map(Ok)).await
}

/// Nearest-rank summary of `values` (sorted in place); `None` when empty.
pub fn summarize(values: &mut [u32]) -> Option<Summary> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len() as u64;
    let rank = |p: u64| values[(p * n).div_ceil(100).clamp(1, n) as usize - 1] as u64;
    let sum: u64 = values.iter().map(|&v| v as u64).sum();
    Some(Summary {
        min: values[0] as u64,
        percentiles: PERCENTILES.map(rank),
        max: values[values.len() - 1] as u64,
        mean: sum as f64 / n as f64,
    })
}

/// The log2 bucket of a degree: 0 → 0, 1 → 1, 2–3 → 2, 4–7 → 3, …
fn bucket_of(d: u64) -> usize {
    (u64::BITS - d.leading_zeros()) as usize
}

fn bucket_range(b: usize) -> (u64, u64) {
    match b {
        0 => (0, 0),
        b => (1u64 << (b - 1), (1u64 << (b - 1)) * 2 - 1),
    }
}

/// Histogram of total degrees in log2 buckets.
pub fn histogram(totals: &[u32]) -> Vec<Bucket> {
    let mut counts: Vec<u64> = Vec::new();
    for &d in totals {
        let b = bucket_of(d as u64);
        if counts.len() <= b {
            counts.resize(b + 1, 0);
        }
        counts[b] += 1;
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(b, nodes)| {
            let (from, to) = bucket_range(b);
            Bucket { from, to, nodes }
        })
        .collect()
}

/// Compute the statistics of a store: every collection, and the graph of `node_coll` and
/// `edge_coll`; the `top` nodes by degree.
pub async fn compute(
    store: &dyn Store,
    node_coll: &str,
    edge_coll: &str,
    top: usize,
) -> Result<Stats> {
    let names = store.collections().await?;
    // The disk usage (a stat per file of a JSON store, one thread) runs while the records
    // are read, instead of after.
    let disk = async {
        let mut out = Vec::with_capacity(names.len());
        for name in &names {
            out.push(store.disk_usage(name).await?);
        }
        Ok::<_, crate::error::Error>(out)
    };
    let (mut st, disk) =
        futures::try_join!(records(store, &names, node_coll, edge_coll, top), disk)?;
    for (cs, d) in st.collections.iter_mut().zip(disk) {
        cs.disk = d;
    }
    Ok(st)
}

/// Everything but the disk usage.
async fn records(
    store: &dyn Store,
    names: &[String],
    node_coll: &str,
    edge_coll: &str,
    top: usize,
) -> Result<Stats> {
    let mut st = Stats::default();
    let mut g = GraphStats {
        node_collection: node_coll.to_string(),
        edge_collection: edge_coll.to_string(),
        ..GraphStats::default()
    };

    // Pass 1: nodes.
    let mut node_cs = CollectionStats {
        name: node_coll.to_string(),
        ..Default::default()
    };
    let mut fps: Vec<u128> = Vec::new();
    let mut root_fps: Vec<u128> = Vec::new();
    let mut unreadable_fps: Vec<u128> = Vec::new();
    let mut nodes = scan_mapped(store, node_coll, |item| {
        Some(match item {
            Item::Record(n) => {
                let id = n.get("id").filter(|v| !v.is_null());
                NodeRec::Record {
                    fp: id.map(graph::fingerprint_of),
                    root: id.is_some() && graph::is_root(&n),
                    entity: entity_label(&n),
                    bytes: encoded_len(&n),
                }
            }
            Item::Unreadable { id, .. } => NodeRec::Unreadable(graph::fingerprint(id.as_bytes())),
        })
    })
    .await?;
    while let Some(r) = nodes.next().await {
        match r? {
            NodeRec::Record {
                fp,
                root,
                entity,
                bytes,
            } => {
                node_cs.count += 1;
                node_cs.bytes += bytes;
                *node_cs.entities.entry(entity).or_default() += 1;
                if let Some(fp) = fp {
                    fps.push(fp);
                    if root {
                        g.roots += 1;
                        root_fps.push(fp);
                    }
                }
            }
            NodeRec::Unreadable(fp) => {
                node_cs.unreadable += 1;
                fps.push(fp);
                unreadable_fps.push(fp);
            }
        }
    }
    drop(nodes);
    let index = Arc::new(NodeIndex::new(fps));
    let n = index.len();
    g.nodes = n as u64;

    // Pass 2: edges.
    let mut edge_cs = CollectionStats {
        name: edge_coll.to_string(),
        ..Default::default()
    };
    let mut indeg = vec![0u32; n];
    let mut outdeg = vec![0u32; n];
    let mut parent: Vec<u32> = if root_fps.is_empty() {
        Vec::new()
    } else {
        (0..n as u32).collect()
    };
    let mut dangling: Vec<u128> = Vec::new();
    let ix = index.clone();
    let mut edges = scan_mapped(store, edge_coll, move |item| Some(edge_rec(&ix, item))).await?;
    while let Some(r) = edges.next().await {
        match r? {
            EdgeRec::Record {
                entity,
                bytes,
                bidi,
                self_loop,
                link,
                dangling: dfp,
            } => {
                edge_cs.count += 1;
                edge_cs.bytes += bytes;
                g.edges += 1;
                g.bidirectional += bidi as u64;
                g.self_loops += self_loop as u64;
                let by = g.edges_by_entity.entry(entity.clone()).or_default();
                by.count += 1;
                by.bidirectional += bidi as u64;
                by.self_loops += self_loop as u64;
                by.dangling += dfp.is_some() as u64;
                *edge_cs.entities.entry(entity).or_default() += 1;
                if let Some((s, t)) = link {
                    outdeg[s as usize] = outdeg[s as usize].saturating_add(1);
                    indeg[t as usize] = indeg[t as usize].saturating_add(1);
                    if !parent.is_empty() {
                        graph::uf_union(&mut parent, s, t);
                    }
                }
                if let Some(fp) = dfp {
                    dangling.push(fp);
                }
            }
            EdgeRec::Unreadable => edge_cs.unreadable += 1,
        }
    }
    drop(edges);
    dangling.sort_unstable();
    dangling.dedup();
    g.dangling = dangling.len() as u64;
    drop(dangling);
    let orphan = graph::orphan_marks(&index, parent, &root_fps, &unreadable_fps);
    g.orphans = orphan.iter().filter(|&&o| o).count() as u64;
    drop(orphan);

    // Degrees.
    let totals: Vec<u32> = indeg
        .iter()
        .zip(&outdeg)
        .map(|(&i, &o)| i.saturating_add(o))
        .collect();
    g.histogram = histogram(&totals);
    g.degree_in = summarize(&mut indeg.clone());
    g.degree_out = summarize(&mut outdeg.clone());
    g.degree_total = summarize(&mut totals.clone());
    if top > 0 && n > 0 {
        g.top = top_nodes(store, node_coll, &index, &indeg, &outdeg, &totals, top).await?;
    }
    drop((indeg, outdeg, totals));

    // Every other collection.
    for name in names {
        let cs = if store.same_collection(node_coll, name) {
            CollectionStats {
                name: name.clone(),
                ..node_cs.clone()
            }
        } else if store.same_collection(edge_coll, name) {
            CollectionStats {
                name: name.clone(),
                ..edge_cs.clone()
            }
        } else {
            plain_collection(store, name).await?
        };
        st.collections.push(cs);
    }
    st.graph = g;
    Ok(st)
}

async fn plain_collection(store: &dyn Store, name: &str) -> Result<CollectionStats> {
    let mut cs = CollectionStats {
        name: name.to_string(),
        ..Default::default()
    };
    let mut items = scan_mapped(store, name, |item| {
        Some(match item {
            Item::Record(r) => PlainRec::Record {
                entity: entity_label(&r),
                bytes: encoded_len(&r),
            },
            Item::Unreadable { .. } => PlainRec::Unreadable,
        })
    })
    .await?;
    while let Some(r) = items.next().await {
        match r? {
            PlainRec::Record { entity, bytes } => {
                cs.count += 1;
                cs.bytes += bytes;
                *cs.entities.entry(entity).or_default() += 1;
            }
            PlainRec::Unreadable => cs.unreadable += 1,
        }
    }
    Ok(cs)
}

/// A top-N candidate: (lowest total first, id bytes, node position, entity).
type Ranked = (Reverse<u32>, Vec<u8>, u32, Option<String>);

/// The `top` nodes by total degree (ties by ascending id), named by a second pass over the
/// nodes that sends only the nodes at or above the N-th highest degree and keeps N of them.
async fn top_nodes(
    store: &dyn Store,
    node_coll: &str,
    index: &Arc<NodeIndex>,
    indeg: &[u32],
    outdeg: &[u32],
    totals: &[u32],
    top: usize,
) -> Result<Vec<TopNode>> {
    let mut sorted = totals.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let threshold = sorted[top.min(sorted.len()) - 1];
    drop(sorted);
    let totals_arc: Arc<Vec<u32>> = Arc::new(totals.to_vec());
    let (ix, tot) = (index.clone(), totals_arc.clone());
    let mut nodes = scan_mapped(store, node_coll, move |item| match item {
        Item::Record(n) => {
            let id = n.get("id").filter(|v| !v.is_null())?;
            let i = ix.lookup(id)?;
            (tot[i as usize] >= threshold)
                .then(|| (i, Value::from_wtf8(graph::py_str_key(id)), entity_label(&n)))
        }
        Item::Unreadable { id, .. } => {
            let i = ix.position(graph::fingerprint(id.as_bytes()))?;
            (tot[i as usize] >= threshold).then(|| (i, Value::Str(id), None))
        }
    })
    .await?;
    let mut seen = vec![false; index.len()];
    // A max-heap whose top is the worst kept node: lowest total, then highest id.
    let mut heap: BinaryHeap<Ranked> = BinaryHeap::new();
    while let Some(r) = nodes.next().await {
        let (i, id, entity) = r?;
        if std::mem::replace(&mut seen[i as usize], true) {
            continue;
        }
        let key = id.str_bytes().unwrap_or_default().to_vec();
        heap.push((Reverse(totals_arc[i as usize]), key, i, entity));
        if heap.len() > top {
            heap.pop();
        }
    }
    let mut out: Vec<_> = heap.into_vec();
    out.sort();
    Ok(out
        .into_iter()
        .map(|(_, key, i, entity)| TopNode {
            id: Value::from_wtf8(key),
            entity,
            in_degree: indeg[i as usize] as u64,
            out_degree: outdeg[i as usize] as u64,
            total: totals_arc[i as usize] as u64,
        })
        .collect())
}

fn int(n: u64) -> Value {
    Value::Int(n.min(i64::MAX as u64) as i64)
}

fn entity_value(e: &Option<String>) -> Value {
    match e {
        Some(s) => Value::Str(s.clone()),
        None => Value::Null,
    }
}

fn summary_value(s: &Option<Summary>) -> Value {
    let mut m = Map::new();
    let keys = ["min", "p50", "p90", "p99", "max", "mean"];
    match s {
        None => {
            for k in keys {
                m.insert(k.into(), Value::Null);
            }
        }
        Some(s) => {
            m.insert("min".into(), int(s.min));
            for (k, v) in ["p50", "p90", "p99"].iter().zip(s.percentiles) {
                m.insert((*k).into(), int(v));
            }
            m.insert("max".into(), int(s.max));
            m.insert("mean".into(), Value::Float(s.mean));
        }
    }
    Value::Object(m)
}

fn disk_value(d: &DiskUsage) -> Value {
    let mut m = Map::new();
    m.insert("files".into(), int(d.files));
    m.insert("bytes".into(), int(d.bytes));
    m.insert("allocated_bytes".into(), int(d.allocated_bytes));
    Value::Object(m)
}

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert(k.into(), v);
    }
    Value::Object(m)
}

impl Stats {
    /// Totals over the collections' disk usage, when the store reports it.
    pub fn disk_total(&self) -> Option<DiskUsage> {
        let mut any = false;
        let mut t = DiskUsage::default();
        for c in &self.collections {
            if let Some(d) = c.disk {
                any = true;
                t.files += d.files;
                t.bytes += d.bytes;
                t.allocated_bytes += d.allocated_bytes;
            }
        }
        any.then_some(t)
    }

    /// The `--format json` document (its keys are documented in the README and stable).
    pub fn to_value(&self, store: &str) -> Value {
        let g = &self.graph;
        let collections = self
            .collections
            .iter()
            .map(|c| {
                obj(vec![
                    ("name", Value::Str(c.name.clone())),
                    ("count", int(c.count)),
                    ("unreadable", int(c.unreadable)),
                    ("bytes", int(c.bytes)),
                    (
                        "entities",
                        Value::Array(
                            c.entities
                                .iter()
                                .map(|(e, n)| {
                                    obj(vec![("entity", entity_value(e)), ("count", int(*n))])
                                })
                                .collect(),
                        ),
                    ),
                    ("disk", c.disk.as_ref().map_or(Value::Null, disk_value)),
                ])
            })
            .collect();
        let by_entity = g
            .edges_by_entity
            .iter()
            .map(|(e, x)| {
                obj(vec![
                    ("entity", entity_value(e)),
                    ("count", int(x.count)),
                    ("bidirectional", int(x.bidirectional)),
                    ("directed", int(x.count - x.bidirectional)),
                    ("self_loops", int(x.self_loops)),
                    ("dangling", int(x.dangling)),
                ])
            })
            .collect();
        let graph = obj(vec![
            ("node_collection", Value::Str(g.node_collection.clone())),
            ("edge_collection", Value::Str(g.edge_collection.clone())),
            ("nodes", int(g.nodes)),
            ("roots", int(g.roots)),
            ("edges", int(g.edges)),
            ("bidirectional", int(g.bidirectional)),
            ("directed", int(g.edges - g.bidirectional)),
            ("self_loops", int(g.self_loops)),
            ("dangling", int(g.dangling)),
            ("orphans", int(g.orphans)),
            ("edges_by_entity", Value::Array(by_entity)),
            (
                "degree",
                obj(vec![
                    ("in", summary_value(&g.degree_in)),
                    ("out", summary_value(&g.degree_out)),
                    ("total", summary_value(&g.degree_total)),
                ]),
            ),
            (
                "histogram",
                Value::Array(
                    g.histogram
                        .iter()
                        .map(|b| {
                            obj(vec![
                                ("from", int(b.from)),
                                ("to", int(b.to)),
                                ("nodes", int(b.nodes)),
                            ])
                        })
                        .collect(),
                ),
            ),
            (
                "top",
                Value::Array(
                    g.top
                        .iter()
                        .map(|t| {
                            obj(vec![
                                ("id", t.id.clone()),
                                ("entity", entity_value(&t.entity)),
                                ("in", int(t.in_degree)),
                                ("out", int(t.out_degree)),
                                ("total", int(t.total)),
                            ])
                        })
                        .collect(),
                ),
            ),
        ]);
        obj(vec![
            ("store", Value::Str(store.to_string())),
            ("collections", Value::Array(collections)),
            ("graph", graph),
            (
                "disk",
                self.disk_total().as_ref().map_or(Value::Null, disk_value),
            ),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let mut v: Vec<u32> = (1..=10).collect();
        let s = summarize(&mut v).unwrap();
        assert_eq!((s.min, s.max), (1, 10));
        assert_eq!(s.percentiles, [5, 9, 10]);
        assert_eq!(s.mean, 5.5);
        let mut one = vec![7];
        assert_eq!(summarize(&mut one).unwrap().percentiles, [7, 7, 7]);
        assert!(summarize(&mut []).is_none());
    }

    #[test]
    fn log2_buckets() {
        let h = histogram(&[0, 1, 2, 3, 4, 9]);
        let got: Vec<_> = h.iter().map(|b| (b.from, b.to, b.nodes)).collect();
        assert_eq!(
            got,
            vec![(0, 0, 1), (1, 1, 1), (2, 3, 2), (4, 7, 1), (8, 15, 1)]
        );
    }
}
