//! `jvdb edges ID`, `jvdb neighbors ID`, `jvdb path A B`: walking the graph from a node
//! (rules and cost in `jvdb::walk`).
use super::Ctx;
use crate::cli::{DirectionArg, EdgesArgs, FormatArg, GraphColls, NeighborsArgs, PathArgs};
use crate::output::{RecordWriter, choose};
use jvdb::error::{Error, exit};
use jvdb::graph::py_str;
use jvdb::store::Store;
use jvdb::value::{Map, Value};
use jvdb::walk::{Direction, Graph, Reached, WalkStats};

fn direction(d: DirectionArg) -> Direction {
    match d {
        DirectionArg::In => Direction::In,
        DirectionArg::Out => Direction::Out,
        DirectionArg::Both => Direction::Both,
    }
}

fn graph<'a>(store: &'a dyn Store, colls: &GraphColls, entities: &[String]) -> Graph<'a> {
    Graph {
        store,
        node_coll: colls.node_collection.clone(),
        edge_coll: colls.edge_collection.clone(),
        edge_entities: entities.to_vec(),
    }
}

fn check_colls(colls: &GraphColls) -> anyhow::Result<()> {
    super::check_collection(&colls.node_collection)?;
    super::check_collection(&colls.edge_collection)?;
    Ok(())
}

/// `-v`: what the walk cost.
fn say_cost(ctx: &Ctx, what: &str, s: &WalkStats) {
    if ctx.global.verbose {
        eprintln!(
            "jvdb: {what}: {} indexed edge lookup(s), {} edge scan(s), {} node lookup(s)",
            s.edge_lookups, s.edge_scans, s.node_lookups
        );
    }
}

/// Name every unreadable record met; exit 1 when there were any.
fn report(s: &WalkStats) -> i32 {
    for (c, id, reason) in &s.unreadable {
        eprintln!("jvdb: unreadable record {c}/{id}: {reason}");
    }
    if s.unreadable.is_empty() {
        exit::OK
    } else {
        eprintln!(
            "jvdb: {} unreadable record(s) on the way (listed above)",
            s.unreadable.len()
        );
        exit::PARTIAL
    }
}

fn entity_of(rec: &Value) -> Value {
    rec.get("entity")
        .map(|e| Value::Str(py_str(e)))
        .unwrap_or(Value::Null)
}

/// One output row for a reached node: `key` (depth or step), id, entity, the edge and node it
/// was reached through, and the node record.
fn row(key: &str, r: &Reached, n: u64) -> Value {
    let mut m = Map::new();
    m.insert(key.into(), Value::Int(n as i64));
    m.insert("id".into(), Value::Str(r.id.clone()));
    m.insert("entity".into(), entity_of(&r.record));
    m.insert(
        "via".into(),
        r.via.clone().map(Value::Str).unwrap_or(Value::Null),
    );
    m.insert(
        "from".into(),
        r.parent.clone().map(Value::Str).unwrap_or(Value::Null),
    );
    m.insert("node".into(), r.record.clone());
    Value::Object(m)
}

fn table_columns(format: FormatArg, key: &str) -> Option<Vec<String>> {
    (format == FormatArg::Table).then(|| {
        [key, "id", "node.context.name", "via", "from"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    })
}

pub async fn run_edges(ctx: &Ctx, args: EdgesArgs) -> anyhow::Result<i32> {
    check_colls(&args.colls)?;
    let store = ctx.open(false).await?;
    let g = graph(store.as_ref(), &args.colls, &args.entity);
    let mut stats = WalkStats::default();
    g.node(&args.id, &mut stats).await?;
    let steps = g
        .steps(
            std::slice::from_ref(&args.id),
            direction(args.direction),
            &mut stats,
        )
        .await?;
    let format = choose(args.format, ctx.stdout_tty, FormatArg::Jsonl);
    let mut w = RecordWriter::new(format, None);
    let mut seen = std::collections::HashSet::new();
    for s in steps {
        if seen.insert(s.edge_id.clone()) {
            w.write(&s.edge)?;
        }
    }
    let n = w.count();
    w.finish()?;
    say_cost(ctx, &format!("{n} edge(s)"), &stats);
    Ok(report(&stats))
}

pub async fn run_neighbors(ctx: &Ctx, args: NeighborsArgs) -> anyhow::Result<i32> {
    check_colls(&args.colls)?;
    let store = ctx.open(false).await?;
    let g = graph(store.as_ref(), &args.colls, &args.entity);
    let n = jvdb::walk::reach(&g, &args.id, args.depth, direction(args.direction), None).await?;
    let format = choose(args.format, ctx.stdout_tty, FormatArg::Jsonl);
    let mut w = RecordWriter::new(format, table_columns(format, "depth"));
    for r in n.reached.iter().filter(|r| r.depth > 0) {
        w.write(&row("depth", r, r.depth as u64))?;
    }
    let count = w.count();
    w.finish()?;
    say_cost(
        ctx,
        &format!("{count} node(s) within {} step(s)", args.depth),
        &n.stats,
    );
    Ok(report(&n.stats))
}

pub async fn run_path(ctx: &Ctx, args: PathArgs) -> anyhow::Result<i32> {
    check_colls(&args.colls)?;
    let store = ctx.open(false).await?;
    let g = graph(store.as_ref(), &args.colls, &args.entity);
    let mut stats = WalkStats::default();
    let dir = direction(args.direction);
    let path = jvdb::walk::shortest_path(&g, &args.from, &args.to, args.max_depth, dir, &mut stats)
        .await?;
    say_cost(ctx, "path search", &stats);
    let Some(path) = path else {
        report(&stats);
        return Err(Error::not_found(format!(
            "no path from {} to {} within {} step(s) (direction {})",
            args.from,
            args.to,
            args.max_depth,
            dir.name()
        ))
        .into());
    };
    let format = choose(args.format, ctx.stdout_tty, FormatArg::Jsonl);
    let mut w = RecordWriter::new(format, table_columns(format, "step"));
    for (i, r) in path.iter().enumerate() {
        w.write(&row("step", r, i as u64))?;
    }
    w.finish()?;
    Ok(report(&stats))
}
