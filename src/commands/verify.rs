//! `jvdb verify A B`: compare two stores by counts and content hash, per collection.
use super::Ctx;
use crate::cli::{ReportFormat, VerifyArgs};
use jvdb::error::exit;
use jvdb::json;
use jvdb::transfer;
use jvdb::value::{Map, Value};
use std::io::Write;

pub async fn run(ctx: &Ctx, args: VerifyArgs) -> anyhow::Result<i32> {
    let a = ctx.open_spec(&args.a, false).await?;
    let b = ctx.open_spec(&args.b, false).await?;
    for c in &args.collections {
        super::check_collection(c)?;
    }
    if !args.collections.is_empty() {
        let named: Vec<&str> = args.collections.iter().map(String::as_str).collect();
        for store in [&a, &b] {
            super::warn_missing_collections(ctx, store.as_ref(), &named).await;
        }
    }
    let cmp = transfer::compare_stores(a.as_ref(), b.as_ref(), &args.collections).await?;
    let mut out = crate::output::stdout();
    let all_equal = cmp.iter().all(|c| c.equal());
    match args.format {
        ReportFormat::Text => {
            for c in &cmp {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    c.name,
                    c.a.count,
                    c.b.count,
                    if c.equal() { "equal" } else { "DIFFERENT" }
                )?;
            }
        }
        ReportFormat::Json => {
            let mut m = Map::new();
            m.insert("equal".into(), Value::Bool(all_equal));
            let cols = cmp
                .iter()
                .map(|c| {
                    let mut e = Map::new();
                    e.insert("collection".into(), Value::Str(c.name.clone()));
                    e.insert("count_a".into(), Value::Int(c.a.count as i64));
                    e.insert("count_b".into(), Value::Int(c.b.count as i64));
                    e.insert("hash_a".into(), Value::Str(c.a.hex()));
                    e.insert("hash_b".into(), Value::Str(c.b.hex()));
                    e.insert("unreadable_a".into(), Value::Int(c.unreadable_a as i64));
                    e.insert("unreadable_b".into(), Value::Int(c.unreadable_b as i64));
                    e.insert("equal".into(), Value::Bool(c.equal()));
                    Value::Object(e)
                })
                .collect();
            m.insert("collections".into(), Value::Array(cols));
            writeln!(out, "{}", json::to_pretty(&Value::Object(m)))?;
        }
    }
    out.flush()?;
    if all_equal {
        ctx.note(format!(
            "jvdb: {} and {} hold the same records",
            a.describe(),
            b.describe()
        ));
        Ok(exit::OK)
    } else {
        ctx.note("jvdb: the stores differ");
        Ok(exit::REFUSED)
    }
}
