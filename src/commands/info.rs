//! `jvdb info`: which store is used and why (passwords redacted).
use super::Ctx;
use crate::cli::InfoArgs;
use jvdb::store::BACKENDS;
use std::io::Write;

pub async fn run(ctx: &Ctx, _args: InfoArgs) -> anyhow::Result<i32> {
    let r = ctx.resolve()?;
    let mut out = crate::output::stdout();
    writeln!(out, "store:   {}", r.spec)?;
    writeln!(out, "backend: {}", r.spec.backend)?;
    writeln!(out, "why:     {}", r.reason)?;
    let state = match r.spec.open(&ctx.open_options(false)).await {
        Ok(store) => match store.collections().await {
            Ok(c) => format!("readable, {} collection(s)", c.len()),
            Err(e) => format!("not readable: {e}"),
        },
        Err(e) => format!("cannot open: {e}"),
    };
    writeln!(out, "state:   {state}")?;
    let names: Vec<String> = BACKENDS
        .iter()
        .map(|b| format!("{} ({})", b.name, b.summary))
        .collect();
    writeln!(out, "known backends: {}", names.join("; "))?;
    out.flush()?;
    Ok(0)
}
