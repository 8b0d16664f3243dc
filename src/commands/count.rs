//! `jvdb count COLL [--query Q]`: the number of (matching) records.
use super::{Ctx, build_filter, check_collection};
use crate::cli::CountArgs;
use jvdb::error::exit;
use std::io::Write;
use std::sync::Arc;

pub async fn run(ctx: &Ctx, args: CountArgs) -> anyhow::Result<i32> {
    check_collection(&args.collection)?;
    let filter = if args.query.query.is_some() || args.entity.is_some() {
        Some(Arc::new(build_filter(
            ctx,
            args.query.query.as_deref(),
            args.entity.as_deref(),
        )?))
    } else {
        None
    };
    let store = ctx.open(false).await?;
    super::warn_missing_collections(ctx, store.as_ref(), &[&args.collection]).await;
    let c = store.count(&args.collection, filter).await?;
    let mut out = crate::output::stdout();
    writeln!(out, "{}", c.count)?;
    out.flush()?;
    Ok(report_unreadable(&args.collection, &c.unreadable))
}

/// Name every unreadable record on stderr; exit 1 when there were any.
pub fn report_unreadable(collection: &str, bad: &[(String, String)]) -> i32 {
    for (id, reason) in bad {
        eprintln!("jvdb: unreadable record {collection}/{id}: {reason}");
    }
    if bad.is_empty() {
        exit::OK
    } else {
        eprintln!(
            "jvdb: {} unreadable record(s) in collection {collection} (listed above)",
            bad.len()
        );
        exit::PARTIAL
    }
}
