//! `jvdb get COLL ID…`: print records; missing ids are named on stderr (exit 3), the found
//! ones still print.
//!
//! JSON output (the default) is always one valid JSON document: with one id, the record
//! object; with several ids, an array of the records found, in the order asked.
use super::{Ctx, check_collection};
use crate::cli::{FormatArg, GetArgs};
use crate::output::RecordWriter;
use jvdb::error::exit;
use jvdb::json;
use jvdb::store::{GetResult, validate_component};
use std::io::Write;

pub async fn run(ctx: &Ctx, args: GetArgs) -> anyhow::Result<i32> {
    check_collection(&args.collection)?;
    for id in &args.ids {
        validate_component(id, "record id")?;
    }
    let store = ctx.open(false).await?;
    super::warn_missing_collections(ctx, store.as_ref(), &[&args.collection]).await;
    let format = args.format.unwrap_or(FormatArg::Json);
    // One id asked for: the bare object (or nothing when it is missing). The shape follows
    // the number of ids asked for, not found, so a script sees the same shape either way.
    let single = format == FormatArg::Json && args.ids.len() == 1;
    let mut missing = 0;
    let mut unreadable = 0;
    let mut found = Vec::new();
    for id in &args.ids {
        match store.get(&args.collection, id).await? {
            GetResult::Found(rec) => found.push(rec),
            GetResult::Missing => {
                missing += 1;
                eprintln!("jvdb: not found: {}/{id}", args.collection);
            }
            GetResult::Unreadable(reason) => {
                unreadable += 1;
                eprintln!("jvdb: unreadable record {}/{id}: {reason}", args.collection);
            }
        }
    }
    if single {
        let mut out = crate::output::stdout();
        for rec in &found {
            out.write_all(json::to_pretty(rec).as_bytes())?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
    } else {
        let mut w = RecordWriter::new(format, None);
        w.write_all_buffered(&found, &args.collection)?;
        w.finish()?;
    }
    Ok(if unreadable > 0 {
        exit::PARTIAL
    } else if missing > 0 {
        exit::NOT_FOUND
    } else {
        exit::OK
    })
}
