//! `jvdb info`: which store is used and why (passwords redacted), and whether it can be read.
//! Exit 4 when the store is missing or cannot be opened or read, so it serves as a health check.
use super::Ctx;
use crate::cli::{InfoArgs, ReportFormat};
use jvdb::error::exit;
use jvdb::json;
use jvdb::store::{BACKENDS, redact};
use jvdb::value::{Map, Value};
use std::io::Write;

/// What opening the store found.
enum State {
    /// Collections with their counts.
    Readable(Vec<(String, u64)>),
    /// A JSON store whose directory does not exist.
    Missing(String),
    /// Opening or listing failed.
    Failed(&'static str, String),
}

pub async fn run(ctx: &Ctx, args: InfoArgs) -> anyhow::Result<i32> {
    let r = ctx.resolve()?;
    let state = probe(ctx, &r.spec, args.format == ReportFormat::Json).await;
    let mut out = crate::output::stdout();
    match args.format {
        ReportFormat::Text => {
            writeln!(out, "store:   {}", r.spec)?;
            writeln!(out, "backend: {}", r.spec.backend)?;
            writeln!(out, "why:     {}", r.reason)?;
            let line = match &state {
                State::Readable(c) => format!("readable, {} collection(s)", c.len()),
                State::Missing(why) => format!("missing: {why}"),
                State::Failed(what, e) => format!("{what}: {e}"),
            };
            writeln!(out, "state:   {}", redact(&line))?;
            let names: Vec<String> = BACKENDS
                .iter()
                .map(|b| format!("{} ({})", b.name, b.summary))
                .collect();
            writeln!(out, "known backends: {}", names.join("; "))?;
        }
        ReportFormat::Json => {
            let mut m = Map::new();
            m.insert("store".into(), Value::Str(r.spec.to_string()));
            m.insert("backend".into(), Value::Str(r.spec.backend.to_string()));
            m.insert("why".into(), Value::Str(r.reason.clone()));
            let (st, error, colls) = match &state {
                State::Readable(c) => ("readable", None, c.clone()),
                State::Missing(why) => ("missing", Some(why.clone()), Vec::new()),
                State::Failed(what, e) => (*what, Some(e.clone()), Vec::new()),
            };
            m.insert("state".into(), Value::Str(st.to_string()));
            if let Some(e) = error {
                m.insert("error".into(), Value::Str(redact(&e)));
            }
            m.insert(
                "collections".into(),
                Value::Array(
                    colls
                        .into_iter()
                        .map(|(name, count)| {
                            let mut c = Map::new();
                            c.insert("name".into(), Value::Str(name));
                            c.insert("count".into(), Value::Int(count as i64));
                            Value::Object(c)
                        })
                        .collect(),
                ),
            );
            m.insert(
                "known_backends".into(),
                Value::Array(
                    BACKENDS
                        .iter()
                        .map(|b| Value::Str(b.name.to_string()))
                        .collect(),
                ),
            );
            writeln!(out, "{}", json::to_pretty(&Value::Object(m)))?;
        }
    }
    out.flush()?;
    Ok(match state {
        State::Readable(_) => exit::OK,
        State::Missing(why) => {
            eprintln!(
                "jvdb: {}",
                redact(&format!("store {} is missing: {why}", r.spec))
            );
            exit::UNAVAILABLE
        }
        State::Failed(what, e) => {
            eprintln!(
                "jvdb: {}",
                redact(&format!("store {}: {what}: {e}", r.spec))
            );
            exit::UNAVAILABLE
        }
    })
}

/// Open the store read-only and list its collections (with counts when `counts`).
async fn probe(ctx: &Ctx, spec: &jvdb::store::StoreSpec, counts: bool) -> State {
    if let Some(local) = spec.local_path() {
        // The path as given (an absolute form would collapse `//` and escape `redact`).
        if let Err(e) = std::fs::metadata(&local.path)
            && e.kind() == std::io::ErrorKind::NotFound
        {
            let what = if local.dir { "directory" } else { "file" };
            return State::Missing(format!("no {what} {}", local.path.display()));
        }
    }
    let store = match spec.open(&ctx.open_options(false)).await {
        Ok(s) => s,
        Err(e) => return State::Failed("cannot open", e.to_string()),
    };
    let names = match store.collections().await {
        Ok(c) => c,
        Err(e) => return State::Failed("not readable", e.to_string()),
    };
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let n = if counts {
            match store.count(&name, None).await {
                Ok(c) => c.count,
                Err(e) => return State::Failed("not readable", e.to_string()),
            }
        } else {
            0
        };
        out.push((name, n));
    }
    State::Readable(out)
}
