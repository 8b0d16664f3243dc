//! `jvdb cleanup`: remove dangling edges by validate_graph's rule, with guards for cron.
use super::{Ctx, check_collection};
use crate::cli::{CleanupArgs, ReportFormat};
use jvdb::error::{Error, exit};
use jvdb::graph::{self, GraphReport};
use jvdb::json;
use jvdb::store::{GetResult, SaveMode};
use jvdb::value::{Map, Value};
use std::io::Write;

pub async fn run(ctx: &Ctx, args: CleanupArgs) -> anyhow::Result<i32> {
    check_collection(&args.node_collection)?;
    check_collection(&args.edge_collection)?;
    let store = ctx.open(false).await?;
    let rep = graph::analyze(store.as_ref(), &args.node_collection, &args.edge_collection).await?;
    for (c, id, reason) in &rep.unreadable {
        eprintln!("jvdb: unreadable record {c}/{id}: {reason}");
    }
    if rep.nodes == 0 && rep.edges > 0 && !args.force {
        return Err(Error::refused(format!(
            "refusing to clean up {}: node collection {:?} is empty or missing, so all {} edge(s) would count as dangling; use --force if that is really meant",
            store.describe(),
            args.node_collection,
            rep.edges
        ))
        .into());
    }
    let n = rep.dangling.len() as u64;
    if let Some(max) = args.max_delete
        && n > max
        && !args.dry_run
    {
        return Err(Error::refused(format!(
            "refusing to delete {n} dangling edge(s) from {}: more than --max-delete {max}; nothing deleted",
            store.describe()
        ))
        .into());
    }
    let strip = if args.strip_node_edges {
        rep.legacy_edge_arrays.len() as u64
    } else {
        0
    };
    if !args.dry_run && (n > 0 || strip > 0) && !args.yes && !ctx.stdin_tty {
        return Err(Error::refused(format!(
            "refusing to clean up {} without --yes: there is no terminal to ask for confirmation ({n} dangling edge(s) to delete{}); pass --yes, or --dry-run to see what would be removed; nothing changed",
            store.describe(),
            if strip > 0 {
                format!(", {strip} legacy edges array(s) to strip")
            } else {
                String::new()
            }
        ))
        .into());
    }
    if !args.dry_run && (n > 0 || strip > 0) && !args.yes {
        let q = format!(
            "Delete {n} dangling edge(s) from {}/{}{}?",
            store.describe(),
            args.edge_collection,
            if strip > 0 {
                format!(" and strip {strip} legacy edges array(s)")
            } else {
                String::new()
            }
        );
        if !ctx.confirm(&q) {
            return Err(Error::refused("not confirmed; nothing deleted").into());
        }
    }
    // --backup: every record about to be deleted or changed, durable before the change.
    let mut backed_up: Option<jvdb::backup::Written> = None;
    if let Some(file) = &args.backup {
        let strip_ids: &[String] = if args.strip_node_edges {
            &rep.legacy_edge_arrays
        } else {
            &[]
        };
        if args.dry_run {
            ctx.note(format!(
                "jvdb: dry run: would back up {} record(s) to {file} first",
                n + strip_ids.len() as u64
            ));
        } else {
            let mut b = jvdb::backup::Backup::create(file, args.archive.settings()).await?;
            b.records_by_id(store.as_ref(), &args.edge_collection, &rep.dangling)
                .await?;
            if !strip_ids.is_empty() {
                b.records_by_id(store.as_ref(), &args.node_collection, strip_ids)
                    .await?;
            }
            let w = b.finish(&store.describe()).await?;
            ctx.note(format!("jvdb: backed up {}", w.summary()));
            backed_up = Some(w);
        }
    }
    let mut deleted: Vec<String> = Vec::new();
    let mut failures: Vec<(String, String)> = Vec::new();
    if !args.dry_run && n > 0 {
        let results = store
            .delete_many(&args.edge_collection, rep.dangling.clone())
            .await?;
        for (id, r) in rep.dangling.iter().zip(results) {
            match r {
                Ok(true) => deleted.push(id.clone()),
                Ok(false) => failures.push((
                    id.clone(),
                    "no record stored under this id (the file name differs from the id inside)"
                        .into(),
                )),
                Err(e) => failures.push((id.clone(), e.to_string())),
            }
        }
    }
    // Legacy node `edges` arrays. A dry run lists what it would strip, apart from what was
    // stripped (nothing), so a report can never be misread as a change.
    let mut stripped: Vec<String> = Vec::new();
    let mut would_strip: Vec<String> = Vec::new();
    if args.strip_node_edges && !rep.legacy_edge_arrays.is_empty() {
        if args.dry_run {
            would_strip = rep.legacy_edge_arrays.clone();
        } else {
            for id in &rep.legacy_edge_arrays {
                match strip_edges(store.as_ref(), &args.node_collection, id).await {
                    Ok(true) => stripped.push(id.clone()),
                    Ok(false) => {}
                    Err(e) => failures.push((id.clone(), e.to_string())),
                }
            }
        }
    }
    // Stale temp files.
    let mut tmp_removed: Vec<String> = Vec::new();
    let mut would_remove_tmp: Vec<String> = Vec::new();
    if args.tmp_files {
        match store.sweep_temp_files(!args.dry_run).await? {
            Some(found) => {
                if args.dry_run {
                    would_remove_tmp = found;
                } else {
                    tmp_removed = found;
                }
            }
            None => ctx.note(format!(
                "jvdb: --tmp-files: {} keeps no temp files; skipped",
                store.describe()
            )),
        }
    }
    for (id, why) in &failures {
        eprintln!("jvdb: cannot clean {id}: {why}");
    }
    for id in &rep.undeletable {
        eprintln!("jvdb: cannot clean {}: {UNDELETABLE}", json::to_line(id));
    }
    let mut out = crate::output::stdout();
    match args.format {
        ReportFormat::Json => {
            let done = Done {
                deleted: &deleted,
                stripped: &stripped,
                would_strip: &would_strip,
                tmp: &tmp_removed,
                would_tmp: &would_remove_tmp,
                failures: &failures,
                backup: backed_up.as_ref(),
            };
            let report = json_report(&rep, &args, &done);
            writeln!(out, "{}", json::to_pretty(&report))?;
        }
        ReportFormat::Text => {
            for id in &rep.dangling {
                writeln!(out, "{id}")?;
            }
            for id in &rep.undeletable {
                writeln!(out, "{}", json::to_line(id))?;
            }
        }
    }
    out.flush()?;
    let verb = if args.dry_run {
        "would delete"
    } else {
        "deleted"
    };
    ctx.note(format!(
        "jvdb: {} nodes, {} edges scanned; {} dangling edge(s), {verb} {}; {} orphan node(s) reported (not deleted){}{}",
        rep.nodes,
        rep.edges,
        n + rep.undeletable.len() as u64,
        if args.dry_run { n } else { deleted.len() as u64 },
        rep.orphans.len(),
        match (args.strip_node_edges, args.dry_run) {
            (false, _) => String::new(),
            (true, true) => format!("; would strip legacy edges arrays: {}", would_strip.len()),
            (true, false) => format!("; legacy edges arrays stripped: {}", stripped.len()),
        },
        match (args.tmp_files, args.dry_run) {
            (false, _) => String::new(),
            (true, true) => format!("; would remove temp files: {}", would_remove_tmp.len()),
            (true, false) => format!("; temp files removed: {}", tmp_removed.len()),
        },
    ));
    if !rep.orphans.is_empty() && ctx.global.verbose {
        for o in &rep.orphans {
            let o = match o {
                Value::Str(s) => s.clone(),
                other => json::to_line(other),
            };
            eprintln!("jvdb: orphan node {o}");
        }
    }
    Ok(
        if !failures.is_empty() || !rep.unreadable.is_empty() || !rep.undeletable.is_empty() {
            exit::PARTIAL
        } else {
            exit::OK
        },
    )
}

/// Remove the legacy `edges` key from one node record (re-read, so nothing else changes).
async fn strip_edges(store: &dyn jvdb::store::Store, coll: &str, id: &str) -> anyhow::Result<bool> {
    let GetResult::Found(mut rec) = store.get(coll, id).await? else {
        return Ok(false);
    };
    let Some(m) = rec.as_object_mut() else {
        return Ok(false);
    };
    if m.shift_remove("edges").is_none() {
        return Ok(false);
    }
    let mut r = store.save_many(coll, vec![rec], SaveMode::Replace).await?;
    match r.pop() {
        Some(Ok(_)) => Ok(true),
        Some(Err(e)) => Err(e.into()),
        None => Ok(false),
    }
}

/// Why a dangling edge whose id holds a lone surrogate is left in place.
const UNDELETABLE: &str =
    "dangling edge whose id contains a lone surrogate cannot name a record file; not deleted";

fn strs(v: &[String]) -> Value {
    Value::Array(v.iter().map(|s| Value::Str(s.clone())).collect())
}

/// What a run did (or, in a dry run, would do), for the JSON report.
struct Done<'a> {
    deleted: &'a [String],
    stripped: &'a [String],
    would_strip: &'a [String],
    tmp: &'a [String],
    would_tmp: &'a [String],
    failures: &'a [(String, String)],
    backup: Option<&'a jvdb::backup::Written>,
}

/// The `--format json` report. Keys for changes made (`deleted_ids`, `stripped_node_edges`,
/// `tmp_files_removed`) are empty in a dry run; what a dry run would change is under
/// `dangling_edges`, `would_strip_node_edges` and `would_remove_tmp_files` (empty otherwise).
fn json_report(rep: &GraphReport, args: &CleanupArgs, done: &Done) -> Value {
    let Done {
        deleted,
        stripped,
        would_strip,
        tmp,
        would_tmp,
        failures,
        backup,
    } = *done;
    let mut m = Map::new();
    m.insert("dry_run".into(), Value::Bool(args.dry_run));
    m.insert("nodes_scanned".into(), Value::Int(rep.nodes as i64));
    m.insert("edges_scanned".into(), Value::Int(rep.edges as i64));
    // Every dangling edge, the undeletable ones (ids with a lone surrogate) included.
    let mut dangling: Vec<Value> = rep
        .dangling
        .iter()
        .map(|s| Value::from(s.as_str()))
        .collect();
    dangling.extend(rep.undeletable.iter().cloned());
    dangling.sort_by(|a, b| a.str_bytes().cmp(&b.str_bytes()));
    m.insert("dangling_edges".into(), Value::Array(dangling));
    m.insert("deleted".into(), Value::Int(deleted.len() as i64));
    m.insert("deleted_ids".into(), strs(deleted));
    m.insert("orphan_nodes".into(), Value::Array(rep.orphans.clone()));
    m.insert("roots".into(), Value::Array(rep.roots.clone()));
    m.insert(
        "legacy_edge_arrays".into(),
        Value::Int(rep.legacy_edge_arrays.len() as i64),
    );
    m.insert("stripped_node_edges".into(), strs(stripped));
    m.insert("would_strip_node_edges".into(), strs(would_strip));
    m.insert("tmp_files_removed".into(), strs(tmp));
    m.insert("would_remove_tmp_files".into(), strs(would_tmp));
    m.insert(
        "unreadable".into(),
        Value::Array(
            rep.unreadable
                .iter()
                .map(|(c, id, r)| {
                    let mut e = Map::new();
                    e.insert("collection".into(), Value::Str(c.clone()));
                    e.insert("id".into(), Value::Str(id.clone()));
                    e.insert("reason".into(), Value::Str(r.clone()));
                    Value::Object(e)
                })
                .collect(),
        ),
    );
    m.insert(
        "failures".into(),
        Value::Array(
            failures
                .iter()
                .map(|(id, r)| (Value::Str(id.clone()), r.as_str()))
                .chain(rep.undeletable.iter().map(|id| (id.clone(), UNDELETABLE)))
                .map(|(id, r)| {
                    let mut e = Map::new();
                    e.insert("id".into(), id);
                    e.insert("reason".into(), Value::from(r));
                    Value::Object(e)
                })
                .collect(),
        ),
    );
    // `backup`: the archive written first (`null` without --backup, and in a dry run).
    m.insert(
        "backup".into(),
        match backup {
            None => Value::Null,
            Some(w) => {
                let mut b = Map::new();
                b.insert("file".into(), Value::Str(w.file.clone()));
                b.insert("records".into(), Value::Int(w.total() as i64));
                Value::Object(b)
            }
        },
    );
    Value::Object(m)
}
