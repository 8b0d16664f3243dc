//! `jvdb find COLL`: stream the records that match a query.
use super::count::report_unreadable;
use super::{Ctx, build_filter, check_collection};
use crate::cli::{FindArgs, FormatArg};
use crate::output::{RecordWriter, choose};
use futures::StreamExt;
use jvdb::error::Error;
use jvdb::query::parse_sort;
use jvdb::query::projection::Projection;
use jvdb::store::{FindSpec, Item};
use std::io::Write;
use std::sync::Arc;

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
    let spec = FindSpec {
        filter: Arc::new(filter),
        sort,
        skip: args.skip,
        limit: args.limit,
        projection,
    };
    let mut stream = store.find(&args.collection, spec).await?;
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
    let mut w = RecordWriter::new(format, columns);
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
