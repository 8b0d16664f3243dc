//! Walking the graph from a node: incident edges, breadth-first neighbourhoods, shortest
//! paths — what `jvdb edges`, `neighbors`, `path` and `export --from` ask.
//!
//! The rules are jvspatial 0.2.2's (`Node.edges`, `core/graph_expansion`):
//! - an edge touches a node through its top-level `source` and `target` (the fields
//!   `Node.edges` queries; legacy endpoints under `context` are not walked);
//! - a directed edge is followed from its source for `out`, from its target for `in`, from
//!   either for `both`; a bidirectional edge (a `bidirectional` field that is true, or none at
//!   all: the `Edge` default) is followed both ways whatever the direction;
//! - a walk reaches only nodes that exist: an edge whose other end is not a node record
//!   (a dangling edge) is not followed.
//!
//! Cost: per level, one batched lookup of the edges touching every node of the level, through
//! the store's indexes when it offers [`Store::edges_touching`] (MongoDB, PostgreSQL, SQLite),
//! else one scan of the edges; then one batched lookup of the new nodes by primary key.
//! Memory: the ids of the nodes reached and the edges of one level.

use crate::error::{Error, Result};
use crate::graph::py_str;
use crate::query::{Dialect, Filter};
use crate::store::{FindSpec, GetResult, Item, Store};
use crate::value::{Map, Value};
use futures::StreamExt;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Which edges a walk follows from a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    In,
    Out,
    Both,
}

impl Direction {
    pub fn name(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
            Direction::Both => "both",
        }
    }
}

/// The graph of one store: where its nodes and edges are, and which edges a walk follows.
pub struct Graph<'a> {
    pub store: &'a dyn Store,
    pub node_coll: String,
    pub edge_coll: String,
    /// Only edges of these entities (empty = all).
    pub edge_entities: Vec<String>,
}

/// What a walk cost, level by level (for `-v` and for the tests that count round trips).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WalkStats {
    /// Batched edge lookups through the store's indexes ([`Store::edges_touching`]).
    pub edge_lookups: u64,
    /// Scans of every edge (stores without indexed lookups).
    pub edge_scans: u64,
    /// Batched node lookups by primary key (or, on a store without a query engine, rounds of
    /// single reads by id).
    pub node_lookups: u64,
    /// Records that could not be read on the way: (collection, id, reason).
    pub unreadable: Vec<(String, String, String)>,
}

/// One edge seen from a node: the edge record, its id, and the node at its other end.
#[derive(Debug, Clone)]
pub struct Step {
    /// The node of the level the edge was found from.
    pub from: String,
    /// The node at the other end (the same node for a self-loop).
    pub to: String,
    pub edge_id: String,
    pub edge: Value,
}

/// A top-level endpoint that is a string (what `Node.edges` matches).
fn end<'v>(edge: &'v Value, key: &str) -> Option<&'v str> {
    match edge.get(key) {
        Some(Value::Str(s)) => Some(s.as_str()),
        _ => None,
    }
}

/// jvspatial's `Edge.bidirectional`, which defaults to true.
fn bidirectional(edge: &Value) -> bool {
    match edge.get("bidirectional") {
        None => true,
        Some(v) => crate::query::jvspatial::py_truthy(v),
    }
}

impl Graph<'_> {
    fn entity_ok(&self, edge: &Value) -> bool {
        self.edge_entities.is_empty()
            || edge
                .get("entity")
                .is_some_and(|e| self.edge_entities.iter().any(|x| *x == py_str(e)))
    }

    /// The edges followed from each of `ids` in direction `dir`, in the order the store gave
    /// them (an edge between two of `ids` is seen from both).
    pub async fn steps(
        &self,
        ids: &[String],
        dir: Direction,
        stats: &mut WalkStats,
    ) -> Result<Vec<Step>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let items = match self.store.edges_touching(&self.edge_coll, ids).await? {
            Some(items) => {
                stats.edge_lookups += 1;
                items
            }
            None => {
                stats.edge_scans += 1;
                self.scan_touching(ids).await?
            }
        };
        let set: HashSet<&str> = ids.iter().map(String::as_str).collect();
        let mut out = Vec::new();
        for item in items {
            let edge = match item {
                Item::Record(e) => e,
                Item::Unreadable { id, reason } => {
                    stats.unreadable.push((self.edge_coll.clone(), id, reason));
                    continue;
                }
            };
            if !self.entity_ok(&edge) {
                continue;
            }
            let (Some(s), Some(t)) = (end(&edge, "source"), end(&edge, "target")) else {
                continue;
            };
            let both = bidirectional(&edge);
            let edge_id = edge.record_id().unwrap_or_default().to_string();
            let mut push = |from: &str, to: &str| {
                out.push(Step {
                    from: from.to_string(),
                    to: to.to_string(),
                    edge_id: edge_id.clone(),
                    edge: edge.clone(),
                })
            };
            if set.contains(s) && (both || dir != Direction::In) {
                push(s, t);
            }
            if s != t && set.contains(t) && (both || dir != Direction::Out) {
                push(t, s);
            }
        }
        // The same order on every backend (so the same `via` edges and the same paths).
        out.sort_by(|a, b| (&a.edge_id, &a.from).cmp(&(&b.edge_id, &b.from)));
        Ok(out)
    }

    /// Every edge whose top-level source or target is one of `ids`, by a scan (mapped where
    /// the store reads).
    async fn scan_touching(&self, ids: &[String]) -> Result<Vec<Item>> {
        let set: Arc<HashSet<String>> = Arc::new(ids.iter().cloned().collect());
        let mut items =
            crate::store::scan_map(self.store, &self.edge_coll, false, move |i| match &i {
                Item::Record(e) => {
                    let hit = |k| end(e, k).is_some_and(|x| set.contains(x));
                    (hit("source") || hit("target")).then_some(Ok(i))
                }
                Item::Unreadable { .. } => Some(Ok(i)),
            })
            .await?;
        let mut out = Vec::new();
        while let Some(i) = items.next().await {
            out.push(i?);
        }
        Ok(out)
    }

    /// The node records of `ids` that exist (id → record), in one batched lookup by primary
    /// key where the store has a query engine, else by reads of single ids.
    pub async fn nodes(
        &self,
        ids: &[String],
        stats: &mut WalkStats,
    ) -> Result<HashMap<String, Value>> {
        let mut out = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        stats.node_lookups += 1;
        if self.store.read_caps().filter_pushdown {
            for chunk in ids.chunks(10_000) {
                let mut inn = Map::new();
                inn.insert(
                    "$in".into(),
                    Value::Array(chunk.iter().map(|s| Value::Str(s.clone())).collect()),
                );
                let mut q = Map::new();
                q.insert(self.store.id_key().into(), Value::Object(inn));
                let filter = Filter::compile(&Value::Object(q), Dialect::Mongo)?;
                let mut items = self
                    .store
                    .find(&self.node_coll, FindSpec::all(filter))
                    .await?;
                while let Some(item) = items.next().await {
                    self.keep_node(item?, &mut out, stats);
                }
            }
        } else {
            let store = self.store;
            let coll = self.node_coll.as_str();
            let mut reads = futures::stream::iter(
                ids.iter()
                    .map(|id| async move { (id.clone(), store.get(coll, id).await) }),
            )
            .buffer_unordered(16);
            while let Some((id, got)) = reads.next().await {
                match got? {
                    GetResult::Found(rec) => self.keep_node(Item::Record(rec), &mut out, stats),
                    GetResult::Unreadable(reason) => {
                        self.keep_node(Item::Unreadable { id, reason }, &mut out, stats)
                    }
                    GetResult::Missing => {}
                }
            }
        }
        Ok(out)
    }

    fn keep_node(&self, item: Item, out: &mut HashMap<String, Value>, stats: &mut WalkStats) {
        match item {
            Item::Record(rec) => {
                if let Some(id) = rec.record_id() {
                    out.insert(id.to_string(), rec);
                }
            }
            // A node that exists but cannot be read is reached (its edges are real), shown
            // without its record, and reported.
            Item::Unreadable { id, reason } => {
                stats
                    .unreadable
                    .push((self.node_coll.clone(), id.clone(), reason));
                out.insert(id, Value::Null);
            }
        }
    }

    /// The record of node `id`, or a not-found error naming it.
    pub async fn node(&self, id: &str, stats: &mut WalkStats) -> Result<Value> {
        let mut found = self.nodes(&[id.to_string()], stats).await?;
        found.remove(id).ok_or_else(|| {
            Error::not_found(format!(
                "node {id} not found in collection {} of {}",
                self.node_coll,
                self.store.describe()
            ))
        })
    }
}

/// A node reached by a walk.
#[derive(Debug, Clone)]
pub struct Reached {
    pub id: String,
    pub depth: u32,
    /// The edge it was first reached through (`None` for the start).
    pub via: Option<String>,
    /// The node it was first reached from (`None` for the start).
    pub parent: Option<String>,
    /// Its record (`Null` when it could not be read).
    pub record: Value,
}

/// What a breadth-first walk reached.
#[derive(Debug, Default)]
pub struct Neighborhood {
    /// Reached nodes, the start first (depth 0), in breadth-first order.
    pub reached: Vec<Reached>,
    /// Reached node ids with their depth (the start is depth 0), in breadth-first order.
    pub nodes: Vec<(String, u32)>,
    /// Every followed edge between two reached nodes, once, in the order found.
    pub edges: Vec<Value>,
    /// Whether `max_nodes` cut the walk short.
    pub cut: bool,
    pub stats: WalkStats,
}

/// Breadth-first from `start` up to `depth` steps, at most `max_nodes` nodes (the start
/// included). Each node once, at its smallest depth. `edges` holds every followed edge
/// between two reached nodes, including those among the last level (one more edge lookup).
pub async fn neighborhood(
    g: &Graph<'_>,
    start: &str,
    depth: u32,
    dir: Direction,
    max_nodes: Option<u64>,
) -> Result<Neighborhood> {
    levels(g, start, depth, dir, max_nodes, true).await
}

/// [`neighborhood`] without the edges among the last level (no extra lookup): the nodes
/// within `depth` steps, for `jvdb neighbors`.
pub async fn reach(
    g: &Graph<'_>,
    start: &str,
    depth: u32,
    dir: Direction,
    max_nodes: Option<u64>,
) -> Result<Neighborhood> {
    levels(g, start, depth, dir, max_nodes, false).await
}

async fn levels(
    g: &Graph<'_>,
    start: &str,
    depth: u32,
    dir: Direction,
    max_nodes: Option<u64>,
    close: bool,
) -> Result<Neighborhood> {
    let mut n = walk(g, start, depth, dir, max_nodes, None, close).await?;
    n.nodes = n.reached.iter().map(|r| (r.id.clone(), r.depth)).collect();
    Ok(n)
}

/// A shortest path from `from` to `to` within `max_depth` steps: the nodes along it, `from`
/// first, each with the edge that leads to it. `Ok(None)` when there is none.
pub async fn shortest_path(
    g: &Graph<'_>,
    from: &str,
    to: &str,
    max_depth: u32,
    dir: Direction,
    stats: &mut WalkStats,
) -> Result<Option<Vec<Reached>>> {
    let target = g.node(to, stats).await?;
    let n = walk(g, from, max_depth, dir, None, Some(to), false).await?;
    stats.edge_lookups += n.stats.edge_lookups;
    stats.edge_scans += n.stats.edge_scans;
    stats.node_lookups += n.stats.node_lookups;
    stats.unreadable.extend(n.stats.unreadable);
    let index: HashMap<&str, &Reached> = n.reached.iter().map(|r| (r.id.as_str(), r)).collect();
    let Some(mut at) = index.get(to).copied() else {
        return Ok(None);
    };
    let mut path = vec![at.clone()];
    while let Some(p) = &at.parent {
        at = index[p.as_str()];
        path.push(at.clone());
    }
    path.reverse();
    if let Some(last) = path.last_mut() {
        last.record = target;
    }
    Ok(Some(path))
}

/// The breadth-first walk behind [`neighborhood`] and [`shortest_path`]: stops at `depth`,
/// at `max_nodes`, or when `goal` is reached; `close` also collects the edges among the
/// last level.
async fn walk(
    g: &Graph<'_>,
    start: &str,
    depth: u32,
    dir: Direction,
    max_nodes: Option<u64>,
    goal: Option<&str>,
    close: bool,
) -> Result<Neighborhood> {
    let mut n = Neighborhood::default();
    let record = g.node(start, &mut n.stats).await?;
    let mut seen: HashSet<String> = HashSet::from([start.to_string()]);
    let mut edge_seen: HashSet<String> = HashSet::new();
    n.reached.push(Reached {
        id: start.to_string(),
        depth: 0,
        via: None,
        parent: None,
        record,
    });
    let mut frontier = vec![start.to_string()];
    let full = |n: &Neighborhood| max_nodes.is_some_and(|m| n.reached.len() as u64 >= m);
    if goal == Some(start) {
        return Ok(n);
    }
    for d in 1..=depth {
        if frontier.is_empty() {
            break;
        }
        if full(&n) {
            n.cut = true;
            break;
        }
        let steps = g.steps(&frontier, dir, &mut n.stats).await?;
        // New ends, in the order found, with the first edge and node that led to each.
        let mut fresh: Vec<&Step> = Vec::new();
        let mut fresh_ids: HashSet<&str> = HashSet::new();
        for s in &steps {
            if !seen.contains(&s.to) && fresh_ids.insert(s.to.as_str()) {
                fresh.push(s);
            }
        }
        let ids: Vec<String> = fresh.iter().map(|s| s.to.clone()).collect();
        let mut found = g.nodes(&ids, &mut n.stats).await?;
        let mut next = Vec::new();
        let mut reached_goal = false;
        for s in fresh {
            let Some(rec) = found.remove(&s.to) else {
                continue; // a dangling edge: its other end is no node
            };
            if full(&n) {
                n.cut = true;
                break;
            }
            seen.insert(s.to.clone());
            reached_goal |= goal == Some(s.to.as_str());
            n.reached.push(Reached {
                id: s.to.clone(),
                depth: d,
                via: Some(s.edge_id.clone()),
                parent: Some(s.from.clone()),
                record: rec,
            });
            next.push(s.to.clone());
        }
        for s in steps {
            if seen.contains(&s.to) && edge_seen.insert(s.edge_id.clone()) {
                n.edges.push(s.edge);
            }
        }
        if reached_goal {
            return Ok(n);
        }
        frontier = next;
    }
    if close && !frontier.is_empty() && n.reached.iter().any(|r| r.depth > 0) {
        // Edges among the last level (and from it back to earlier ones not yet seen).
        for s in g.steps(&frontier, dir, &mut n.stats).await? {
            if seen.contains(&s.to) && edge_seen.insert(s.edge_id.clone()) {
                n.edges.push(s.edge);
            }
        }
    }
    Ok(n)
}
