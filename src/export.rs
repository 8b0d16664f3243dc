//! `jvdb export`: the graph of a store, or a part of it, as Graphviz dot, Mermaid, GraphML,
//! GEXF or JSON lines.
//!
//! - **Which nodes**: a node filter (`--entity`, `--query`, pushed down to the store's `find`),
//!   or the neighbourhood of a node ([`crate::walk::neighborhood`]) filtered the same way, at
//!   most `limit` of them.
//! - **Which edges**: those whose two ends are both exported nodes (by validate_graph's
//!   endpoint rule, [`crate::graph::edge_endpoints`]). The others are counted: for the whole
//!   graph every edge left out is dangling; for a selection, an edge with one end in it and the
//!   other outside it (or dangling) is counted, edges wholly outside it are not.
//! - **Streaming, flat memory**: dot, Mermaid and JSON lines write each node as it is read,
//!   then each edge; GraphML and GEXF declare their attribute keys first, so they read the
//!   store twice (a first pass keeps only the attribute types). Only the exported node ids are
//!   held (to pick the edges), never the records.
//! - **dot and Mermaid follow jvspatial's `export_graph`** (jvspatial/core/graph.py): the same
//!   node ids in dot, jvspatial's `_sanitize_mermaid_id` identifiers in Mermaid (a collision
//!   gets `_2`, `_3`, … where jvspatial would silently merge two nodes), the same root styling,
//!   `dir="both"` / `<-->` for bidirectional edges. Labels differ on purpose: a node's label is
//!   one field (`--label`, default `context.name`, else the id), an edge's its entity.
//! - **Escaping**: dot ids and labels escape `\` and `"`, newlines become `\n`; `&` in a dot
//!   label is written `&amp;` (Graphviz decodes entities in labels). Mermaid labels use HTML
//!   entities for `"`, `<`, `>`, `&`, `#` and backticks, `<br/>` for a newline. XML (GraphML,
//!   GEXF) escapes `<>&"'` and writes tab, newline and CR as character references; characters
//!   XML 1.0 cannot hold (most C0 controls, U+FFFE/U+FFFF, lone surrogates) are replaced with
//!   U+FFFD and counted, and so are they in dot and Mermaid labels (Graphviz would copy them
//!   into SVG, which then is not XML).
//! - **Typed attributes** (GraphML, GEXF): every leaf path of a record except `id`, `source`
//!   and `target` (`entity`, `bidirectional`, `context.name`, …) becomes an attribute whose
//!   type comes from the values seen: boolean; int (all fit in 32 bits) or long; double; string.
//!   Ints and floats together become double when every int is exact as a double; any other mix,
//!   and integers beyond 64 bits, become string (reported in [`Report::widened`]). Arrays are
//!   written as their JSON text (string); null and empty objects mean "no value". A top-level
//!   `label` field is not an attribute: `label` is the export's own (the `--label` text for a
//!   node, the entity for an edge).

use crate::error::{Error, Result};
use crate::graph::{edge_endpoints, py_str};
use crate::query::{Dialect, Filter};
use crate::store::{FindSpec, GetResult, Item, ItemStream, Store};
use crate::value::Value;
use crate::walk;
use futures::StreamExt;
use indexmap::IndexMap;
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{self, Write};
use std::sync::Arc;

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Dot,
    Mermaid,
    Graphml,
    Gexf,
    Jsonl,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Dot => "dot",
            Format::Mermaid => "mermaid",
            Format::Graphml => "graphml",
            Format::Gexf => "gexf",
            Format::Jsonl => "jsonl",
        }
    }
}

/// The neighbourhood selection (`--from ID --depth N --direction D`).
#[derive(Clone, Debug)]
pub struct FromSpec {
    pub id: String,
    pub depth: u32,
    pub direction: walk::Direction,
}

/// What to export.
pub struct ExportSpec {
    pub node_coll: String,
    pub edge_coll: String,
    pub format: Format,
    /// The node filter (entity and query); `Filter::all` for every node.
    pub filter: Arc<Filter>,
    pub from: Option<FromSpec>,
    /// At most this many nodes.
    pub limit: Option<u64>,
    /// The dot path of the node label field (a missing or null value: the id).
    pub label: String,
    /// The dot goes to Graphviz for a picture: ids get the same character replacement as
    /// labels (an SVG cannot hold control characters).
    pub for_picture: bool,
}

/// How `limit` cut the export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cut {
    /// `limit` of this many matching nodes.
    Of(u64),
    /// The walk from `--from` stopped at `limit` nodes (how many more it would reach is not
    /// known).
    Walk,
}

/// A GraphML/GEXF attribute whose values had mixed types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Widened {
    /// `node` or `edge`.
    pub class: &'static str,
    pub path: String,
    /// The type written (`string` or `double`).
    pub to: &'static str,
    /// The kinds of value seen, e.g. `["int", "string"]`.
    pub seen: Vec<&'static str>,
}

/// What an export did.
#[derive(Debug, Default)]
pub struct Report {
    pub nodes: u64,
    pub edges: u64,
    pub cut: Option<Cut>,
    /// Edges left out because an end is not an exported node (see the module doc).
    pub left_out: u64,
    /// No node selection: every left-out edge is dangling.
    pub whole_graph: bool,
    pub widened: Vec<Widened>,
    /// Characters replaced with U+FFFD (the format cannot hold them).
    pub replaced_chars: u64,
    /// Records skipped because their `id` is not a string (or holds a lone surrogate).
    pub without_id: u64,
    /// Records that could not be read: (collection, id, reason).
    pub unreadable: Vec<(String, String, String)>,
}

impl Report {
    /// Count an edge that is not exported: for the whole graph every one (it is dangling),
    /// for a selection those with one end in it.
    fn leave_out(&mut self, kept: &Kept) {
        if matches!(kept, Kept::Touches) || self.whole_graph {
            self.left_out += 1;
        }
    }
}

/// Export the graph of `store` as `spec` says into `out`.
pub async fn export(store: &dyn Store, spec: &ExportSpec, out: &mut dyn Write) -> Result<Report> {
    let mut report = Report {
        whole_graph: spec.from.is_none() && spec.filter.is_empty() && spec.limit.is_none(),
        ..Report::default()
    };
    let walked = match &spec.from {
        None => None,
        Some(f) => {
            let (ids, cut, unreadable) = walk_ids(store, spec, f).await?;
            report.unreadable.extend(unreadable);
            Some((ids, cut))
        }
    };
    let walked_ids: Option<Vec<String>> = walked.as_ref().map(|(ids, _)| ids.clone());
    let walked_ids = walked_ids.as_deref();
    let io = |e: io::Error| Error::io("export output", &e);
    match spec.format {
        Format::Graphml | Format::Gexf => {
            // First pass: the exported ids and the attribute types, nothing else.
            let mut node_attrs = Attrs::default();
            let mut ids = HashSet::new();
            let mut nodes = Nodes::open(store, spec, walked.clone()).await?;
            while let Some(item) = nodes.next().await? {
                let Some((id, rec)) = usable(item, &spec.node_coll, &mut report) else {
                    continue;
                };
                node_attrs.add(&rec);
                ids.insert(fp(&id));
            }
            report.cut = nodes.cut_report(store, spec).await?;
            let mut edge_attrs = Attrs::default();
            let mut edges = Edges::open(store, spec, walked_ids).await?;
            while let Some(item) = edges.next().await? {
                let Some((_, rec)) = usable(item, &spec.edge_coll, &mut report) else {
                    continue;
                };
                if let Kept::Yes(..) = classify(&rec, &ids) {
                    edge_attrs.add(&rec);
                }
            }
            let node_keys = node_attrs.finish("node", &mut report.widened);
            let edge_keys = edge_attrs.finish("edge", &mut report.widened);
            // Second pass: write. Unreadable records and ids were reported by the first.
            let mut quiet = Report::default();
            let mut w = XmlWriter::new(spec.format, node_keys, edge_keys);
            w.begin(out).map_err(io)?;
            let mut nodes = Nodes::open(store, spec, walked).await?;
            let mut written = HashSet::new();
            while let Some(item) = nodes.next().await? {
                let Some((id, rec)) = usable(item, &spec.node_coll, &mut quiet) else {
                    continue;
                };
                // A node that appeared between the passes has no declared keys: left out.
                if !ids.contains(&fp(&id)) || written.contains(&fp(&id)) {
                    continue;
                }
                let label = node_label(&rec, &spec.label, &id);
                w.node(out, &id, &rec, &label).map_err(io)?;
                report.nodes += 1;
                written.insert(fp(&id));
            }
            drop(ids);
            w.between(out).map_err(io)?;
            let mut edges = Edges::open(store, spec, walked_ids).await?;
            while let Some(item) = edges.next().await? {
                let Some((eid, rec)) = usable(item, &spec.edge_coll, &mut quiet) else {
                    continue;
                };
                match classify(&rec, &written) {
                    Kept::Yes(s, t, _) => {
                        w.edge(out, &eid, &rec, &s, &t).map_err(io)?;
                        report.edges += 1;
                    }
                    other => report.leave_out(&other),
                }
            }
            w.end(out).map_err(io)?;
            report.replaced_chars += w.replaced;
        }
        Format::Dot | Format::Mermaid | Format::Jsonl => {
            let mut w: Box<dyn TextWriter> = match spec.format {
                Format::Dot => Box::new(DotWriter {
                    replaced: 0,
                    for_picture: spec.for_picture,
                }),
                Format::Mermaid => Box::new(MermaidWriter::default()),
                _ => Box::new(JsonlWriter),
            };
            w.begin(out).map_err(io)?;
            let mut ids = HashSet::new();
            let mut nodes = Nodes::open(store, spec, walked).await?;
            while let Some(item) = nodes.next().await? {
                let Some((id, rec)) = usable(item, &spec.node_coll, &mut report) else {
                    continue;
                };
                if ids.contains(&fp(&id)) {
                    continue;
                }
                let label = node_label(&rec, &spec.label, &id);
                w.node(out, &id, &rec, &label).map_err(io)?;
                report.nodes += 1;
                ids.insert(fp(&id));
            }
            report.cut = nodes.cut_report(store, spec).await?;
            let mut edges = Edges::open(store, spec, walked_ids).await?;
            while let Some(item) = edges.next().await? {
                let Some((_, rec)) = usable(item, &spec.edge_coll, &mut report) else {
                    continue;
                };
                match classify(&rec, &ids) {
                    Kept::Yes(s, t, bidi) => {
                        w.edge(out, &rec, &s, &t, bidi).map_err(io)?;
                        report.edges += 1;
                    }
                    other => report.leave_out(&other),
                }
            }
            w.end(out).map_err(io)?;
            report.replaced_chars += w.replaced();
        }
    }
    Ok(report)
}

/// What the walk reached: ids in breadth-first order, whether it was cut, and what it could
/// not read.
type Walked = (Vec<String>, bool, Vec<(String, String, String)>);

/// The `--from` neighbourhood.
async fn walk_ids(store: &dyn Store, spec: &ExportSpec, f: &FromSpec) -> Result<Walked> {
    match store.get(&spec.node_coll, &f.id).await? {
        GetResult::Found(_) => {}
        GetResult::Missing => {
            return Err(Error::not_found(format!(
                "--from {:?}: no such node in collection {}",
                f.id, spec.node_coll
            )));
        }
        GetResult::Unreadable(why) => {
            return Err(Error::partial(format!(
                "--from {:?}: the node record cannot be read: {why}",
                f.id
            )));
        }
    }
    let g = walk::Graph {
        store,
        node_coll: spec.node_coll.clone(),
        edge_coll: spec.edge_coll.clone(),
        edge_entities: Vec::new(),
    };
    // With a node filter the walk cannot know which nodes will be kept: it is not cut, the
    // filtered nodes are.
    let max = if spec.filter.is_empty() {
        spec.limit
    } else {
        None
    };
    let n = walk::neighborhood(&g, &f.id, f.depth, f.direction, max).await?;
    Ok((
        n.nodes.into_iter().map(|(id, _)| id).collect(),
        n.cut,
        n.stats.unreadable,
    ))
}

/// A record with a usable (string) id, or `None` after noting why not.
fn usable(item: Item, coll: &str, report: &mut Report) -> Option<(String, Value)> {
    match item {
        Item::Record(rec) => match rec.record_id() {
            Some(id) => Some((id.to_string(), rec)),
            None => {
                report.without_id += 1;
                None
            }
        },
        Item::Unreadable { id, reason } => {
            report.unreadable.push((coll.to_string(), id, reason));
            None
        }
    }
}

enum Kept {
    /// Both ends are exported nodes: (source, target, bidirectional).
    Yes(String, String, bool),
    /// One end is exported, the other is not (or is missing).
    Touches,
    /// No end is exported.
    Outside,
}

/// The exported node ids, as fingerprints ([`crate::graph::fingerprint`]: 16 bytes a node
/// instead of the id).
type IdSet = HashSet<u128>;

fn fp(id: &str) -> u128 {
    crate::graph::fingerprint(id.as_bytes())
}

fn classify(edge: &Value, ids: &IdSet) -> Kept {
    let (s, t, bidi) = edge_endpoints(edge);
    let s = s.map(py_str).filter(|s| ids.contains(&fp(s)));
    let t = t.map(py_str).filter(|t| ids.contains(&fp(t)));
    match (s, t) {
        (Some(s), Some(t)) => Kept::Yes(s, t, bidi),
        (None, None) => Kept::Outside,
        _ => Kept::Touches,
    }
}

/// The label of a node: the text of the `field` value, else the id.
pub fn node_label(rec: &Value, field: &str, id: &str) -> String {
    match lookup(rec, field) {
        None | Some(Value::Null) => id.to_string(),
        Some(Value::Str(s)) => s.clone(),
        Some(v @ Value::WStr(_)) => v.to_string_lossy().unwrap_or_default().into_owned(),
        Some(other) => crate::json::to_line(other),
    }
}

/// Follow a dot path through objects (and array indexes).
fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for seg in path.split('.') {
        cur = match cur {
            Value::Object(m) => m.get(seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

// ---------------------------------------------------------------------------------------------
// Reading the nodes and the edges.

/// How many ids one batched lookup of `--from` nodes asks for.
const ID_BATCH: usize = 256;

struct Nodes<'a> {
    store: &'a dyn Store,
    coll: &'a str,
    src: NodeSrc,
    filter: Arc<Filter>,
    limit: Option<u64>,
    emitted: u64,
    cut: bool,
    walk_cut: bool,
    /// Whether the cut total is known (a find: count the matches).
    count_total: bool,
}

enum NodeSrc {
    Find(ItemStream),
    Ids {
        ids: Vec<String>,
        next: usize,
        buf: VecDeque<Item>,
    },
}

impl<'a> Nodes<'a> {
    async fn open(
        store: &'a dyn Store,
        spec: &'a ExportSpec,
        walked: Option<(Vec<String>, bool)>,
    ) -> Result<Nodes<'a>> {
        let (src, walk_cut, count_total) = match walked {
            None => {
                let mut find = FindSpec::matching(spec.filter.clone());
                // One more than the limit tells whether it cut.
                find.limit = spec.limit.map(|l| l.saturating_add(1));
                (
                    NodeSrc::Find(store.find(&spec.node_coll, find).await?),
                    false,
                    true,
                )
            }
            Some((ids, cut)) => (
                NodeSrc::Ids {
                    ids,
                    next: 0,
                    buf: VecDeque::new(),
                },
                cut,
                false,
            ),
        };
        Ok(Nodes {
            store,
            coll: &spec.node_coll,
            src,
            filter: spec.filter.clone(),
            limit: spec.limit,
            emitted: 0,
            cut: false,
            walk_cut,
            count_total,
        })
    }

    async fn next(&mut self) -> Result<Option<Item>> {
        loop {
            let item = match &mut self.src {
                NodeSrc::Find(s) => match s.next().await {
                    None => return Ok(None),
                    Some(r) => r?,
                },
                NodeSrc::Ids { ids, next, buf } => {
                    if buf.is_empty() {
                        if *next >= ids.len() {
                            return Ok(None);
                        }
                        let end = (*next + ID_BATCH).min(ids.len());
                        let chunk = &ids[*next..end];
                        *next = end;
                        fetch_ids(self.store, self.coll, chunk, buf).await?;
                        continue;
                    }
                    let item = buf.pop_front().expect("non-empty");
                    if let Item::Record(r) = &item
                        && !self.filter.matches(r)?
                    {
                        continue;
                    }
                    item
                }
            };
            if let Item::Record(_) = item {
                if self.limit.is_some_and(|l| self.emitted >= l) {
                    self.cut = true;
                    return Ok(None);
                }
                self.emitted += 1;
            }
            return Ok(Some(item));
        }
    }

    /// How the limit cut the nodes (call after the last `next`): a cut find counts the
    /// matching nodes for the note.
    async fn cut_report(&self, store: &dyn Store, spec: &ExportSpec) -> Result<Option<Cut>> {
        if self.walk_cut {
            return Ok(Some(Cut::Walk));
        }
        if !self.cut {
            return Ok(None);
        }
        if self.count_total {
            return Ok(Some(Cut::Of(count_matching(store, spec).await?)));
        }
        Ok(Some(Cut::Walk))
    }
}

/// The records of `ids` (in that order) into `buf`: one batched find by id for a store with a
/// query engine, one get per id otherwise (a JSON store reads one file per id).
async fn fetch_ids(
    store: &dyn Store,
    coll: &str,
    ids: &[String],
    buf: &mut VecDeque<Item>,
) -> Result<()> {
    if store.read_caps().filter_pushdown {
        let mut q = crate::Map::new();
        let mut inn = crate::Map::new();
        inn.insert(
            "$in".into(),
            Value::Array(ids.iter().map(|i| Value::Str(i.clone())).collect()),
        );
        q.insert(store.id_key().to_string(), Value::Object(inn));
        let filter = Filter::compile(&Value::Object(q), Dialect::Mongo)?;
        let mut found: HashMap<String, Item> = HashMap::new();
        let mut s = store.find(coll, FindSpec::all(filter)).await?;
        while let Some(item) = s.next().await {
            let item = item?;
            let id = match &item {
                Item::Record(r) => r.record_id().map(str::to_string),
                Item::Unreadable { id, .. } => Some(id.clone()),
            };
            if let Some(id) = id {
                found.insert(id, item);
            }
        }
        for id in ids {
            if let Some(item) = found.remove(id) {
                buf.push_back(item);
            }
        }
    } else {
        for id in ids {
            match store.get(coll, id).await? {
                GetResult::Found(r) => buf.push_back(Item::Record(r)),
                GetResult::Missing => {}
                GetResult::Unreadable(reason) => buf.push_back(Item::Unreadable {
                    id: id.clone(),
                    reason,
                }),
            }
        }
    }
    Ok(())
}

/// How many nodes match the filter (for the `--limit` note).
pub async fn count_matching(store: &dyn Store, spec: &ExportSpec) -> Result<u64> {
    Ok(store
        .count(&spec.node_coll, Some(spec.filter.clone()))
        .await?
        .count)
}

/// The edges to look at: every edge (a scan), or for a `--from` neighbourhood on a store that
/// looks incident edges up by index, only the edges incident to the walked nodes (batches of
/// [`ID_BATCH`] ids). A store that offers only [`Store::edges_touching`] (MongoDB) does not
/// look at legacy endpoints under `context`, as the walk itself does not.
struct Edges {
    src: EdgeSrc,
}

enum EdgeSrc {
    Scan(ItemStream),
    Listed(std::vec::IntoIter<Item>),
}

impl Edges {
    /// `walked`: the ids of a `--from` neighbourhood (a superset of the exported nodes).
    async fn open(
        store: &dyn Store,
        spec: &ExportSpec,
        walked: Option<&[String]>,
    ) -> Result<Edges> {
        if let Some(list) = walked {
            let mut all = Vec::new();
            let mut seen: HashSet<String> = HashSet::new();
            let mut offered = true;
            for chunk in list.chunks(ID_BATCH) {
                // The cascade lookup (legacy `context` endpoints included) where offered, else
                // the walk's (top-level endpoints, as jvspatial's `Node.edges`).
                let found = match store
                    .incident_edge_candidates(&spec.edge_coll, chunk)
                    .await?
                {
                    Some(items) => Some(items),
                    None => store.edges_touching(&spec.edge_coll, chunk).await?,
                };
                match found {
                    None => {
                        offered = false;
                        break;
                    }
                    Some(items) => {
                        for item in items {
                            let key = match &item {
                                Item::Record(r) => crate::graph::edge_id(r),
                                Item::Unreadable { id, .. } => id.clone(),
                            };
                            if seen.insert(key) {
                                all.push(item);
                            }
                        }
                    }
                }
            }
            if offered {
                return Ok(Edges {
                    src: EdgeSrc::Listed(all.into_iter()),
                });
            }
        }
        Ok(Edges {
            src: EdgeSrc::Scan(store.scan(&spec.edge_coll).await?),
        })
    }

    async fn next(&mut self) -> Result<Option<Item>> {
        match &mut self.src {
            EdgeSrc::Scan(s) => match s.next().await {
                None => Ok(None),
                Some(r) => Ok(Some(r?)),
            },
            EdgeSrc::Listed(it) => Ok(it.next()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Escaping.

/// Can XML 1.0 hold this character?
pub fn xml_char_ok(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `s` for an XML attribute value or text: `<>&"'` as entities, tab/newline/CR as character
/// references (so attribute normalisation keeps them), characters XML 1.0 cannot hold as
/// U+FFFD (counted in `replaced`).
pub fn xml_escape(s: &str, replaced: &mut u64, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if !xml_char_ok(c) => {
                *replaced += 1;
                out.push('\u{FFFD}');
            }
            c => out.push(c),
        }
    }
}

/// A dot node id in double quotes: jvspatial's `_escape_dot_string` (`"` → `\"`, newline →
/// `\n`, CR → `\r`) and `\` → `\\` (which jvspatial leaves alone: a trailing backslash would end
/// its string early). With `picture`, characters an SVG cannot hold become U+FFFD.
pub fn dot_id(s: &str, picture: bool, replaced: &mut u64) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if picture && !xml_char_ok(c) => {
                *replaced += 1;
                out.push('\u{FFFD}');
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A dot label in double quotes, shown exactly: `\` and `"` escaped, a newline (CRLF, CR or LF)
/// as `\n`, `&` as `&amp;` (Graphviz decodes HTML entities in labels), characters an SVG
/// cannot hold as U+FFFD.
pub fn dot_label(s: &str, replaced: &mut u64) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '&' => out.push_str("&amp;"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n")
            }
            c if !xml_char_ok(c) => {
                *replaced += 1;
                out.push('\u{FFFD}');
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Mermaid label for `["…"]` and `|"…"|`: HTML entities for `"` (as jvspatial), `<`, `>`,
/// `&`, `#` (Mermaid's own `#name;` codes) and backticks (Markdown strings), `<br/>` for a
/// newline, a space for a tab, U+FFFD for the other control characters.
pub fn mermaid_label(s: &str, replaced: &mut u64) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("&quot;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '#' => out.push_str("&#35;"),
            '`' => out.push_str("&#96;"),
            '\n' => out.push_str("<br/>"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("<br/>")
            }
            '\t' => out.push(' '),
            c if !xml_char_ok(c) || c.is_control() => {
                *replaced += 1;
                out.push('\u{FFFD}');
            }
            c => out.push(c),
        }
    }
    out
}

fn in_table(t: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    t.binary_search_by(|&(a, b)| {
        if b < c {
            std::cmp::Ordering::Less
        } else if a > c {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    })
    .is_ok()
}

/// Python's `str.isalnum()` of one character (Python 3.11's tables: `re`'s `\w` is exactly
/// isalnum plus `_`).
fn py_isalnum(c: char) -> bool {
    c != '_' && in_table(crate::query::jv_unicode::WORD, c)
}

/// Python's `str.isalpha()` (categories L*) of one character: alphanumeric, alphabetic, and
/// not of a numeric category (which excludes the letter-numbers, Nl, that Rust counts as
/// alphabetic).
fn py_isalpha(c: char) -> bool {
    py_isalnum(c) && c.is_alphabetic() && !c.is_numeric()
}

/// jvspatial's `_sanitize_mermaid_id`: every character that is not alphanumeric (Python's
/// rule), `_` or `-` becomes `_`; an `n` is put first unless it starts with a letter; at most
/// 50 characters.
pub fn sanitize_mermaid_id(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| {
            if py_isalnum(c) || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let s = match s.chars().next() {
        Some(c) if !py_isalpha(c) => format!("n{s}"),
        _ => s,
    };
    s.chars().take(50).collect()
}

/// Words that end or break a Mermaid flowchart when used as a node identifier.
const MERMAID_RESERVED: &[&str] = &[
    "end",
    "graph",
    "flowchart",
    "subgraph",
    "style",
    "linkStyle",
    "classDef",
    "class",
    "click",
    "direction",
    "call",
    "href",
];

// ---------------------------------------------------------------------------------------------
// Text formats: dot, Mermaid, JSON lines.

trait TextWriter {
    fn begin(&mut self, out: &mut dyn Write) -> io::Result<()>;
    fn node(&mut self, out: &mut dyn Write, id: &str, rec: &Value, label: &str) -> io::Result<()>;
    fn edge(
        &mut self,
        out: &mut dyn Write,
        rec: &Value,
        src: &str,
        tgt: &str,
        bidi: bool,
    ) -> io::Result<()>;
    fn end(&mut self, out: &mut dyn Write) -> io::Result<()>;
    fn replaced(&self) -> u64;
}

/// jvspatial's root node id (styled by its dot and Mermaid export).
const ROOT_ID: &str = "n.Root.root";

fn entity_of(rec: &Value) -> String {
    rec.get("entity").map(py_str).unwrap_or_default()
}

struct DotWriter {
    replaced: u64,
    for_picture: bool,
}

impl TextWriter for DotWriter {
    fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"digraph jvspatial_graph {\n  rankdir=TB;\n")
    }

    fn node(&mut self, out: &mut dyn Write, id: &str, _rec: &Value, label: &str) -> io::Result<()> {
        let mut line = format!(
            "  {} [label={},shape=box",
            dot_id(id, self.for_picture, &mut self.replaced),
            dot_label(label, &mut self.replaced)
        );
        if id == ROOT_ID {
            line.push_str(",style=\"bold,filled\",fillcolor=\"lightblue\"");
        }
        line.push_str("];\n");
        out.write_all(line.as_bytes())
    }

    fn edge(
        &mut self,
        out: &mut dyn Write,
        rec: &Value,
        src: &str,
        tgt: &str,
        bidi: bool,
    ) -> io::Result<()> {
        let entity = entity_of(rec);
        let mut attrs = Vec::new();
        if !entity.is_empty() {
            attrs.push(format!("label={}", dot_label(&entity, &mut self.replaced)));
        }
        attrs.push(
            if bidi {
                "dir=\"both\""
            } else {
                "dir=\"forward\""
            }
            .to_string(),
        );
        let line = format!(
            "  {} -> {} [{}];\n",
            dot_id(src, self.for_picture, &mut self.replaced),
            dot_id(tgt, self.for_picture, &mut self.replaced),
            attrs.join(",")
        );
        out.write_all(line.as_bytes())
    }

    fn end(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"}\n")
    }

    fn replaced(&self) -> u64 {
        self.replaced
    }
}

#[derive(Default)]
struct MermaidWriter {
    replaced: u64,
    /// Identifiers in use.
    used: HashSet<String>,
    /// Node ids whose identifier is not their sanitized id (a collision was resolved).
    renamed: HashMap<String, String>,
    root: bool,
}

impl MermaidWriter {
    fn ident(&self, id: &str) -> String {
        self.renamed
            .get(id)
            .cloned()
            .unwrap_or_else(|| sanitize_mermaid_id(id))
    }
}

impl TextWriter for MermaidWriter {
    fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"graph TB\n")
    }

    fn node(&mut self, out: &mut dyn Write, id: &str, _rec: &Value, label: &str) -> io::Result<()> {
        let base = sanitize_mermaid_id(id);
        let base = if base.is_empty() {
            "n".to_string()
        } else {
            base
        };
        let mut ident = base.clone();
        let mut k = 1;
        while self.used.contains(&ident) || MERMAID_RESERVED.contains(&ident.as_str()) {
            k += 1;
            ident = format!("{base}_{k}");
        }
        if ident != sanitize_mermaid_id(id) {
            self.renamed.insert(id.to_string(), ident.clone());
        }
        self.used.insert(ident.clone());
        let style = if id == ROOT_ID {
            self.root = true;
            ":::root"
        } else {
            ""
        };
        let line = format!(
            "    {ident}[\"{}\"]{style}\n",
            mermaid_label(label, &mut self.replaced)
        );
        out.write_all(line.as_bytes())
    }

    fn edge(
        &mut self,
        out: &mut dyn Write,
        rec: &Value,
        src: &str,
        tgt: &str,
        bidi: bool,
    ) -> io::Result<()> {
        let conn = if bidi { "<-->" } else { "-->" };
        let entity = entity_of(rec);
        let line = if entity.is_empty() {
            format!("    {} {conn} {}\n", self.ident(src), self.ident(tgt))
        } else {
            format!(
                "    {} {conn}|\"{}\"| {}\n",
                self.ident(src),
                mermaid_label(&entity, &mut self.replaced),
                self.ident(tgt)
            )
        };
        out.write_all(line.as_bytes())
    }

    fn end(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.root {
            out.write_all(b"    classDef root fill:#e1f5ff,stroke:#01579b,stroke-width:2px\n")?;
        }
        Ok(())
    }

    fn replaced(&self) -> u64 {
        self.replaced
    }
}

struct JsonlWriter;

impl TextWriter for JsonlWriter {
    fn begin(&mut self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }

    fn node(
        &mut self,
        out: &mut dyn Write,
        _id: &str,
        rec: &Value,
        _label: &str,
    ) -> io::Result<()> {
        let mut b = Vec::with_capacity(256);
        crate::json::write_line_bytes(rec, &mut b);
        b.push(b'\n');
        out.write_all(&b)
    }

    fn edge(
        &mut self,
        out: &mut dyn Write,
        rec: &Value,
        _src: &str,
        _tgt: &str,
        _bidi: bool,
    ) -> io::Result<()> {
        self.node(out, "", rec, "")
    }

    fn end(&mut self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }

    fn replaced(&self) -> u64 {
        0
    }
}

// ---------------------------------------------------------------------------------------------
// Typed attributes and the XML formats.

/// The kinds of value seen for one attribute path.
#[derive(Clone, Copy, Default, Debug)]
struct Seen {
    boolean: bool,
    int32: bool,
    int64: bool,
    /// An int not exact as a double (|i| > 2^53).
    inexact: bool,
    float: bool,
    string: bool,
    big: bool,
    json: bool,
}

/// The type an attribute is declared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AttrType {
    Boolean,
    Int,
    Long,
    Double,
    String,
}

impl AttrType {
    fn graphml(self) -> &'static str {
        match self {
            AttrType::Boolean => "boolean",
            AttrType::Int => "int",
            AttrType::Long => "long",
            AttrType::Double => "double",
            AttrType::String => "string",
        }
    }

    fn gexf(self) -> &'static str {
        match self {
            AttrType::Int => "integer",
            t => t.graphml(),
        }
    }
}

#[derive(Default)]
struct Attrs {
    seen: IndexMap<String, Seen>,
}

/// Every leaf of a record that becomes an attribute: (dot path, value), nulls left out.
fn leaves(rec: &Value) -> Vec<(String, &Value)> {
    fn walk<'v>(prefix: &str, v: &'v Value, out: &mut Vec<(String, &'v Value)>) {
        match v {
            Value::Null => {}
            Value::Object(m) => {
                for (k, v) in m {
                    walk(&format!("{prefix}.{k}"), v, out);
                }
            }
            v => out.push((prefix.to_string(), v)),
        }
    }
    let mut out = Vec::new();
    if let Some(m) = rec.as_object() {
        for (k, v) in m {
            if matches!(k.as_str(), "id" | "source" | "target" | "label") {
                continue;
            }
            walk(k, v, &mut out);
        }
    }
    out
}

const EXACT_INT: i64 = 1 << 53;

impl Attrs {
    fn add(&mut self, rec: &Value) {
        for (path, v) in leaves(rec) {
            let s = self.seen.entry(path).or_default();
            match v {
                Value::Bool(_) => s.boolean = true,
                Value::Int(i) => {
                    if i32::try_from(*i).is_ok() {
                        s.int32 = true
                    } else {
                        s.int64 = true
                    }
                    if !(-EXACT_INT..=EXACT_INT).contains(i) {
                        s.inexact = true;
                    }
                }
                Value::BigInt(_) => s.big = true,
                Value::Float(_) => s.float = true,
                Value::Str(_) | Value::WStr(_) => s.string = true,
                _ => s.json = true,
            }
        }
    }

    /// The declared keys, in first-seen order, and the widened ones into `widened`.
    fn finish(self, class: &'static str, widened: &mut Vec<Widened>) -> Vec<(String, AttrType)> {
        let mut keys = vec![("label".to_string(), AttrType::String)];
        for (path, s) in self.seen {
            let mut kinds = Vec::new();
            if s.boolean {
                kinds.push("bool");
            }
            if s.int32 || s.int64 {
                kinds.push("int");
            }
            if s.big {
                kinds.push("int beyond 64 bits");
            }
            if s.float {
                kinds.push("float");
            }
            if s.string {
                kinds.push("string");
            }
            if s.json {
                kinds.push("array");
            }
            let t = match kinds.as_slice() {
                ["bool"] => AttrType::Boolean,
                ["int"] if !s.int64 => AttrType::Int,
                ["int"] => AttrType::Long,
                ["float"] => AttrType::Double,
                ["string"] | ["array"] => AttrType::String,
                ["int", "float"] if !s.inexact => {
                    widened.push(Widened {
                        class,
                        path: path.clone(),
                        to: "double",
                        seen: kinds.clone(),
                    });
                    AttrType::Double
                }
                _ => {
                    widened.push(Widened {
                        class,
                        path: path.clone(),
                        to: "string",
                        seen: kinds.clone(),
                    });
                    AttrType::String
                }
            };
            keys.push((path, t));
        }
        keys
    }
}

/// The text of a value for an attribute of type `t`.
fn attr_text(v: &Value, t: AttrType) -> String {
    match (v, t) {
        (Value::Str(s), _) => s.clone(),
        (Value::WStr(_), _) => v.to_string_lossy().unwrap_or_default().into_owned(),
        (Value::Bool(b), AttrType::Boolean) => b.to_string(),
        (Value::Int(i), _) if t != AttrType::String => i.to_string(),
        (Value::Float(f), AttrType::Double) => {
            if f.is_nan() {
                "NaN".into()
            } else if f.is_infinite() {
                if *f > 0.0 { "INF" } else { "-INF" }.into()
            } else {
                crate::json::float_repr(*f)
            }
        }
        (Value::BigInt(b), _) => b.to_string(),
        (other, _) => crate::json::to_line(other),
    }
}

struct XmlWriter {
    format: Format,
    node_keys: Vec<(String, AttrType)>,
    edge_keys: Vec<(String, AttrType)>,
    node_index: HashMap<String, usize>,
    edge_index: HashMap<String, usize>,
    replaced: u64,
}

impl XmlWriter {
    fn new(
        format: Format,
        node_keys: Vec<(String, AttrType)>,
        edge_keys: Vec<(String, AttrType)>,
    ) -> XmlWriter {
        let index = |keys: &[(String, AttrType)]| {
            keys.iter()
                .enumerate()
                .map(|(i, (p, _))| (p.clone(), i))
                .collect()
        };
        XmlWriter {
            format,
            node_index: index(&node_keys),
            edge_index: index(&edge_keys),
            node_keys,
            edge_keys,
            replaced: 0,
        }
    }

    fn esc(&mut self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        xml_escape(s, &mut self.replaced, &mut out);
        out
    }

    fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let mut h = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        if self.format == Format::Graphml {
            h.push_str(
                "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
                 xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
                 xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns \
                 http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
            );
            for (class, prefix, keys) in [
                ("node", "n", self.node_keys.clone()),
                ("edge", "e", self.edge_keys.clone()),
            ] {
                for (i, (path, t)) in keys.iter().enumerate() {
                    let name = self.esc(path);
                    h.push_str(&format!(
                        "  <key id=\"{prefix}{i}\" for=\"{class}\" attr.name=\"{name}\" attr.type=\"{}\"/>\n",
                        t.graphml()
                    ));
                }
            }
            h.push_str("  <graph id=\"jvspatial_graph\" edgedefault=\"directed\">\n");
        } else {
            h.push_str(
                "<gexf xmlns=\"http://www.gexf.net/1.2draft\" version=\"1.2\">\n  \
                 <meta><creator>jvdb</creator></meta>\n  \
                 <graph mode=\"static\" defaultedgetype=\"directed\">\n",
            );
            for (class, keys) in [
                ("node", self.node_keys.clone()),
                ("edge", self.edge_keys.clone()),
            ] {
                h.push_str(&format!(
                    "    <attributes class=\"{class}\" mode=\"static\">\n"
                ));
                // The label is the element's own `label` attribute in GEXF.
                for (i, (path, t)) in keys.iter().enumerate().skip(1) {
                    let name = self.esc(path);
                    h.push_str(&format!(
                        "      <attribute id=\"{i}\" title=\"{name}\" type=\"{}\"/>\n",
                        t.gexf()
                    ));
                }
                h.push_str("    </attributes>\n");
            }
            h.push_str("    <nodes>\n");
        }
        out.write_all(h.as_bytes())
    }

    /// The attribute values of a record: (key index, text).
    fn values(&mut self, rec: &Value, node: bool) -> Vec<(usize, String)> {
        let mut vals = Vec::new();
        for (path, v) in leaves(rec) {
            let (index, keys) = if node {
                (&self.node_index, &self.node_keys)
            } else {
                (&self.edge_index, &self.edge_keys)
            };
            // A path first seen after the first pass has no key: left out.
            let Some(&i) = index.get(&path) else {
                continue;
            };
            let t = keys[i].1;
            let text = attr_text(v, t);
            vals.push((i, self.esc(&text)));
        }
        vals
    }

    fn node(&mut self, out: &mut dyn Write, id: &str, rec: &Value, label: &str) -> io::Result<()> {
        let id = self.esc(id);
        let label = self.esc(label);
        let vals = self.values(rec, true);
        let mut s = String::new();
        if self.format == Format::Graphml {
            s.push_str(&format!("    <node id=\"{id}\">\n"));
            s.push_str(&format!("      <data key=\"n0\">{label}</data>\n"));
            for (i, v) in vals {
                s.push_str(&format!("      <data key=\"n{i}\">{v}</data>\n"));
            }
            s.push_str("    </node>\n");
        } else {
            s.push_str(&format!("      <node id=\"{id}\" label=\"{label}\">"));
            gexf_values(&mut s, vals);
            s.push_str("</node>\n");
        }
        out.write_all(s.as_bytes())
    }

    fn between(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.format == Format::Gexf {
            out.write_all(b"    </nodes>\n    <edges>\n")?;
        }
        Ok(())
    }

    fn edge(
        &mut self,
        out: &mut dyn Write,
        eid: &str,
        rec: &Value,
        src: &str,
        tgt: &str,
    ) -> io::Result<()> {
        let eid = self.esc(eid);
        let src = self.esc(src);
        let tgt = self.esc(tgt);
        let entity = entity_of(rec);
        let label = self.esc(&entity);
        let vals = self.values(rec, false);
        let mut s = String::new();
        if self.format == Format::Graphml {
            s.push_str(&format!(
                "    <edge id=\"{eid}\" source=\"{src}\" target=\"{tgt}\">\n"
            ));
            s.push_str(&format!("      <data key=\"e0\">{label}</data>\n"));
            for (i, v) in vals {
                s.push_str(&format!("      <data key=\"e{i}\">{v}</data>\n"));
            }
            s.push_str("    </edge>\n");
        } else {
            s.push_str(&format!(
                "      <edge id=\"{eid}\" source=\"{src}\" target=\"{tgt}\" label=\"{label}\">"
            ));
            gexf_values(&mut s, vals);
            s.push_str("</edge>\n");
        }
        out.write_all(s.as_bytes())
    }

    fn end(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.format == Format::Graphml {
            out.write_all(b"  </graph>\n</graphml>\n")
        } else {
            out.write_all(b"    </edges>\n  </graph>\n</gexf>\n")
        }
    }
}

fn gexf_values(s: &mut String, vals: Vec<(usize, String)>) {
    if vals.is_empty() {
        return;
    }
    s.push_str("<attvalues>");
    for (i, v) in vals {
        s.push_str(&format!("<attvalue for=\"{i}\" value=\"{v}\"/>"));
    }
    s.push_str("</attvalues>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mermaid_ids_follow_jvspatial() {
        assert_eq!(sanitize_mermaid_id("n.Root.root"), "n_Root_root");
        assert_eq!(sanitize_mermaid_id("1abc"), "n1abc");
        assert_eq!(sanitize_mermaid_id("_x"), "n_x");
        assert_eq!(sanitize_mermaid_id("Zürich 東京"), "Zürich_東京");
        // Letter-numbers are alphanumeric but not alphabetic in Python.
        assert_eq!(sanitize_mermaid_id("Ⅻ.x"), "nⅫ_x");
        assert_eq!(sanitize_mermaid_id(&"a".repeat(60)).chars().count(), 50);
    }

    #[test]
    fn escapes() {
        let mut r = 0;
        assert_eq!(dot_id("a\"b\\c\nd", false, &mut r), r#""a\"b\\c\nd""#);
        assert_eq!(dot_label("x&y\r\nz\u{1}", &mut r), r#""x&amp;y\nz�""#);
        assert_eq!(r, 1);
        let mut s = String::new();
        xml_escape("<a b='c'>&\"\n\u{0}", &mut r, &mut s);
        assert_eq!(s, "&lt;a b=&apos;c&apos;&gt;&amp;&quot;&#10;\u{FFFD}");
        assert_eq!(r, 2);
        assert_eq!(
            mermaid_label("say \"hi\" <b> #quot; `x`\nok", &mut r),
            "say &quot;hi&quot; &lt;b&gt; &#35;quot; &#96;x&#96;<br/>ok"
        );
    }
}
