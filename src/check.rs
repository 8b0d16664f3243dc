//! `jvdb check`: a read-only consistency report of a whole store, and the pre-flight of
//! `migrate` (what a target will refuse, said before anything is written).
//!
//! Every collection is read once, in the store's cheapest order, and each record is judged where the store reads
//! it (a JSON store's reader threads): unreadable, no `id`/`entity`, an id whose `<t>.<Class>.`
//! prefix disagrees with its collection or `entity`, a file name that is not `<id>.json`, and,
//! per target asked for, the values the target cannot store (by the target's own rule). The
//! graph rules are [`crate::graph::analyze`]'s (the exact dangling set `cleanup` deletes, and
//! validate_graph's orphans). Duplicate edges on `(source, target, entity)` are found from
//! 16-byte fingerprints of the three, kept per edge; only the duplicates' ids are read again.
//! Memory is flat in the records: fingerprints, plus the findings a caller keeps.

use crate::error::Result;
use crate::graph;
use crate::store::{Item, Store, WriteLimits};
use crate::value::Value;
use futures::StreamExt;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The finding kinds, in report order, with what each means (README, `check --help`).
pub const KINDS: &[(&str, &str)] = &[
    (
        UNREADABLE,
        "a stored record that cannot be read or parsed (bad JSON, not an object, not a file)",
    ),
    (MISSING_ID, "a record without a string `id`"),
    (MISSING_ENTITY, "a record without a string `entity`"),
    (
        ENTITY_MISMATCH,
        "an id `<t>.<Class>.<hex>` whose type prefix is not its collection's (n. node, e. edge, o. object, w. walker) or whose class is not its `entity`",
    ),
    (
        FILE_NAME_MISMATCH,
        "JSON store: a file not named `<id>.json` (jvspatial's get by id does not find it)",
    ),
    (
        DANGLING_EDGE,
        "an edge whose source or target is missing or not a node (validate_graph's rule: what `cleanup` deletes)",
    ),
    (
        ORPHAN_NODE,
        "a node not reachable from Root (validate_graph's rule)",
    ),
    (MISSING_ROOT, "nodes exist but no Root node does"),
    (
        DUPLICATE_EDGE,
        "an edge with the same (source, target, entity) as another: jvspatial's unique index on MongoDB, SQLite and PostgreSQL refuses it",
    ),
    (
        LEGACY_EDGES_ARRAY,
        "a node that carries a legacy `edges` array (`cleanup --strip-node-edges`, `migrate --upgrade`)",
    ),
    (
        STALE_TEMP_FILE,
        "a temp file of an interrupted write (`cleanup --tmp-files` removes it)",
    ),
    (
        INT_BEYOND_64_BITS,
        "--for mongodb: an integer beyond 64 bits (BSON cannot store it)",
    ),
    (
        NAN_INFINITY,
        "--for postgres: NaN or Infinity (JSONB cannot store it)",
    ),
    (
        NUL_CHARACTER,
        "--for postgres/mongodb: \\u0000 in a string (JSONB) or a key (JSONB, BSON)",
    ),
    (
        LONE_SURROGATE,
        "--for postgres/mongodb: a string with a lone surrogate (not UTF-8)",
    ),
    (
        COLLECTION_NAME,
        "--for: a collection name the target cannot hold",
    ),
];

pub const UNREADABLE: &str = "unreadable";
pub const MISSING_ID: &str = "missing_id";
pub const MISSING_ENTITY: &str = "missing_entity";
pub const ENTITY_MISMATCH: &str = "entity_mismatch";
pub const FILE_NAME_MISMATCH: &str = "file_name_mismatch";
pub const DANGLING_EDGE: &str = "dangling_edge";
pub const ORPHAN_NODE: &str = "orphan_node";
pub const MISSING_ROOT: &str = "missing_root";
pub const DUPLICATE_EDGE: &str = "duplicate_edge";
pub const LEGACY_EDGES_ARRAY: &str = "legacy_edges_array";
pub const STALE_TEMP_FILE: &str = "stale_temp_file";
pub const INT_BEYOND_64_BITS: &str = "int_beyond_64_bits";
pub const NAN_INFINITY: &str = "nan_infinity";
pub const NUL_CHARACTER: &str = "nul_character";
pub const LONE_SURROGATE: &str = "lone_surrogate";
pub const COLLECTION_NAME: &str = "collection_name";

/// Position of a kind in [`KINDS`] (report order).
pub fn kind_order(kind: &str) -> usize {
    KINDS
        .iter()
        .position(|(k, _)| *k == kind)
        .unwrap_or(KINDS.len())
}

/// One problem found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: &'static str,
    pub collection: String,
    /// The record's id (or, without one, the name it is stored under; a temp file's name).
    pub id: String,
    pub reason: String,
    /// The target backend whose rule this is (`--for`), else `None`.
    pub target: Option<&'static str>,
    /// The field a value finding is about (a dotted path), else empty.
    pub field: String,
}

/// What to check.
#[derive(Clone, Debug)]
pub struct Options {
    pub node_collection: String,
    pub edge_collection: String,
    /// `--for` targets: their rules.
    pub targets: Vec<WriteLimits>,
}

/// What was read.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Records read per collection (unreadable ones included), sorted by name.
    pub collections: Vec<(String, u64)>,
    pub nodes: u64,
    pub edges: u64,
    /// Findings per kind.
    pub counts: BTreeMap<&'static str, u64>,
}

impl Summary {
    pub fn findings(&self) -> u64 {
        self.counts.values().sum()
    }
}

/// What one record pass judges.
struct PassRules {
    /// The structural checks (id, entity, prefix, file name, unreadable).
    structural: bool,
    node_collection: String,
    edge_collection: String,
    targets: Vec<WriteLimits>,
}

/// What the pass keeps of one record: its findings and, for an edge, the fingerprint of its
/// `(source, target, entity)`.
struct RecSum {
    findings: Vec<Finding>,
    edge_key: Option<u128>,
}

/// The fingerprint of an edge's top-level `(source, target, entity)`, the key of jvspatial's
/// unique edge index; `None` when one of them is missing or null (SQL unique indexes let any
/// number of NULL keys through, and such an edge is dangling anyway).
pub fn edge_key(edge: &Value) -> Option<u128> {
    let m = edge.as_object()?;
    let mut key = Vec::with_capacity(96);
    for f in ["source", "target", "entity"] {
        let v = m.get(f).filter(|v| !v.is_null())?;
        crate::json::write_line_bytes(v, &mut key);
        key.push(0);
    }
    Some(graph::fingerprint(&key))
}

/// The collection a jvspatial id prefix belongs to (`Object.get_collection_name`).
fn prefix_collection<'a>(prefix: &str, rules: &'a PassRules) -> Option<&'a str> {
    match prefix {
        "n" => Some(&rules.node_collection),
        "e" => Some(&rules.edge_collection),
        "o" => Some("object"),
        "w" => Some("walker"),
        _ => None,
    }
}

fn shown(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        other => crate::json::to_line(other),
    }
}

fn judge(coll: &str, rules: &PassRules, name: Option<&str>, item: &Item) -> RecSum {
    let mut out = RecSum {
        findings: Vec::new(),
        edge_key: None,
    };
    let mut push = |kind: &'static str, id: &str, reason: String, target, field: &str| {
        out.findings.push(Finding {
            kind,
            collection: coll.to_string(),
            id: id.to_string(),
            reason,
            target,
            field: field.to_string(),
        })
    };
    let rec = match item {
        Item::Unreadable { id, reason } => {
            if rules.structural {
                push(UNREADABLE, id, reason.clone(), None, "");
            }
            return out;
        }
        Item::Record(r) => r,
    };
    let id_val = rec.get("id").filter(|v| !v.is_null());
    let id: String = match (id_val, name) {
        (Some(Value::Str(s)), _) => s.clone(),
        (_, Some(n)) => n.to_string(),
        (Some(v), None) => shown(v),
        (None, None) => String::new(),
    };
    if rules.structural {
        let entity = rec.get("entity").filter(|v| !v.is_null());
        let absent = |field: &str| match (field, name) {
            ("id", Some(n)) => format!("record stored as {n:?} has no id"),
            _ => format!("record has no {field}"),
        };
        for (kind, field, v) in [
            (MISSING_ID, "id", id_val),
            (MISSING_ENTITY, "entity", entity),
        ] {
            let reason = match v {
                None => absent(field),
                Some(Value::Str(_)) => continue,
                Some(v) => format!("'{field}' is {} {}, not a string", v.type_name(), shown(v)),
            };
            push(kind, &id, reason, None, "");
        }
        if let (Some(n), Some(Value::Str(s))) = (name, id_val)
            && n != s
        {
            push(
                FILE_NAME_MISMATCH,
                s,
                format!(
                    "stored in {n}.json, but its id is {s:?}: jvspatial's get({s:?}) does not find it"
                ),
                None,
                "",
            );
        }
        if let Some(Value::Str(s)) = id_val {
            let mut parts = s.splitn(3, '.');
            if let (Some(t), Some(class), Some(rest)) = (parts.next(), parts.next(), parts.next())
                && !class.is_empty()
                && !rest.is_empty()
                && let Some(home) = prefix_collection(t, rules)
            {
                let known = [
                    rules.node_collection.as_str(),
                    rules.edge_collection.as_str(),
                    "object",
                    "walker",
                ];
                if known.contains(&coll) && home != coll {
                    push(
                        ENTITY_MISMATCH,
                        s,
                        format!(
                            "id prefix '{t}.' belongs in collection {home}, but the record is in {coll}"
                        ),
                        None,
                        "",
                    );
                }
                if let Some(Value::Str(e)) = entity
                    && e != class
                {
                    push(
                        ENTITY_MISMATCH,
                        s,
                        format!("id names class {class:?}, but entity is {e:?}"),
                        None,
                        "",
                    );
                }
            }
        }
    }
    for t in &rules.targets {
        if let Some(f) = t.value
            && let Some(u) = f(rec)
        {
            push(u.problem.kind(), &id, u.message, Some(t.target), &u.path);
        }
    }
    if coll == rules.edge_collection {
        out.edge_key = edge_key(rec);
    }
    out
}

/// Read `coll` once, judging every record; findings go to `sink` in id order. Returns the
/// records read and the edge-key fingerprints (for the edge collection).
async fn record_pass(
    store: &dyn Store,
    coll: &str,
    rules: &Arc<PassRules>,
    sink: &mut (dyn FnMut(Finding) -> Result<()> + Send),
) -> Result<(u64, Vec<u128>)> {
    let r = rules.clone();
    let c = coll.to_string();
    let keys_wanted = coll == rules.edge_collection;
    // In the store's cheapest order (a JSON store lists nothing up front); the findings,
    // which are few next to the records, are put in id order before they are reported.
    let mut items = crate::store::scan_map_named(store, coll, false, move |name, item| {
        Some(Ok(judge(&c, &r, name, &item)))
    })
    .await?;
    let mut n = 0u64;
    let mut keys = Vec::new();
    let mut found = Vec::new();
    while let Some(s) = items.next().await {
        let s = s?;
        n += 1;
        if keys_wanted && let Some(k) = s.edge_key {
            keys.push(k);
        }
        found.extend(s.findings);
    }
    drop(items);
    emit_sorted(found, sink)?;
    Ok((n, keys))
}

/// Report one collection's record findings in id order (they are few next to the records,
/// which are read in the store's cheapest order).
fn emit_sorted(
    mut found: Vec<Finding>,
    sink: &mut (dyn FnMut(Finding) -> Result<()> + Send),
) -> Result<()> {
    found.sort_by(|a, b| {
        (a.id.as_str(), kind_order(a.kind), a.target).cmp(&(
            b.id.as_str(),
            kind_order(b.kind),
            b.target,
        ))
    });
    for f in found {
        sink(f)?;
    }
    Ok(())
}

/// The duplicate edges of `edge_coll` given every edge's key fingerprint: each edge whose key
/// an edge with a smaller id already has (the one a unique index keeps when the edges are
/// written in id order).
async fn duplicates(
    store: &dyn Store,
    edge_coll: &str,
    mut keys: Vec<u128>,
    target: Option<&'static str>,
    sink: &mut (dyn FnMut(Finding) -> Result<()> + Send),
) -> Result<()> {
    keys.sort_unstable();
    let mut dup: Vec<u128> = keys
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    drop(keys);
    dup.dedup();
    if dup.is_empty() {
        return Ok(());
    }
    let dup = Arc::new(dup);
    let d = dup.clone();
    let mut items = crate::store::scan_map(store, edge_coll, false, move |item| match item {
        Item::Record(e) => {
            let k = edge_key(&e)?;
            d.binary_search(&k).ok()?;
            Some(Ok((k, e.record_id().unwrap_or_default().to_string())))
        }
        Item::Unreadable { .. } => None,
    })
    .await?;
    let mut found: Vec<(u128, String)> = Vec::new();
    while let Some(x) = items.next().await {
        found.push(x?);
    }
    found.sort();
    let mut i = 0;
    while i < found.len() {
        let mut j = i + 1;
        while j < found.len() && found[j].0 == found[i].0 {
            let reason = format!(
                "same (source, target, entity) as edge {:?}: jvspatial's unique index (MongoDB, SQLite, PostgreSQL) refuses it",
                found[i].1
            );
            sink(Finding {
                kind: DUPLICATE_EDGE,
                collection: edge_coll.to_string(),
                id: found[j].1.clone(),
                reason,
                target,
                field: String::new(),
            })?;
            j += 1;
        }
        i = j;
    }
    Ok(())
}

/// Check the whole store; every finding goes to `sink` (in report order: per collection the
/// record findings in id order, then the graph's, then duplicates, temp files and collection
/// names), and the summary counts them.
pub async fn check(
    store: &dyn Store,
    opts: &Options,
    sink: &mut (dyn FnMut(Finding) -> Result<()> + Send),
) -> Result<Summary> {
    let mut summary = Summary::default();
    let mut counts: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut counted = |f: Finding| -> Result<()> {
        *counts.entry(f.kind).or_default() += 1;
        sink(f)
    };
    let mut colls = store.collections().await?;
    for c in [&opts.node_collection, &opts.edge_collection] {
        if !colls.iter().any(|h| store.same_collection(c, h)) {
            colls.push(c.clone());
        }
    }
    colls.sort();
    let rules = Arc::new(PassRules {
        structural: true,
        node_collection: opts.node_collection.clone(),
        edge_collection: opts.edge_collection.clone(),
        targets: opts.targets.clone(),
    });
    // The node and edge records are judged in the graph scan's own read (one read of each);
    // the other collections in a pass of their own.
    let r = rules.clone();
    let hook: graph::RecordHook<RecSum> =
        Arc::new(move |c, name, item| Some(judge(c, &r, name, item)));
    let mut edge_keys = Vec::new();
    let (mut node_found, mut edge_found) = (Vec::new(), Vec::new());
    let (mut n_nodes, mut n_edges) = (0u64, 0u64);
    let rep = graph::analyze_with(
        store,
        &opts.node_collection,
        &opts.edge_collection,
        Some(hook),
        &mut |is_edge, s: RecSum| {
            if is_edge {
                n_edges += 1;
                if let Some(k) = s.edge_key {
                    edge_keys.push(k);
                }
                edge_found.extend(s.findings);
            } else {
                n_nodes += 1;
                node_found.extend(s.findings);
            }
        },
    )
    .await?;
    for c in &colls {
        let n = if store.same_collection(&opts.node_collection, c) {
            emit_sorted(std::mem::take(&mut node_found), &mut counted)?;
            n_nodes
        } else if store.same_collection(&opts.edge_collection, c) {
            emit_sorted(std::mem::take(&mut edge_found), &mut counted)?;
            n_edges
        } else {
            record_pass(store, c, &rules, &mut counted).await?.0
        };
        summary.collections.push((c.clone(), n));
    }
    summary.nodes = rep.nodes;
    summary.edges = rep.edges;
    let graph_finding = |kind, coll: &str, id: String, reason: &str| Finding {
        kind,
        collection: coll.to_string(),
        id,
        reason: reason.to_string(),
        target: None,
        field: String::new(),
    };
    let mut dangling: Vec<String> = rep.dangling.clone();
    dangling.extend(rep.undeletable.iter().map(shown));
    dangling.sort();
    for id in dangling {
        counted(graph_finding(
            DANGLING_EDGE,
            &opts.edge_collection,
            id,
            "source or target missing, or not a node id",
        ))?;
    }
    for id in &rep.orphans {
        counted(graph_finding(
            ORPHAN_NODE,
            &opts.node_collection,
            shown(id),
            "not reachable from Root",
        ))?;
    }
    if rep.nodes > 0 && rep.roots.is_empty() {
        counted(graph_finding(
            MISSING_ROOT,
            &opts.node_collection,
            "n.Root.root".into(),
            &format!(
                "{} node(s) but no Root node (entity Root): nothing is reachable, and validate_graph reports no orphans",
                rep.nodes
            ),
        ))?;
    }
    for id in &rep.legacy_edge_arrays {
        counted(graph_finding(
            LEGACY_EDGES_ARRAY,
            &opts.node_collection,
            id.clone(),
            "carries a legacy `edges` array",
        ))?;
    }
    duplicates(store, &opts.edge_collection, edge_keys, None, &mut counted).await?;
    if let Some(tmp) = store.sweep_temp_files(false).await? {
        for path in tmp {
            let p = std::path::Path::new(&path);
            let name = |q: Option<&std::path::Path>| {
                q.and_then(|q| q.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            };
            counted(Finding {
                kind: STALE_TEMP_FILE,
                collection: name(p.parent()),
                id: name(Some(p)),
                reason: format!(
                    "temp file of an interrupted write ({path}); `jvdb cleanup --tmp-files` removes it"
                ),
                target: None,
                field: String::new(),
            })?;
        }
    }
    for t in &opts.targets {
        for c in &colls {
            if let Err(e) = (t.collection)(c) {
                counted(Finding {
                    kind: COLLECTION_NAME,
                    collection: c.clone(),
                    id: String::new(),
                    reason: e.message,
                    target: Some(t.target),
                    field: String::new(),
                })?;
            }
        }
    }
    summary.counts = counts;
    Ok(summary)
}

/// What a target will refuse of a source (`migrate`'s pre-flight): counts per kind with the
/// first example of each.
#[derive(Clone, Debug, Default)]
pub struct Preflight {
    /// kind → (count, first finding).
    pub kinds: BTreeMap<&'static str, (u64, Finding)>,
}

impl Preflight {
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// One line: "N record(s) cannot be written to T: 2 NaN/Infinity (e.g. node/ID context.v),
    /// …". `None` when nothing will fail.
    pub fn summary_line(&self, target: &str) -> Option<String> {
        if self.kinds.is_empty() {
            return None;
        }
        let mut kinds: Vec<_> = self.kinds.iter().collect();
        kinds.sort_by_key(|(k, _)| kind_order(k));
        let records: u64 = kinds
            .iter()
            .filter(|(k, _)| **k != COLLECTION_NAME)
            .map(|(_, (n, _))| n)
            .sum();
        let parts: Vec<String> = kinds
            .iter()
            .map(|(k, (n, f))| {
                let example = if **k == COLLECTION_NAME {
                    format!("collection {:?}", f.collection)
                } else {
                    if f.field.is_empty() {
                        format!("{}/{}", f.collection, f.id)
                    } else {
                        format!("{}/{} {}", f.collection, f.id, f.field)
                    }
                };
                format!("{n} {} (e.g. {example})", label(k))
            })
            .collect();
        Some(format!(
            "{records} record(s) cannot be written to {target}: {}; they will fail by id and the rest is written (`jvdb check --for` on the source lists them all)",
            parts.join(", ")
        ))
    }
}

/// A kind in words, for the pre-flight line.
pub fn label(kind: &str) -> &'static str {
    match kind {
        INT_BEYOND_64_BITS => "integer(s) beyond 64 bits",
        NAN_INFINITY => "NaN/Infinity",
        NUL_CHARACTER => "\\u0000",
        LONE_SURROGATE => "lone surrogate(s)",
        DUPLICATE_EDGE => "duplicate edge(s) on (source, target, entity)",
        COLLECTION_NAME => "collection name(s) the target cannot hold",
        _ => "other",
    }
}

/// The pre-flight of a transfer of `collections` from `src` into a target with `limits`:
/// one read of each collection judging only what the target refuses (values, collection
/// names, duplicate edges of `edge` under its unique index).
pub async fn preflight(
    src: &dyn Store,
    collections: &[String],
    limits: &WriteLimits,
) -> Result<Preflight> {
    let mut pre = Preflight::default();
    let mut add = |f: Finding| -> Result<()> {
        let e = pre.kinds.entry(f.kind).or_insert((0, f.clone()));
        e.0 += 1;
        Ok(())
    };
    let rules = Arc::new(PassRules {
        structural: false,
        node_collection: "node".into(),
        edge_collection: "edge".into(),
        targets: vec![*limits],
    });
    for c in collections {
        if let Err(e) = (limits.collection)(c) {
            add(Finding {
                kind: COLLECTION_NAME,
                collection: c.clone(),
                id: String::new(),
                reason: e.message,
                target: Some(limits.target),
                field: String::new(),
            })?;
            continue;
        }
        let (_, keys) = record_pass(src, c, &rules, &mut add).await?;
        if limits.unique_edge_key && c == "edge" {
            duplicates(src, c, keys, Some(limits.target), &mut add).await?;
        }
    }
    Ok(pre)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Value {
        crate::json::parse_str(s).unwrap()
    }

    fn rules() -> PassRules {
        PassRules {
            structural: true,
            node_collection: "node".into(),
            edge_collection: "edge".into(),
            targets: vec![
                crate::store::postgres::write_limits(),
                crate::store::mongo::write_limits(),
            ],
        }
    }

    fn kinds(coll: &str, name: Option<&str>, rec: &str) -> Vec<&'static str> {
        judge(coll, &rules(), name, &Item::Record(parse(rec)))
            .findings
            .iter()
            .map(|f| f.kind)
            .collect()
    }

    #[test]
    fn judges_records() {
        let ok = r#"{"id": "n.City.1", "entity": "City", "context": {}}"#;
        assert!(kinds("node", Some("n.City.1"), ok).is_empty());
        assert_eq!(kinds("edge", None, ok), vec![ENTITY_MISMATCH]);
        assert_eq!(
            kinds("node", None, r#"{"id": "n.City.1", "entity": "Town"}"#),
            vec![ENTITY_MISMATCH]
        );
        assert_eq!(kinds("node", Some("other"), ok), vec![FILE_NAME_MISMATCH]);
        assert_eq!(
            kinds("node", Some("x"), r#"{"entity": "City"}"#),
            vec![MISSING_ID]
        );
        assert_eq!(
            kinds("node", None, r#"{"id": "custom id"}"#),
            vec![MISSING_ENTITY]
        );
        // Custom ids (not `<t>.<Class>.<rest>`) are not judged by the prefix rule.
        assert!(kinds("node", None, r#"{"id": "city-1", "entity": "City"}"#).is_empty());
        assert_eq!(
            kinds(
                "object",
                None,
                r#"{"id": "o.C.1", "entity": "C", "v": NaN}"#
            ),
            vec![NAN_INFINITY]
        );
        assert_eq!(
            kinds(
                "object",
                None,
                r#"{"id": "o.C.1", "entity": "C", "v": 1180591620717411303424}"#
            ),
            vec![INT_BEYOND_64_BITS]
        );
        assert_eq!(
            kinds(
                "object",
                None,
                r#"{"id": "o.C.1", "entity": "C", "v": "a\u0000"}"#
            ),
            vec![NUL_CHARACTER]
        );
        assert_eq!(
            kinds(
                "object",
                None,
                r#"{"id": "o.C.1", "entity": "C", "v": "\ud800"}"#
            ),
            vec![LONE_SURROGATE, LONE_SURROGATE]
        );
    }

    #[test]
    fn edge_keys() {
        let a = parse(r#"{"id": "e.E.1", "source": "a", "target": "b", "entity": "E"}"#);
        let b = parse(r#"{"id": "e.E.2", "entity": "E", "target": "b", "source": "a"}"#);
        let c = parse(r#"{"id": "e.E.3", "source": "b", "target": "a", "entity": "E"}"#);
        assert_eq!(edge_key(&a), edge_key(&b));
        assert_ne!(edge_key(&a), edge_key(&c));
        assert_eq!(edge_key(&parse(r#"{"source": "a", "entity": "E"}"#)), None);
    }
}
