//! `jvdb get COLL ID…`: print records; missing ids are named on stderr (exit 3), the found
//! ones still print.
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
    let mut missing = 0;
    let mut unreadable = 0;
    let mut out = crate::output::stdout();
    let mut writer = (format != FormatArg::Json).then(|| RecordWriter::new(format, None));
    for id in &args.ids {
        match store.get(&args.collection, id).await? {
            GetResult::Found(rec) => match writer.as_mut() {
                Some(w) => w.write(&rec)?,
                None => {
                    out.write_all(json::to_pretty(&rec).as_bytes())?;
                    out.write_all(b"\n")?;
                }
            },
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
    if let Some(w) = writer {
        w.finish()?;
    }
    out.flush()?;
    Ok(if unreadable > 0 {
        exit::PARTIAL
    } else if missing > 0 {
        exit::NOT_FOUND
    } else {
        exit::OK
    })
}
