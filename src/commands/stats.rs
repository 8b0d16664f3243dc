//! `jvdb stats`: counts and sizes per collection and entity, edges by entity and direction,
//! node degrees (percentiles, a log2 histogram, the top N), dangling edges and orphans; files
//! on disk for a store kept in files. The definitions are in `jvdb::stats`.
use super::{Ctx, check_collection};
use crate::cli::{StatsArgs, StatsFormat};
use comfy_table::{CellAlignment, ContentArrangement, Table, presets};
use jvdb::json;
use jvdb::stats::{self, Stats, Summary};
use jvdb::value::Value;
use std::io::Write;

/// The longest histogram bar.
const BAR: u64 = 40;

pub async fn run(ctx: &Ctx, args: StatsArgs) -> anyhow::Result<i32> {
    let (nc, ec) = (&args.colls.node_collection, &args.colls.edge_collection);
    check_collection(nc)?;
    check_collection(ec)?;
    let store = ctx.open(false).await?;
    store.check_collection(nc)?;
    store.check_collection(ec)?;
    let st = stats::compute(store.as_ref(), nc, ec, args.top).await?;
    for c in &st.collections {
        if c.unreadable > 0 {
            ctx.note(format!(
                "jvdb: {} unreadable record(s) in {} (not in its count and bytes; `jvdb check` names them)",
                c.unreadable, c.name
            ));
        }
    }
    let mut out = crate::output::stdout();
    match args.format {
        StatsFormat::Json => {
            writeln!(out, "{}", json::to_pretty(&st.to_value(&store.describe())))?;
        }
        StatsFormat::Table => write_tables(&mut out, &st, &store.describe())?,
    }
    out.flush()?;
    Ok(jvdb::error::exit::OK)
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    t
}

fn right(t: &mut Table, from: usize) {
    for i in from..t.column_count() {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
}

fn n(v: u64) -> String {
    crate::output::thousands(v)
}

/// A label for people: control characters shown as U+FFFD, long ones cut.
fn label(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if clean.chars().count() > 48 {
        clean.chars().take(47).collect::<String>() + "…"
    } else {
        clean
    }
}

fn entity_text(e: &Option<String>) -> String {
    match e {
        Some(s) => label(s),
        None => "(none)".into(),
    }
}

/// Bytes for people: `1.5 MiB`.
fn size(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

fn write_tables(out: &mut impl Write, st: &Stats, store: &str) -> anyhow::Result<()> {
    let g = &st.graph;
    writeln!(out, "store: {store}")?;
    writeln!(out)?;
    let disk = st.disk_total().is_some();
    let mut header = vec!["collection", "records", "bytes", "unreadable"];
    if disk {
        header.extend(["files", "on disk", "allocated"]);
    }
    let mut t = table(&header);
    for c in &st.collections {
        let mut row = vec![label(&c.name), n(c.count), size(c.bytes), n(c.unreadable)];
        if let Some(d) = c.disk {
            row.extend([n(d.files), size(d.bytes), size(d.allocated_bytes)]);
        } else if disk {
            row.extend(["-".into(), "-".into(), "-".into()]);
        }
        t.add_row(row);
    }
    right(&mut t, 1);
    writeln!(out, "{t}")?;
    writeln!(out)?;

    let mut t = table(&["collection", "entity", "records"]);
    for c in &st.collections {
        for (e, k) in &c.entities {
            t.add_row(vec![label(&c.name), entity_text(e), n(*k)]);
        }
    }
    right(&mut t, 2);
    writeln!(out, "{t}")?;
    writeln!(out)?;

    writeln!(
        out,
        "graph: {} nodes ({} root(s)) in {}, {} edges in {}",
        n(g.nodes),
        n(g.roots),
        label(&g.node_collection),
        n(g.edges),
        label(&g.edge_collection)
    )?;
    writeln!(
        out,
        "       {} bidirectional, {} directed, {} self-loop(s), {} dangling, {} orphan(s)",
        n(g.bidirectional),
        n(g.edges - g.bidirectional),
        n(g.self_loops),
        n(g.dangling),
        n(g.orphans)
    )?;
    if g.roots == 0 && g.nodes > 0 {
        writeln!(out, "       no Root: orphans are not counted")?;
    }
    writeln!(out)?;
    if !g.edges_by_entity.is_empty() {
        let mut t = table(&[
            "edge entity",
            "edges",
            "bidirectional",
            "directed",
            "self-loops",
            "dangling",
        ]);
        for (e, x) in &g.edges_by_entity {
            t.add_row(vec![
                entity_text(e),
                n(x.count),
                n(x.bidirectional),
                n(x.count - x.bidirectional),
                n(x.self_loops),
                n(x.dangling),
            ]);
        }
        right(&mut t, 1);
        writeln!(out, "{t}")?;
        writeln!(out)?;
    }
    if g.nodes > 0 {
        let mut t = table(&["degree", "min", "p50", "p90", "p99", "max", "mean"]);
        for (name, s) in [
            ("in", &g.degree_in),
            ("out", &g.degree_out),
            ("total", &g.degree_total),
        ] {
            if let Some(Summary {
                min,
                percentiles: [p50, p90, p99],
                max,
                mean,
            }) = s
            {
                t.add_row(vec![
                    name.to_string(),
                    n(*min),
                    n(*p50),
                    n(*p90),
                    n(*p99),
                    n(*max),
                    format!("{mean:.2}"),
                ]);
            }
        }
        right(&mut t, 1);
        writeln!(out, "{t}")?;
        writeln!(out)?;
        writeln!(out, "total degree (nodes per log2 bucket):")?;
        let most = g
            .histogram
            .iter()
            .map(|b| b.nodes)
            .max()
            .unwrap_or(0)
            .max(1);
        let labels: Vec<String> = g
            .histogram
            .iter()
            .map(|b| {
                if b.from == b.to {
                    b.from.to_string()
                } else {
                    format!("{}-{}", b.from, b.to)
                }
            })
            .collect();
        let w = labels.iter().map(|l| l.len()).max().unwrap_or(1);
        for (b, l) in g.histogram.iter().zip(&labels) {
            // A non-empty bucket always shows at least one block.
            let len = if b.nodes == 0 {
                0
            } else {
                (b.nodes * BAR).div_ceil(most)
            };
            writeln!(
                out,
                "  {l:>w$} │{} {}",
                "█".repeat(len as usize),
                n(b.nodes)
            )?;
        }
        writeln!(out)?;
    }
    if !g.top.is_empty() {
        writeln!(out, "top {} node(s) by total degree:", g.top.len())?;
        let mut t = table(&["id", "entity", "in", "out", "total"]);
        for x in &g.top {
            let id = match &x.id {
                Value::Str(s) => label(s),
                other => label(&jvdb::graph::py_str(other)),
            };
            t.add_row(vec![
                id,
                entity_text(&x.entity),
                n(x.in_degree),
                n(x.out_degree),
                n(x.total),
            ]);
        }
        right(&mut t, 2);
        writeln!(out, "{t}")?;
    }
    Ok(())
}
