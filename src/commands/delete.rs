//! `jvdb delete COLL [ID…] [--query Q]`: delete records, with `--dry-run`, confirmation on a
//! TTY, `--max-delete`, and `--cascade` for the edges of deleted nodes.
//!
//! A bulk delete (by `--query`, even when one record matches; several ids; or more than one
//! record with `--cascade`) asks `[y/N]` on a terminal and, with no terminal to ask (stdin not
//! a TTY), is refused (exit 6) unless `--yes`. One id named on the command line is deleted
//! without a prompt. Deleting nodes without `--cascade` says how many edges it left dangling.
use super::count::report_unreadable;
use super::{Ctx, build_filter, check_collection};
use crate::cli::DeleteArgs;
use futures::StreamExt;
use jvdb::error::{Error, exit};
use jvdb::graph;
use jvdb::store::{FindSpec, Item, validate_component};
use std::collections::BTreeSet;
use std::io::Write;

pub async fn run(ctx: &Ctx, args: DeleteArgs) -> anyhow::Result<i32> {
    check_collection(&args.collection)?;
    if args.ids.is_empty() && args.query.query.is_none() {
        return Err(Error::invalid("delete needs record ids or --query").into());
    }
    if !args.ids.is_empty() && args.query.query.is_some() {
        return Err(Error::invalid("give record ids or --query, not both").into());
    }
    for id in &args.ids {
        validate_component(id, "record id")?;
    }
    let store = ctx.open(false).await?;
    super::warn_missing_collections(ctx, store.as_ref(), &[&args.collection]).await;
    let mut bad = Vec::new();
    // The ids to delete (ids given, or every match of the query).
    let mut targets: Vec<String> = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    if let Some(q) = &args.query.query {
        let filter = build_filter(ctx, Some(q), None)?;
        let mut s = store.find(&args.collection, FindSpec::all(filter)).await?;
        while let Some(item) = s.next().await {
            match item? {
                Item::Record(r) => match r.get("id") {
                    Some(jvdb::Value::Str(id)) => targets.push(id.clone()),
                    Some(jvdb::Value::WStr(b)) => bad.push((
                        jvdb::wtf8::to_string_escaped(b),
                        "matching record's id contains a lone surrogate, so it cannot name a record file; not deleted".to_string(),
                    )),
                    _ => bad.push((
                        "?".to_string(),
                        "matching record has no string id; not deleted".to_string(),
                    )),
                },
                Item::Unreadable { id, reason } => bad.push((id, reason)),
            }
        }
    } else {
        let mut seen = BTreeSet::new();
        for id in &args.ids {
            if !seen.insert(id.clone()) {
                continue;
            }
            match store.get(&args.collection, id).await? {
                jvdb::store::GetResult::Missing => missing.push(id.clone()),
                _ => targets.push(id.clone()),
            }
        }
    }
    // Edges of deleted nodes (--cascade).
    let mut edges: Vec<String> = Vec::new();
    if args.cascade && !targets.is_empty() {
        let ids: std::collections::HashSet<&str> = targets.iter().map(String::as_str).collect();
        edges = graph::incident_edges(store.as_ref(), "edge", &ids, &mut bad).await?;
    }
    let total = (targets.len() + edges.len()) as u64;
    let named = args.ids.iter().collect::<BTreeSet<_>>().len();
    let bulk = args.query.query.is_some() || named > 1 || total > 1;
    if let Some(max) = args.max_delete
        && total > max
    {
        return Err(Error::refused(format!(
            "refusing to delete {total} record(s) from {}: more than --max-delete {max}; nothing deleted",
            store.describe()
        ))
        .into());
    }
    let mut out = crate::output::stdout();
    if args.dry_run {
        for id in &targets {
            writeln!(out, "{id}")?;
        }
        for id in &edges {
            writeln!(out, "{id}")?;
        }
        out.flush()?;
        ctx.note(format!(
            "jvdb: dry run: would delete {} record(s) from {}{}",
            targets.len(),
            args.collection,
            if args.cascade {
                format!(" and {} edge(s)", edges.len())
            } else {
                String::new()
            }
        ));
        if let Some(file) = &args.backup {
            ctx.note(format!(
                "jvdb: dry run: would back up {total} record(s) to {file} first"
            ));
        }
        report_dangling(ctx, store.as_ref(), &args, &targets, true).await?;
    } else if total > 0 {
        if bulk && !args.yes && !ctx.stdin_tty {
            return Err(Error::refused(format!(
                "refusing to delete {total} record(s) from {} without --yes: there is no terminal to ask for confirmation (a delete {why} needs --yes; use --dry-run to see what would be deleted); nothing deleted",
                store.describe(),
                why = if args.query.query.is_some() {
                    "by --query"
                } else {
                    "of more than one record"
                }
            ))
            .into());
        }
        if bulk && !args.yes {
            let q = format!(
                "Delete {} record(s) from {} in {}{}?",
                targets.len(),
                args.collection,
                store.describe(),
                if edges.is_empty() {
                    String::new()
                } else {
                    format!(" and {} edge(s)", edges.len())
                }
            );
            if !ctx.confirm(&q) {
                return Err(Error::refused("not confirmed; nothing deleted").into());
            }
        }
        // --backup: every record about to be deleted, durable before anything is deleted.
        if let Some(file) = &args.backup {
            let mut b = jvdb::backup::Backup::create(file, args.archive.settings()).await?;
            b.records_by_id(store.as_ref(), &args.collection, &targets)
                .await?;
            if !edges.is_empty() {
                b.records_by_id(store.as_ref(), "edge", &edges).await?;
            }
            let w = b.finish(&store.describe()).await?;
            ctx.note(format!("jvdb: backed up {}", w.summary()));
        }
        let mut deleted = 0u64;
        let mut failed = 0u64;
        let mut deleted_targets: Vec<String> = Vec::new();
        for (i, (coll, ids)) in [(args.collection.as_str(), targets), ("edge", edges)]
            .into_iter()
            .enumerate()
        {
            if ids.is_empty() {
                continue;
            }
            let results = store.delete_many(coll, ids.clone()).await?;
            for (id, r) in ids.iter().zip(results) {
                match r {
                    Ok(true) => {
                        deleted += 1;
                        if i == 0 {
                            deleted_targets.push(id.clone());
                        }
                        writeln!(out, "{id}")?;
                    }
                    Ok(false) => missing.push(id.clone()),
                    Err(e) => {
                        failed += 1;
                        eprintln!("jvdb: cannot delete {coll}/{id}: {e}");
                    }
                }
            }
        }
        out.flush()?;
        ctx.note(format!(
            "jvdb: deleted {deleted} record(s), failed {failed}"
        ));
        report_dangling(ctx, store.as_ref(), &args, &deleted_targets, false).await?;
        if failed > 0 {
            return Ok(exit::PARTIAL);
        }
    }
    for id in &missing {
        eprintln!("jvdb: not found: {}/{id}", args.collection);
    }
    let code = report_unreadable(&args.collection, &bad);
    if code != exit::OK {
        return Ok(code);
    }
    Ok(if missing.is_empty() {
        exit::OK
    } else {
        exit::NOT_FOUND
    })
}

/// Without `--cascade`, deleting nodes leaves their edges dangling: say how many (one line on
/// stderr) and how to remove them. `ids`: the nodes deleted (or, in a dry run, to delete).
async fn report_dangling(
    ctx: &Ctx,
    store: &dyn jvdb::store::Store,
    args: &DeleteArgs,
    ids: &[String],
    dry_run: bool,
) -> anyhow::Result<()> {
    if args.cascade || args.collection != "node" || ids.is_empty() {
        return Ok(());
    }
    let set: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
    let mut unreadable = Vec::new();
    let n = graph::incident_edges(store, "edge", &set, &mut unreadable)
        .await?
        .len();
    if n == 0 {
        return Ok(());
    }
    let not_counted = if unreadable.is_empty() {
        String::new()
    } else {
        format!(
            " ({} unreadable edge record(s) not counted)",
            unreadable.len()
        )
    };
    if dry_run {
        ctx.note(format!(
            "jvdb: dry run: {n} edge(s) would dangle (their source or target would be deleted){not_counted}; add --cascade to delete them too, or run jvdb cleanup afterwards"
        ));
    } else {
        ctx.note(format!(
            "jvdb: {n} edge(s) now dangle (their source or target was deleted){not_counted}; run jvdb cleanup to remove them, or use --cascade next time"
        ));
    }
    Ok(())
}
