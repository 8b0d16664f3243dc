//! `jvdb find COLL`: stream the records that match a query.
use super::count::report_unreadable;
use super::{Ctx, build_filter, check_collection};
use crate::cli::{FindArgs, FormatArg};
use crate::output::{LeafPaths, RecordWriter, choose, unnamed_key};
use futures::StreamExt;
use jvdb::error::Error;
use jvdb::query::parse_sort;
use jvdb::query::projection::Projection;
use jvdb::store::{FindSpec, Item};
use std::io::Write;
use std::sync::Arc;

/// CSV without `--fields`: results up to this long are buffered to learn the header; longer
/// ones are read twice (paths, then rows).
const CSV_LOOKAHEAD: usize = 1000;

pub async fn run(ctx: &Ctx, args: FindArgs) -> anyhow::Result<i32> {
    check_collection(&args.collection)?;
    let filter = build_filter(ctx, args.query.query.as_deref(), args.entity.as_deref())?;
    let sort = match &args.sort {
        Some(s) => parse_sort(s).map_err(|e| Error::invalid(e.0))?,
        None => Vec::new(),
    };
    let projection = match &args.fields {
        Some(f) => Some(Projection::parse(f).map_err(|e| Error::invalid(e.0))?),
        None => None,
    };
    let columns = args.fields.as_ref().map(|f| {
        let mut c: Vec<String> = vec!["id".into()];
        for p in f
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty() && *p != "id")
        {
            c.push(p.to_string());
        }
        c
    });
    let store = ctx.open(false).await?;
    super::warn_missing_collections(ctx, store.as_ref(), &[&args.collection]).await;
    let filter = Arc::new(filter);
    let spec = || FindSpec {
        filter: filter.clone(),
        sort: sort.clone(),
        skip: args.skip,
        limit: args.limit,
        projection: projection.clone(),
        partition: None,
    };
    let mut stream = store.find(&args.collection, spec()).await?;
    let mut bad = Vec::new();
    if args.count {
        let mut n: u64 = 0;
        while let Some(item) = stream.next().await {
            match item? {
                Item::Record(_) => n += 1,
                Item::Unreadable { id, reason } => bad.push((id, reason)),
            }
        }
        let mut out = crate::output::stdout();
        writeln!(out, "{n}")?;
        out.flush()?;
        return Ok(report_unreadable(&args.collection, &bad));
    }
    let format = choose(args.format, ctx.stdout_tty, FormatArg::Jsonl);
    let mut w = RecordWriter::new(format, columns.clone());
    if format == FormatArg::Csv && columns.is_none() {
        // The header must name every leaf path before the first row. Look ahead a bounded
        // number of records; when the result is longer, read it all once for the paths only
        // and run the find again to emit it.
        let mut paths = LeafPaths::new();
        let mut ahead = Vec::new();
        let mut complete = true;
        while let Some(item) = stream.next().await {
            match item? {
                Item::Record(rec) => {
                    paths
                        .add(&rec)
                        .map_err(|p| unnamed_key(&args.collection, &rec, &p))?;
                    if complete && ahead.len() < CSV_LOOKAHEAD {
                        ahead.push(rec);
                    } else if complete {
                        complete = false;
                        ahead = Vec::new();
                    }
                }
                Item::Unreadable { id, reason } => bad.push((id, reason)),
            }
        }
        w = RecordWriter::csv_with_leaf_header(&args.collection, paths);
        if complete {
            for rec in &ahead {
                w.write(rec)?;
            }
            stream = futures::stream::empty().boxed();
        } else {
            if ctx.global.verbose {
                eprintln!(
                    "jvdb: more than {CSV_LOOKAHEAD} records: CSV header from a first pass, rows from a second"
                );
            }
            // The emitting pass reports what it cannot read (once, not twice).
            bad.clear();
            stream = store.find(&args.collection, spec()).await?;
        }
    }
    while let Some(item) = stream.next().await {
        match item? {
            Item::Record(rec) => w.write(&rec)?,
            Item::Unreadable { id, reason } => bad.push((id, reason)),
        }
    }
    let n = w.count();
    w.finish()?;
    if ctx.global.verbose {
        eprintln!("jvdb: {n} record(s)");
    }
    Ok(report_unreadable(&args.collection, &bad))
}
