//! `jvdb check`: a read-only consistency report of a whole store (exit 7 when it finds
//! anything). The core is [`jvdb::check`]; this renders it: text (a summary per kind, then up
//! to [`SHOWN_PER_KIND`] findings of each), one JSON object, or JSON lines streamed as found.
use super::{Ctx, check_collection};
use crate::cli::{CheckArgs, CheckFormat, ForBackend};
use jvdb::check::{self, Finding, Summary};
use jvdb::error::{Error, exit};
use jvdb::json;
use jvdb::store::WriteLimits;
use jvdb::value::{Map, Value};
use std::collections::BTreeMap;
use std::io::Write;

/// Findings of one kind the text report lists; the rest are counted ("… N more").
pub const SHOWN_PER_KIND: usize = 20;

/// The rules of a `--for` backend, from the backend itself (no store is opened).
fn limits(b: ForBackend) -> WriteLimits {
    match b {
        ForBackend::Mongodb => jvdb::store::mongo::write_limits(),
        ForBackend::Sqlite => jvdb::store::sqlite::write_limits(),
        ForBackend::Postgres => jvdb::store::postgres::write_limits(),
    }
}

fn finding_value(f: &Finding) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), Value::from(f.kind));
    m.insert("collection".into(), Value::Str(f.collection.clone()));
    m.insert("id".into(), Value::Str(f.id.clone()));
    m.insert("reason".into(), Value::Str(f.reason.clone()));
    if !f.field.is_empty() {
        m.insert("field".into(), Value::Str(f.field.clone()));
    }
    if let Some(t) = f.target {
        m.insert("for".into(), Value::from(t));
    }
    Value::Object(m)
}

fn io_err(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Error::interrupted("broken pipe")
    } else {
        Error::io("stdout", &e)
    }
}

pub async fn run(ctx: &Ctx, args: CheckArgs) -> anyhow::Result<i32> {
    check_collection(&args.colls.node_collection)?;
    check_collection(&args.colls.edge_collection)?;
    let store = ctx.open(false).await?;
    let mut targets: Vec<WriteLimits> = Vec::new();
    for b in &args.for_backends {
        let l = limits(*b);
        if !targets.iter().any(|t| t.target == l.target) {
            targets.push(l);
        }
    }
    let opts = check::Options {
        node_collection: args.colls.node_collection.clone(),
        edge_collection: args.colls.edge_collection.clone(),
        targets: targets.clone(),
    };
    let described = store.describe();
    let mut out = crate::output::stdout();
    // Text keeps the first findings of each kind (in report order); json and jsonl stream.
    let mut shown: BTreeMap<&'static str, Vec<Finding>> = BTreeMap::new();
    let mut first = true;
    if args.format == CheckFormat::Json {
        // `{"store": "…", "findings": [` then one finding per line, as they are found.
        write!(
            out,
            "{{\n  \"store\": {},\n  \"findings\": [",
            json::to_line(&Value::Str(described.clone()))
        )?;
    }
    let format = args.format;
    let summary: Summary = {
        let mut sink = |f: Finding| -> jvdb::Result<()> {
            match format {
                CheckFormat::Jsonl => {
                    writeln!(out, "{}", json::to_line(&finding_value(&f))).map_err(io_err)
                }
                CheckFormat::Json => {
                    let sep = if std::mem::replace(&mut first, false) {
                        "\n    "
                    } else {
                        ",\n    "
                    };
                    write!(out, "{sep}{}", json::to_line(&finding_value(&f))).map_err(io_err)
                }
                CheckFormat::Text => {
                    let v = shown.entry(f.kind).or_default();
                    if v.len() < SHOWN_PER_KIND {
                        v.push(f);
                    }
                    Ok(())
                }
            }
        };
        check::check(store.as_ref(), &opts, &mut sink).await?
    };
    let total = summary.findings();
    match format {
        CheckFormat::Jsonl => {}
        CheckFormat::Json => {
            let tail = json_tail(&summary, &targets);
            let tail = json::to_pretty(&tail);
            let inner = tail
                .strip_prefix('{')
                .and_then(|t| t.strip_suffix('}'))
                .unwrap_or("");
            writeln!(out, "{}],{}}}", if first { "" } else { "\n  " }, inner)?;
        }
        CheckFormat::Text => {
            write_text(&mut out, &described, &summary, &shown, &targets)?;
        }
    }
    out.flush()?;
    if format != CheckFormat::Text {
        ctx.note(format!(
            "jvdb: {} finding(s) in {}",
            total,
            jvdb::store::redact(&described)
        ));
    }
    Ok(if total > 0 { exit::FINDINGS } else { exit::OK })
}

/// Everything of the JSON report after `findings`.
fn json_tail(s: &Summary, targets: &[WriteLimits]) -> Value {
    let mut m = Map::new();
    let mut counts = Map::new();
    let mut kinds: Vec<_> = s.counts.iter().collect();
    kinds.sort_by_key(|(k, _)| check::kind_order(k));
    for (k, n) in kinds {
        counts.insert(k.to_string(), Value::Int(*n as i64));
    }
    m.insert("counts".into(), Value::Object(counts));
    m.insert("total".into(), Value::Int(s.findings() as i64));
    m.insert("clean".into(), Value::Bool(s.findings() == 0));
    let mut colls = Map::new();
    for (c, n) in &s.collections {
        colls.insert(c.clone(), Value::Int(*n as i64));
    }
    m.insert("records".into(), Value::Object(colls));
    m.insert("nodes".into(), Value::Int(s.nodes as i64));
    m.insert("edges".into(), Value::Int(s.edges as i64));
    m.insert(
        "for".into(),
        Value::Array(targets.iter().map(|t| Value::from(t.target)).collect()),
    );
    Value::Object(m)
}

fn write_text(
    out: &mut impl Write,
    store: &str,
    s: &Summary,
    shown: &BTreeMap<&'static str, Vec<Finding>>,
    targets: &[WriteLimits],
) -> std::io::Result<()> {
    let records: u64 = s.collections.iter().map(|(_, n)| n).sum();
    let for_note = if targets.is_empty() {
        String::new()
    } else {
        let t: Vec<&str> = targets.iter().map(|t| t.target).collect();
        format!(", checked for {}", t.join(", "))
    };
    let total = s.findings();
    writeln!(
        out,
        "{store}: {} collection(s), {records} record(s) ({} nodes, {} edges){for_note}: {}",
        s.collections.len(),
        s.nodes,
        s.edges,
        if total == 0 {
            "no findings".to_string()
        } else {
            format!("{total} finding(s)")
        }
    )?;
    if total == 0 {
        return Ok(());
    }
    let mut kinds: Vec<_> = s.counts.iter().collect();
    kinds.sort_by_key(|(k, _)| check::kind_order(k));
    let width = kinds.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, n) in &kinds {
        writeln!(out, "  {k:<width$}  {n:>6}")?;
    }
    let mut cut = false;
    for (k, n) in &kinds {
        writeln!(out)?;
        let meaning = check::KINDS
            .iter()
            .find(|(x, _)| x == *k)
            .map(|(_, m)| *m)
            .unwrap_or("");
        writeln!(out, "{k} ({n}): {meaning}")?;
        let list = shown.get(**k).map(Vec::as_slice).unwrap_or(&[]);
        for f in list {
            let at = if f.id.is_empty() {
                f.collection.clone()
            } else {
                format!("{}/{}", f.collection, f.id)
            };
            let target = f.target.map(|t| format!("[{t}] ")).unwrap_or_default();
            writeln!(out, "  {at}  {target}{}", f.reason)?;
        }
        let more = **n - list.len() as u64;
        if more > 0 {
            cut = true;
            writeln!(out, "  … {more} more")?;
        }
    }
    if cut {
        writeln!(
            out,
            "\n(at most {SHOWN_PER_KIND} per kind shown; every finding, one per line: jvdb check --format jsonl)"
        )?;
    }
    Ok(())
}
